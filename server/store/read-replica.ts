// The store the figure reads go to when DATABASE_READ_URL names a streaming replica of the
// primary (docs/operations.md, "Read replica"): the same queries over a pool of its own. It is
// never migrated (migrations reach it by replication) and runs no job. When the replica does not
// answer, a read through it is answered 503 naming the replica, while everything that uses the
// primary (pushes, pulls, sign-in) goes on.
import { ApiError } from '../api-error';
import { openPostgresStore } from './postgres';
import { NETWORK_REASONS } from './probe';
import type { Store } from './types';

/** Seconds a read waits for the replica to accept a connection before it is answered 503. */
const CONNECT_TIMEOUT_S = 5;

/** Besides the network failures of the start check: postgres.js's timeout and lost connections. */
const REASONS: Record<string, string> = {
	CONNECT_TIMEOUT: `no answer within ${CONNECT_TIMEOUT_S} s`,
	ETIMEDOUT: 'timed out',
	CONNECTION_CLOSED: 'connection closed',
	CONNECTION_DESTROYED: 'connection closed',
	CONNECTION_ENDED: 'connection closed'
};

/**
 * Why a failed read means the replica does not answer (it is stopped, restarting or out of
 * reach), in words; null for any other failure (a refused query is an error of the server).
 */
export function replicaDown(error: unknown): string | null {
	// drizzle wraps the driver's error as its cause.
	if (error instanceof Error && error.cause !== undefined && !('code' in error))
		return replicaDown(error.cause);
	// Node reports a failure on every address of a name (IPv4 and IPv6) as an AggregateError.
	const first = error instanceof AggregateError && error.errors.length ? error.errors[0] : error;
	const { code, message } = (first ?? {}) as { code?: unknown; message?: unknown };
	if (typeof code !== 'string') return null;
	const known = REASONS[code] ?? NETWORK_REASONS[code];
	if (known) return known;
	// Connection exceptions (08…), and the server shutting down or starting up (57P01–57P03).
	if (/^08|^57P0[123]$/.test(code)) return `${String(message)} [${code}]`;
	return null;
}

function unavailable(reason: string, cause: unknown): ApiError {
	const error = new ApiError(
		503,
		'unavailable',
		`read replica: no answer (${reason}); figures cannot be read until it is back, pushes and pulls go on`,
		undefined,
		{ 'Retry-After': '30' }
	);
	error.cause = cause;
	return error;
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
	value !== null &&
	(typeof value === 'object' || typeof value === 'function') &&
	typeof (value as { then?: unknown }).then === 'function';

/**
 * `target` whose methods turn a failure to reach the replica into a 503; the query groups they
 * hand out (rollup(), supervision()…) are guarded the same way.
 */
function guarded<T extends object>(target: T): T {
	return new Proxy(target, {
		get(object, key) {
			const value: unknown = Reflect.get(object, key);
			if (typeof value !== 'function') return value;
			return (...args: unknown[]) => {
				const result: unknown = value.apply(object, args);
				// A promise, or a query builder (thenable) that a method hands back to be awaited.
				if (isThenable(result))
					return Promise.resolve(result).catch((error: unknown) => {
						const reason = replicaDown(error);
						throw reason === null ? error : unavailable(reason, error);
					});
				return result !== null && typeof result === 'object' ? guarded(result) : result;
			};
		}
	});
}

/**
 * `store` as the read store: a replica that does not answer makes a read answer 503, and it
 * refuses to be migrated.
 */
export function asReadReplica<T extends Pick<Store, 'migrate'>>(store: T): T {
	const refuse = () =>
		Promise.reject(new Error('DATABASE_READ_URL: a read replica is never migrated'));
	return new Proxy(guarded(store), {
		get: (object, key) => (key === 'migrate' ? refuse : Reflect.get(object, key))
	});
}

/** The read store over DATABASE_READ_URL (a `postgres://` URL: checked by loadConfig). */
export function openReadReplica(url: string): Store {
	return asReadReplica(openPostgresStore(url, { connectTimeoutS: CONNECT_TIMEOUT_S }));
}
