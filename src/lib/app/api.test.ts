import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, api, onUnauthorized } from './api';

function answer(status: number, body: unknown, headers: Record<string, string> = {}) {
	return vi.fn(async () => new Response(JSON.stringify(body), { status, headers }));
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(ApiError);
	return error as ApiError;
}

const LOGIN = { username: 'worker1', password: 'demo1234', deviceId: 'device' };
const USER = { id: 'u1', username: 'worker1', role: 'grid_worker', scope: ['g1'] };

afterEach(() => {
	vi.unstubAllGlobals();
	onUnauthorized(() => undefined);
});

describe('api', () => {
	it('signs in and returns the checked answer', async () => {
		const fetch = answer(200, {
			token: 't',
			expiresAt: '2030-01-01T00:00:00Z',
			user: USER,
			deviceKey: 'a2V5'
		});
		vi.stubGlobal('fetch', fetch);
		const result = await api.login(LOGIN);
		expect(result.user.scope).toEqual(['g1']);
		const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
		expect(url).toBe('/api/v1/auth/login');
		expect(init.method).toBe('POST');
	});

	it('sends the bearer token', async () => {
		const fetch = answer(200, {
			code: '45',
			name: '广西',
			level: 'province',
			parentCode: null,
			children: []
		});
		vi.stubGlobal('fetch', fetch);
		await api.division('45', 'secret');
		const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
		expect(url).toBe('/api/v1/divisions/45');
		expect((init.headers as Record<string, string>).Authorization).toBe('Bearer secret');
	});

	it.each([
		[
			400,
			{ error: 'invalid_input', field: 'username', message: 'username: must not be empty' },
			'invalid'
		],
		[401, { error: 'bad_credentials' }, 'unauthorized'],
		[403, { error: 'forbidden' }, 'forbidden'],
		[404, { error: 'not_found' }, 'not_found'],
		[429, { error: 'too_many_attempts' }, 'throttled'],
		[500, { error: 'internal' }, 'server'],
		[502, {}, 'offline']
	] as const)('maps %i to %s', async (status, body, kind) => {
		vi.stubGlobal('fetch', answer(status, body, { 'Retry-After': '120' }));
		const error = await failure(api.login(LOGIN));
		expect(error.kind).toBe(kind);
		if (kind === 'invalid') expect(error.field).toBe('username');
		if (kind === 'throttled') expect(error.retryAfterSeconds).toBe(120);
	});

	it('treats a failed request as offline', async () => {
		vi.stubGlobal(
			'fetch',
			vi.fn(async () => Promise.reject(new TypeError('Failed to fetch')))
		);
		expect((await failure(api.login(LOGIN))).kind).toBe('offline');
	});

	it('rejects an answer of the wrong shape', async () => {
		vi.stubGlobal('fetch', answer(200, { token: 't' }));
		expect((await failure(api.login(LOGIN))).kind).toBe('server');
	});

	it('reports a rejected token, but not a failed sign-in', async () => {
		const handler = vi.fn();
		onUnauthorized(handler);
		vi.stubGlobal('fetch', answer(401, { error: 'bad_credentials' }));
		await failure(api.login(LOGIN));
		expect(handler).not.toHaveBeenCalled();
		await failure(api.division('45', 'expired'));
		expect(handler).toHaveBeenCalledOnce();
		expect(handler).toHaveBeenCalledWith('unauthorized');
	});

	it('says when the token was refused because the device was revoked', async () => {
		const handler = vi.fn();
		onUnauthorized(handler);
		vi.stubGlobal('fetch', answer(401, { error: 'revoked', message: 'this session was revoked' }));
		const error = await failure(api.division('45', 'token'));
		expect(error.kind).toBe('unauthorized');
		expect(handler).toHaveBeenCalledWith('revoked');
	});
});
