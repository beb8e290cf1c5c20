// API answers on the wire (docs/field-performance.md, "Compression"): pull pages and other
// answers over the threshold are gzipped when the client accepts it, sign-in answers never, and
// GRIDCARE_COMPRESSION=off leaves every answer as it is.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPRESS_THRESHOLD_BYTES } from '../../server/compression';
import { loadConfig } from '../../server/config';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture } from './fixtures';
import { openTestStore, type TestStore } from './stores';

describe('compressed API answers', () => {
	let db: TestStore;
	let app: TestApp;
	let worker: ApiClient;

	beforeAll(async () => {
		db = await openTestStore('sqlite');
		const fx = await seedFixture(db.store);
		app = testApp(db.store);
		worker = await new ApiClient(app).login('worker_a1');
		// Enough households for a pull page well over the threshold.
		const pushed = await worker.push(
			Array.from({ length: 40 }, (_, i) => ({
				id: crypto.randomUUID(),
				table: 'households',
				op: 'insert',
				rowId: crypto.randomUUID(),
				fields: { gridId: fx.grids.a1, address: `民生路${i + 1}号1栋2单元302室`, tags: [] }
			}))
		);
		expect(pushed.every((r) => r.status === 'applied')).toBe(true);
	});
	afterAll(async () => db.dispose());

	const raw = async (res: Response) => Buffer.from(await res.arrayBuffer());

	it('gzips a pull page when the client accepts it, and the page reads the same', async () => {
		const plain = await worker.request('/sync/pull?limit=500');
		expect(plain.headers.get('content-encoding')).toBeNull();
		const plainBody = await raw(plain);
		expect(plainBody.length).toBeGreaterThan(COMPRESS_THRESHOLD_BYTES);

		const zipped = await worker.request('/sync/pull?limit=500', {
			headers: { 'accept-encoding': 'gzip, deflate, br' }
		});
		expect(zipped.status).toBe(200);
		expect(zipped.headers.get('content-encoding')).toBe('gzip');
		expect(zipped.headers.get('vary')).toMatch(/accept-encoding/i);
		const zippedBody = await raw(zipped);
		expect(zippedBody.length).toBeLessThan(plainBody.length / 3);
		const page = JSON.parse(gunzipSync(new Uint8Array(zippedBody)).toString('utf8')) as {
			changes: unknown[];
		};
		const plainPage = JSON.parse(plainBody.toString('utf8')) as { changes: unknown[] };
		// The cursor is signed per request; the changes are what must match.
		expect(page.changes).toEqual(plainPage.changes);
		expect(page.changes.length).toBeGreaterThan(0);
	});

	it('leaves answers under the threshold as they are', async () => {
		const res = await app.request('/api/v1/health', { headers: { 'accept-encoding': 'gzip' } });
		expect(res.status).toBe(200);
		expect(res.headers.get('content-encoding')).toBeNull();
		expect(JSON.parse((await raw(res)).toString('utf8'))).toHaveProperty('status');
	});

	it('never compresses a sign-in answer, which holds the session token', async () => {
		const res = await app.request('/api/v1/auth/login', {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'accept-encoding': 'gzip' },
			body: JSON.stringify({ username: 'worker_a1', password: PASSWORD, deviceId: 'tablet-z' })
		});
		expect(res.status).toBe(200);
		expect(res.headers.get('content-encoding')).toBeNull();
		expect(JSON.parse((await raw(res)).toString('utf8'))).toHaveProperty('token');
	});

	it('compresses nothing on the fly with GRIDCARE_COMPRESSION=off', async () => {
		const config = loadConfig({ GRIDCARE_COMPRESSION: 'off' });
		expect(config.compression).toBe(false);
		const plainApp = testApp(db.store, undefined, { config: { ...config, appDir: 'build' } });
		const tablet = await new ApiClient(plainApp).login('worker_a1');
		const res = await tablet.request('/sync/pull?limit=500', {
			headers: { 'accept-encoding': 'gzip' }
		});
		expect(res.headers.get('content-encoding')).toBeNull();
		expect(JSON.parse((await raw(res)).toString('utf8')).changes.length).toBeGreaterThan(0);
	});
});
