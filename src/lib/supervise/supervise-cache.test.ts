import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from './supervise-cache';

describe('SnapshotCache', () => {
	it('keeps one entry per user and request path, with the time it was fetched', async () => {
		const cache = new SnapshotCache('sv-test-1');
		const at = new Date('2026-11-24T08:30:00Z');
		await cache.write('u1', '/rollup/450102001', { visits: 3 }, at);
		await cache.write('u1', '/rollup/450102001', { visits: 5 }, at);
		await cache.write('u1', '/rollup/450102001003', { visits: 1 }, at);

		expect(await cache.read('u1', '/rollup/450102001')).toEqual({
			data: { visits: 5 },
			savedAt: '2026-11-24T08:30:00.000Z'
		});
		expect(await cache.read('u1', '/rollup/450102001003')).toMatchObject({ data: { visits: 1 } });
		expect(await cache.read('u2', '/rollup/450102001')).toBeUndefined();
	});

	it("forgets other users' snapshots and keeps the current user's", async () => {
		const cache = new SnapshotCache('sv-test-2');
		await cache.write('head', '/communities/1/grids', { grids: [] });
		await cache.write('street', '/rollup/2', { n: 1 });
		await cache.write('street', '/rollup/3', { n: 2 });

		expect(await cache.forgetOthers('head')).toBe(2);
		expect(await cache.read('street', '/rollup/2')).toBeUndefined();
		expect(await cache.read('head', '/communities/1/grids')).toBeDefined();
	});
});
