import { describe, expect, it } from 'vitest';
import type { Mutation } from '$lib/shared/schemas';
import { HttpSyncTransport } from './http-transport';
import { OfflineError, RevokedError, ServerError, UnauthorizedError } from './transport';

interface Call {
	url: string;
	init: RequestInit;
}

function transport(
	answer: (call: Call) => Response | Promise<Response>,
	token: string | null = 'tok-1'
) {
	const calls: Call[] = [];
	const http = new HttpSyncTransport({
		getToken: () => token,
		fetch: async (input, init) => {
			const call = { url: String(input), init: init ?? {} };
			calls.push(call);
			return answer(call);
		}
	});
	return { http, calls };
}

const json = (body: unknown, status = 200) =>
	new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

const mutation: Mutation = {
	id: '0196f1d2-0000-7000-8000-000000000001',
	table: 'households',
	op: 'insert',
	rowId: '0196f1d2-0000-7000-8000-000000000002',
	fields: { gridId: '0196f1d2-0000-7000-8000-000000000003', address: 'A' }
};

describe('the HTTP sync transport', () => {
	it('posts the push envelope with the bearer token and returns the results', async () => {
		const { http, calls } = transport(() =>
			json({ results: [{ id: mutation.id, status: 'applied', version: 7 }] })
		);
		expect(await http.push('tablet-1', [mutation])).toEqual([
			{ id: mutation.id, status: 'applied', version: 7 }
		]);
		expect(calls[0].url).toBe('/api/v1/sync/push');
		expect(calls[0].init.method).toBe('POST');
		expect(new Headers(calls[0].init.headers).get('Authorization')).toBe('Bearer tok-1');
		expect(JSON.parse(String(calls[0].init.body))).toEqual({
			deviceId: 'tablet-1',
			mutations: [mutation]
		});
	});

	it('pulls with the cursor and limit in the query (no cursor at first)', async () => {
		const page = {
			changes: [
				{ table: 'households', op: 'insert', rowId: 'r', fields: { address: 'A' }, version: 3 }
			],
			cursor: 'eyJzIjozfQ',
			hasMore: false
		};
		const { http, calls } = transport(() => json(page));
		expect(await http.pull(null, 500)).toEqual(page);
		await http.pull('eyJzIjozfQ', 500);
		expect(calls.map((c) => c.url)).toEqual([
			'/api/v1/sync/pull?limit=500',
			'/api/v1/sync/pull?limit=500&cursor=eyJzIjozfQ'
		]);
	});

	it.each([
		['no network', () => Promise.reject(new TypeError('fetch failed')), OfflineError],
		['a gateway that cannot reach the server', () => json({}, 502), OfflineError],
		['an expired token', () => json({ error: 'unauthorized' }, 401), UnauthorizedError],
		[
			'a server error',
			() => json({ error: 'internal', message: 'database is locked' }, 500),
			ServerError
		],
		[
			'a bad envelope',
			() => json({ error: 'invalid_input', field: 'deviceId', message: 'deviceId: required' }, 400),
			ServerError
		],
		['an answer of the wrong shape', () => json({ results: [{ id: 1 }] }), ServerError],
		['an answer that is not JSON', () => new Response('<html>', { status: 200 }), ServerError]
	])('turns %s into a typed error', async (_name, answer, type) => {
		const { http } = transport(answer);
		await expect(http.push('tablet-1', [mutation])).rejects.toBeInstanceOf(type);
	});

	it('tells a revoked device from an expired session', async () => {
		const revoked = transport(() => json({ error: 'revoked', message: 'device revoked' }, 401));
		await expect(revoked.http.pull(null, 10)).rejects.toBeInstanceOf(RevokedError);
		const expired = transport(() => json({ error: 'unauthorized' }, 401));
		const error = await expired.http.pull(null, 10).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(UnauthorizedError);
		expect(error).not.toBeInstanceOf(RevokedError);
	});

	it('keeps the status and message of a server error', async () => {
		const { http } = transport(() =>
			json({ error: 'internal', message: 'database is locked' }, 503)
		);
		await expect(http.pull(null, 10)).rejects.toMatchObject({
			status: 503,
			message: 'database is locked'
		});
	});

	it('an answer cut off mid-body counts as no network (the push may have been applied)', async () => {
		const body = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(new TextEncoder().encode('{"results":['));
				controller.error(new Error('socket hang up'));
			}
		});
		const { http } = transport(() => new Response(body, { status: 200 }));
		await expect(http.push('tablet-1', [mutation])).rejects.toBeInstanceOf(OfflineError);
	});

	it('does not call the server without a token', async () => {
		const { http, calls } = transport(() => json({}), null);
		await expect(http.pull(null, 10)).rejects.toBeInstanceOf(UnauthorizedError);
		expect(calls).toHaveLength(0);
	});
});
