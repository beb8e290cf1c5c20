// The sync transport over HTTP: POST /api/v1/sync/push and GET /api/v1/sync/pull with the
// session's bearer token. Failures become the typed errors the engine reacts to.
import { z } from 'zod';
import { pushResponseSchema, type Mutation } from '$lib/shared/schemas';
import {
	OfflineError,
	pullPageSchema,
	RevokedError,
	ScopeChangedError,
	ServerError,
	UnauthorizedError,
	type PullPage,
	type PushResult,
	type SyncTransport
} from './transport';

const errorBodySchema = z.object({ message: z.string().optional(), error: z.string().optional() });

export interface HttpTransportOptions {
	/** The current session token; null when signed out. */
	getToken: () => string | null | undefined | Promise<string | null | undefined>;
	/** Defaults to '/api/v1' (same origin). */
	baseUrl?: string;
	fetch?: typeof fetch;
	/** A request hanging longer than this counts as no network (stairwells, weak 4G). */
	timeoutMs?: number;
}

export class HttpSyncTransport implements SyncTransport {
	readonly #getToken: HttpTransportOptions['getToken'];
	readonly #baseUrl: string;
	readonly #fetch: typeof fetch;
	readonly #timeoutMs: number;

	constructor(options: HttpTransportOptions) {
		this.#getToken = options.getToken;
		this.#baseUrl = options.baseUrl ?? '/api/v1';
		this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
		this.#timeoutMs = options.timeoutMs ?? 30_000;
	}

	async push(deviceId: string, mutations: Mutation[]): Promise<PushResult[]> {
		const body = await this.#request('/sync/push', pushResponseSchema, {
			method: 'POST',
			body: JSON.stringify({ deviceId, mutations })
		});
		return body.results;
	}

	async pull(cursor: string | null, limit: number): Promise<PullPage> {
		const query = new URLSearchParams({ limit: String(limit) });
		if (cursor !== null) query.set('cursor', cursor);
		return this.#request(`/sync/pull?${query.toString()}`, pullPageSchema, { method: 'GET' });
	}

	async #request<T>(
		path: string,
		schema: z.ZodType<T>,
		init: { method: 'GET' | 'POST'; body?: string }
	): Promise<T> {
		const token = await this.#getToken();
		if (!token) throw new UnauthorizedError('not signed in');
		const headers: Record<string, string> = {
			Accept: 'application/json',
			Authorization: `Bearer ${token}`
		};
		if (init.body !== undefined) headers['Content-Type'] = 'application/json';
		let response: Response;
		try {
			response = await this.#fetch(this.#baseUrl + path, {
				...init,
				headers,
				cache: 'no-store',
				signal: AbortSignal.timeout(this.#timeoutMs)
			});
		} catch (cause) {
			throw new OfflineError(`network request failed: ${String(cause)}`, { cause });
		}
		if (response.status === 401) {
			const body = errorBodySchema.safeParse(await response.json().catch(() => ({})));
			throw body.success && body.data.error === 'revoked'
				? new RevokedError()
				: new UnauthorizedError();
		}
		// A gateway answering for an unreachable server is the same as no network.
		if (response.status === 502 || response.status === 504)
			throw new OfflineError(`server unreachable (${response.status})`);
		if (response.status === 409) {
			const body = errorBodySchema.safeParse(
				await response
					.clone()
					.json()
					.catch(() => ({}))
			);
			if (body.success && body.data.error === 'scope_changed') throw new ScopeChangedError();
		}
		if (!response.ok) throw new ServerError(response.status, await errorMessage(response));
		let text: string;
		try {
			text = await response.text();
		} catch (cause) {
			// The connection dropped mid-answer: the server may have applied a push; resend later.
			throw new OfflineError(`answer cut off: ${String(cause)}`, { cause });
		}
		const parsed = schema.safeParse(parseJson(text));
		if (!parsed.success)
			throw new ServerError(response.status, `unexpected answer from ${path.split('?')[0]}`);
		return parsed.data;
	}
}

async function errorMessage(response: Response): Promise<string> {
	const body = errorBodySchema.safeParse(await response.json().catch(() => ({})));
	const detail = body.success ? (body.data.message ?? body.data.error) : undefined;
	return detail ?? `HTTP ${response.status} ${response.statusText}`.trim();
}

function parseJson(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}
