// GET /metrics (Prometheus text, only to the deployment's scrape token) and GET /health/ready,
// on both databases, through the real app and store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/config';
import type { Lifecycle } from '../../server/context';
import { Metrics } from '../../server/metrics';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const TOKEN = 'a-scrape-token';
const DAY_MS = 86_400_000;

/** Every sample line of an exposition: name, labels, value. */
function samples(text: string) {
	return text
		.split('\n')
		.filter((line) => line && !line.startsWith('#'))
		.map((line) => {
			const match = /^([a-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/i.exec(line);
			if (!match) throw new Error(`not a sample line: ${line}`);
			const labels: Record<string, string> = {};
			for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
				labels[key] = value;
			return { name: match[1], labels, value: Number(match[3]) };
		});
}

function value(text: string, name: string, labels: Record<string, string> = {}): number {
	return samples(text)
		.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
		.reduce((sum, s) => sum + s.value, 0);
}

for (const dialect of DIALECTS)
	describe.skipIf(!dialectAvailable(dialect))(`metrics and readiness (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		const config = { ...loadConfig({}), appDir: 'build', metricsToken: TOKEN };

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
		});
		afterAll(async () => db?.dispose());

		const scrape = (app: ReturnType<typeof testApp>, authorization?: string) =>
			app.request('/metrics', { headers: authorization ? { authorization } : {} });

		it('answers 404 when no token is configured, 401 without the right bearer token', async () => {
			const metrics = new Metrics(db.store);
			const closed = testApp(db.store, undefined, {
				metrics,
				config: { ...config, metricsToken: undefined }
			});
			expect((await scrape(closed, `Bearer ${TOKEN}`)).status).toBe(404);
			const app = testApp(db.store, undefined, { metrics, config });
			for (const header of [undefined, 'Bearer wrong', `Basic ${TOKEN}`, TOKEN]) {
				const res = await scrape(app, header);
				expect(res.status).toBe(401);
				expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
				expect(await res.text()).not.toContain('gridcare_');
			}
			const res = await scrape(app, `Bearer ${TOKEN}`);
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
		});

		it('counts requests, pushes, pulls, roll-up time, sign-ins and stale devices by county', async () => {
			const now = Date.now();
			// A tablet that last synced three days ago.
			const old = testApp(db.store, () => new Date(now - 3 * DAY_MS));
			await new ApiClient(old).login('worker_b1').then((c) => c.pullAll());

			const metrics = new Metrics(db.store);
			const app = testApp(db.store, undefined, { metrics, config });
			const worker = await new ApiClient(app).login('worker_a1');
			const wrong = await app.request('/api/v1/auth/login', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ username: 'head_a', password: 'nope', deviceId: 'd' })
			});
			expect(wrong.status).toBe(401);
			const household = crypto.randomUUID();
			const mutation = {
				id: crypto.randomUUID(),
				table: 'households',
				op: 'insert',
				rowId: household,
				fields: { gridId: fx.grids.a1, address: '民主路1号' }
			};
			await worker.push([mutation]);
			await worker.push([mutation]); // sent again: a duplicate
			await worker.pullAll();

			const text = await (await scrape(app, `Bearer ${TOKEN}`)).text();
			expect(
				value(text, 'gridcare_http_requests_total', {
					method: 'POST',
					route: '/api/v1/sync/push',
					status: '200'
				})
			).toBe(2);
			expect(
				value(text, 'gridcare_http_request_duration_seconds_count', {
					route: '/api/v1/auth/login',
					status: '401'
				})
			).toBe(1);
			expect(value(text, 'gridcare_sync_push_mutations_total', { result: 'applied' })).toBe(1);
			expect(value(text, 'gridcare_sync_push_mutations_total', { result: 'duplicate' })).toBe(1);
			expect(value(text, 'gridcare_sync_pull_pages_total')).toBeGreaterThanOrEqual(1);
			expect(value(text, 'gridcare_sync_pull_changes_total')).toBeGreaterThanOrEqual(1);
			expect(value(text, 'gridcare_rollup_maintenance_seconds_total')).toBeGreaterThan(0);
			expect(value(text, 'gridcare_login_attempts_total', { result: 'succeeded' })).toBe(1);
			expect(value(text, 'gridcare_login_attempts_total', { result: 'failed' })).toBe(1);
			// worker_b1's grid is in county 450102; worker_a1 synced just now.
			expect(samples(text).filter((s) => s.name === 'gridcare_devices_unsynced_day_count')).toEqual(
				[{ name: 'gridcare_devices_unsynced_day_count', labels: { county: '450102' }, value: 1 }]
			);
			expect(value(text, 'gridcare_db_connections')).toBeGreaterThanOrEqual(1);
			expect(value(text, 'gridcare_db_pool_max_connections')).toBe(dialect === 'postgres' ? 10 : 1);
			expect(value(text, 'gridcare_process_resident_memory_bytes')).toBeGreaterThan(0);
			// Every series is ours, with its unit; no label carries an id, a community or a user.
			for (const s of samples(text)) {
				expect(s.name).toMatch(/^gridcare_/);
				for (const v of Object.values(s.labels)) {
					expect(v).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}/);
					expect(v).not.toMatch(/^\d{9,}$/);
					expect(v).not.toContain('worker');
				}
			}
		});

		it('is ready while the database answers and the process is not stopping', async () => {
			const lifecycle: Lifecycle = { migrated: true, shuttingDown: false };
			const app = testApp(db.store, undefined, { lifecycle, config });
			const ready = await app.request('/api/v1/health/ready');
			expect(ready.status).toBe(200);
			expect(await ready.json()).toEqual({
				ready: true,
				checks: { database: true, migrated: true, accepting: true }
			});
			lifecycle.shuttingDown = true;
			const stopping = await app.request('/api/v1/health/ready');
			expect(stopping.status).toBe(503);
			expect(((await stopping.json()) as { checks: object }).checks).toMatchObject({
				accepting: false
			});
			// Liveness does not ask the database or the lifecycle.
			expect((await app.request('/api/v1/health')).status).toBe(200);
		});

		it('is not ready once its database is gone', async () => {
			const other = await openTestStore(dialect);
			await seedFixture(other.store).catch(() => {});
			const app = testApp(other.store, undefined, { config });
			expect((await app.request('/api/v1/health/ready')).status).toBe(200);
			await other.dispose();
			const gone = await app.request('/api/v1/health/ready');
			expect(gone.status).toBe(503);
			expect(((await gone.json()) as { checks: object }).checks).toMatchObject({
				database: false,
				accepting: true
			});
		});
	});
