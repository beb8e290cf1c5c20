// The fetch wrapper for /api/v1. Every failure becomes an ApiError with a kind the screens
// can put into words; a 401 on an authenticated call also tells the app to sign in again.
import type { z } from 'zod';
import type { LoginInput } from '$lib/shared/schemas';
import { badRequestSchema, divisionNodeSchema, loginResponseSchema } from './types';

export const API_BASE = '/api/v1';
/** A request that hangs longer than this is treated like no network (stairwells, weak 4G). */
const TIMEOUT_MS = 15_000;

export type ApiErrorKind =
	'offline' | 'unauthorized' | 'forbidden' | 'not_found' | 'throttled' | 'invalid' | 'server';

export class ApiError extends Error {
	constructor(
		readonly kind: ApiErrorKind,
		readonly status: number | null,
		message: string,
		readonly field?: string,
		readonly retryAfterSeconds?: number
	) {
		super(message);
		this.name = 'ApiError';
	}
}

/** Why the server refused the token: `revoked` (the device was revoked) or merely not valid. */
export type Rejection = 'revoked' | 'unauthorized';

let unauthorizedHandler: ((why: Rejection) => void) | null = null;

/**
 * Called when the server rejects the session token (expired or revoked), whichever request met
 * it: a revoked device must be wiped whether a sync or a screen's request heard it first.
 */
export function onUnauthorized(handler: (why: Rejection) => void): void {
	unauthorizedHandler = handler;
}

interface RequestOptions {
	method?: 'GET' | 'POST' | 'PUT' | 'PATCH';
	body?: unknown;
	token?: string | null;
	/** For the few requests that take long by nature (a province's division import). */
	timeoutMs?: number;
}

export async function apiRequest<T>(
	path: string,
	schema: z.ZodType<T>,
	{ method = 'GET', body, token, timeoutMs = TIMEOUT_MS }: RequestOptions = {}
): Promise<T> {
	const headers: Record<string, string> = { Accept: 'application/json' };
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	if (token) headers.Authorization = `Bearer ${token}`;

	let response: Response;
	try {
		response = await fetch(API_BASE + path, {
			method,
			headers,
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(timeoutMs),
			cache: 'no-store'
		});
	} catch (cause) {
		throw new ApiError('offline', null, `network request failed: ${String(cause)}`);
	}

	if (!response.ok) throw await errorFromResponse(response, Boolean(token));

	const json: unknown = await response.json().catch(() => undefined);
	const parsed = schema.safeParse(json);
	if (!parsed.success) {
		throw new ApiError('server', response.status, `unexpected answer from ${path}`);
	}
	return parsed.data;
}

async function errorFromResponse(response: Response, authenticated: boolean): Promise<ApiError> {
	const { status } = response;
	const body = badRequestSchema.safeParse(await response.json().catch(() => ({})));
	const detail = body.success ? body.data : {};
	const message = detail.message ?? detail.error ?? response.statusText;

	switch (status) {
		case 400:
			return new ApiError('invalid', status, message, detail.field);
		case 401:
			if (authenticated)
				unauthorizedHandler?.(detail.error === 'revoked' ? 'revoked' : 'unauthorized');
			return new ApiError('unauthorized', status, message);
		case 403:
			return new ApiError('forbidden', status, message);
		case 404:
			return new ApiError('not_found', status, message);
		case 429: {
			const retryAfter = Number(response.headers.get('Retry-After'));
			return new ApiError(
				'throttled',
				status,
				message,
				undefined,
				Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined
			);
		}
		default:
			// A proxy or gateway answering for an unreachable server counts as no network. A 409
			// names the field in conflict (a name taken, a grid not empty).
			return new ApiError(
				status === 502 || status === 504 ? 'offline' : 'server',
				status,
				message,
				detail.field
			);
	}
}

export const api = {
	login: (input: LoginInput) =>
		apiRequest('/auth/login', loginResponseSchema, { method: 'POST', body: input }),
	division: (code: string, token: string) =>
		apiRequest(`/divisions/${encodeURIComponent(code)}`, divisionNodeSchema, { token })
};
