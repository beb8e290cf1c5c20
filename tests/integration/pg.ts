// PostgreSQL for integration tests: a fresh throw-away database per caller on the server at
// 127.0.0.1:5432. Locally the server may be absent and those cases are skipped with a notice;
// in CI (process.env.CI set) PostgreSQL is mandatory and its absence fails the run.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';

const ADMIN_URL = process.env.GRIDCARE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const ADDRESS = `${new URL(ADMIN_URL).hostname}:${new URL(ADMIN_URL).port || 5432}`;

// Errors that mean "no server answers", as opposed to a server that refuses us (bad role…).
const UNREACHABLE_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'ETIMEDOUT',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'ENOTFOUND',
	'EAI_AGAIN',
	'CONNECT_TIMEOUT'
]);

function unreachable(error: unknown): boolean {
	const code = (error as { code?: unknown } | null)?.code;
	if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
	// Node wraps failures to every resolved address (IPv4 and IPv6) in an AggregateError.
	return error instanceof AggregateError && error.errors.some(unreachable);
}

function adminClient(): postgres.Sql {
	return postgres(ADMIN_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
}

function databaseUrl(name: string): string {
	const url = new URL(ADMIN_URL);
	url.pathname = `/${name}`;
	return url.toString();
}

/** Run `fn` on an admin connection; null when no server answers (a throw in CI). */
async function withAdmin<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T | null> {
	const sql = adminClient();
	try {
		return await fn(sql);
	} catch (error) {
		if (!unreachable(error)) throw error;
		if (process.env.CI)
			throw new Error(`PostgreSQL is required in CI but is not reachable at ${ADDRESS}`);
		console.warn(`PostgreSQL not reachable at ${ADDRESS}: skipping PostgreSQL cases`);
		return null;
	} finally {
		await sql.end({ timeout: 1 });
	}
}

/** Whether the test server answers; prints the skip notice when it does not (throws in CI). */
export async function postgresReachable(): Promise<boolean> {
	return (await withAdmin(async (sql) => sql`select 1`)) !== null;
}

/**
 * A fresh database `gridcare_t_<random hex>` and its URL, or null when no server answers
 * (callers then `describe.skipIf`). `drop()` removes it, closing any connection left open.
 */
export async function withPostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
	const name = `gridcare_t_${randomBytes(6).toString('hex')}`;
	const created = await withAdmin(async (sql) => sql.unsafe(`create database ${name}`));
	if (created === null) return null;
	return {
		url: databaseUrl(name),
		drop: async () => {
			const sql = adminClient();
			try {
				// WITH (FORCE) (PostgreSQL 13+) terminates sessions a failed test left behind.
				await sql.unsafe(`drop database if exists ${name} with (force)`);
			} finally {
				await sql.end({ timeout: 1 });
			}
		}
	};
}
