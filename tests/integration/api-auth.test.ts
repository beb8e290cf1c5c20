// Login, bearer sessions and scope on every route of this API, on both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/throttle';
import { loadConfig } from '../../server/config';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`auth and scope (${dialect})`, () => {
		let db: TestStore;
		let fixture: Fixture;
		let clock = new Date('2026-11-24T08:00:00+08:00');
		let app: ReturnType<typeof createApp>;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fixture = await seedFixture(db.store);
			app = createApp({
				store: db.store,
				config: { ...loadConfig({}), sessionTtlMs: 3600_000, appDir: 'build' },
				// The address rule (a delay) is covered by login-throttle.test.ts; here it would only slow.
				throttle: new LoginThrottle({ addressDelayStepMs: 0 }),
				version: 'test',
				now: () => clock
			});
		});
		afterAll(async () => db.dispose());

		const json = (body: unknown) => ({
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body)
		});
		const login = async (username: string, password = PASSWORD) =>
			app.request('/api/v1/auth/login', json({ username, password, deviceId: 'dev-1' }));
		const tokenOf = async (username: string) => {
			const res = await login(username);
			expect(res.status).toBe(200);
			return ((await res.json()) as { token: string }).token;
		};
		const get = (path: string, token?: string) =>
			app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });

		it('answers health without a token', async () => {
			const res = await get('/api/v1/health');
			expect(await res.json()).toEqual({ status: 'ok', db: dialect, version: 'test' });
		});

		it('logs in with a token, its expiry and the user', async () => {
			const res = await login('worker_a1');
			expect(res.status).toBe(200);
			const body = (await res.json()) as {
				token: string;
				expiresAt: string;
				user: { role: string; scope: string[] };
			};
			expect(body.token.length).toBeGreaterThanOrEqual(40);
			expect(new Date(body.expiresAt).getTime()).toBe(clock.getTime() + 3600_000);
			expect(body.user).toMatchObject({ role: 'grid_worker', scope: [fixture.grids.a1] });
			expect(body.user).not.toHaveProperty('passwordHash');
		});

		it('hands out one device key per user and device, the same at every sign-in', async () => {
			const keyOf = async (username: string, deviceId: string) => {
				const res = await app.request(
					'/api/v1/auth/login',
					json({ username, password: PASSWORD, deviceId })
				);
				expect(res.status).toBe(200);
				return ((await res.json()) as { deviceKey: string }).deviceKey;
			};
			const first = await keyOf('worker_a1', 'dev-key-1');
			expect(Buffer.from(first, 'base64')).toHaveLength(32);
			expect(await keyOf('worker_a1', 'dev-key-1')).toBe(first);
			const otherDevice = await keyOf('worker_a1', 'dev-key-2');
			const otherUser = await keyOf('head_a', 'dev-key-1');
			expect(new Set([first, otherDevice, otherUser]).size).toBe(3);
			await db.store.forgetDeviceKeys('dev-key-1');
			expect(await keyOf('worker_a1', 'dev-key-1')).not.toBe(first);
		});

		it('answers 401 to a wrong password and to an unknown user, with the same message', async () => {
			const wrong = await login('head_a', 'nope');
			const unknown = await login('nobody', 'nope');
			expect(wrong.status).toBe(401);
			expect(unknown.status).toBe(401);
			expect(await wrong.json()).toEqual(await unknown.json());
		});

		it('answers 400 naming the missing field', async () => {
			const res = await app.request(
				'/api/v1/auth/login',
				json({ username: 'head_a', deviceId: 'd' })
			);
			expect(res.status).toBe(400);
			expect(await res.json()).toMatchObject({ error: 'invalid_input', field: 'password' });
			const notJson = await app.request('/api/v1/auth/login', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{oops'
			});
			expect(notJson.status).toBe(400);
		});

		it('throttles an account after five failures, even for the right password', async () => {
			for (let i = 0; i < 5; i++) expect((await login('street', `bad-${i}`)).status).toBe(401);
			const blocked = await login('street');
			expect(blocked.status).toBe(429);
			expect(blocked.headers.get('retry-after')).toBe('2');
			expect(await blocked.json()).toMatchObject({ error: 'too_many_attempts' });
			// Another account from the same place is not blocked.
			expect((await login('province')).status).toBe(200);
		});

		it('doubles the block per further failure up to 15 min; a success or 15 quiet minutes forget', async () => {
			const saved = clock;
			const wait = (ms: number) => (clock = new Date(clock.getTime() + ms));
			try {
				// "street" is blocked for 2 s by the test before. Each failure after a block ends
				// doubles the next block: 4, 8, ... 512, then 900 s (15 min) from there on.
				const seen: number[] = [];
				let block = 2;
				for (let failure = 6; failure <= 16; failure++) {
					wait(block * 1000 - 1);
					const still = await login('street');
					expect(still.status).toBe(429);
					expect(still.headers.get('retry-after')).toBe('1');
					wait(1);
					expect((await login('street', `bad-${failure}`)).status).toBe(401);
					const next = await login('street');
					expect(next.status).toBe(429);
					block = Number(next.headers.get('retry-after'));
					seen.push(block);
				}
				expect(seen).toEqual([4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]);
				// Every spelling of the name is the same account.
				expect((await login(' STREET ')).status).toBe(429);
				wait(900_000);
				expect((await login('street')).status).toBe(200);
				// The success forgot every failure: five more are answered before a block.
				for (let i = 0; i < 5; i++) expect((await login('street', `again-${i}`)).status).toBe(401);
				expect((await login('street')).status).toBe(429);
				// A block plus 15 minutes without a failure forget them too.
				wait(2000 + 900_001);
				for (let i = 0; i < 5; i++) expect((await login('street', `later-${i}`)).status).toBe(401);
				expect((await login('street')).status).toBe(429);
				wait(2000);
				expect((await login('street')).status).toBe(200);
			} finally {
				clock = saved;
			}
		});

		it('throttles a username that does not exist exactly like one that does', async () => {
			const answers: number[] = [];
			for (let i = 0; i < 6; i++) answers.push((await login('no_such_user', `bad-${i}`)).status);
			expect(answers).toEqual([401, 401, 401, 401, 401, 429]);
		});

		it('rejects requests without a token, with a forged token, and after expiry', async () => {
			const path = `/api/v1/divisions/${fixture.grids.a1}`;
			expect((await get(path)).status).toBe(401);
			expect((await get(path, 'x'.repeat(43))).status).toBe(401);
			const token = await tokenOf('worker_a1');
			expect((await get(path, token)).status).toBe(200);
			const saved = clock;
			clock = new Date(saved.getTime() + 3600_000 + 1);
			try {
				const expired = await get(path, token);
				expect(expired.status).toBe(401);
				expect(((await expired.json()) as { message: string }).message).toMatch(/expired/);
			} finally {
				clock = saved;
			}
		});

		it('rejects a revoked session', async () => {
			const res = await login('head_b');
			const { token } = (await res.json()) as { token: string };
			const { tokenHash } = await import('../../server/auth/tokens');
			const session = await db.store.findSessionByTokenHash(tokenHash(token));
			await db.store.revokeSession(session!.id, clock);
			expect((await get('/api/v1/divisions/450102001004', token)).status).toBe(401);
		});

		it('lets a grid worker see their grid and nothing else', async () => {
			const token = await tokenOf('worker_a1');
			const own = await get(`/api/v1/divisions/${fixture.grids.a1}`, token);
			expect(await own.json()).toMatchObject({
				level: 'grid',
				name: '第一网格',
				parentCode: '450102001003'
			});
			expect((await get(`/api/v1/divisions/${fixture.grids.a2}`, token)).status).toBe(403);
			expect((await get(`/api/v1/divisions/${fixture.grids.b1}`, token)).status).toBe(403);
			expect((await get('/api/v1/divisions/450102001003', token)).status).toBe(403);
		});

		it('lets a community head see the community with its grids, not the neighbour', async () => {
			const token = await tokenOf('head_a');
			const res = await get('/api/v1/divisions/450102001003', token);
			const body = (await res.json()) as {
				level: string;
				parentCode: string;
				children: { code: string; level: string }[];
			};
			expect(body.level).toBe('community');
			expect(body.parentCode).toBe('450102001');
			expect(body.children.map((c) => c.code).sort()).toEqual(
				[fixture.grids.a1, fixture.grids.a2].sort()
			);
			expect(body.children.every((c) => c.level === 'grid')).toBe(true);
			expect((await get(`/api/v1/divisions/${fixture.grids.a2}`, token)).status).toBe(200);
			expect((await get('/api/v1/divisions/450102001004', token)).status).toBe(403);
			expect((await get(`/api/v1/divisions/${fixture.grids.b1}`, token)).status).toBe(403);
			expect((await get('/api/v1/divisions/450102001', token)).status).toBe(403);
		});

		it('lets officers see their subtree only', async () => {
			const other = await tokenOf('county_other');
			expect((await get('/api/v1/divisions/450103', other)).status).toBe(200);
			expect((await get('/api/v1/divisions/450102', other)).status).toBe(403);
			expect((await get(`/api/v1/divisions/${fixture.grids.a1}`, other)).status).toBe(403);
			const province = await tokenOf('province');
			const root = (await (await get('/api/v1/divisions/45', province)).json()) as {
				children: { code: string }[];
			};
			expect(root.children.map((c) => c.code)).toEqual(['4501']);
			expect((await get('/api/v1/divisions/99', province)).status).toBe(404);
		});

		it('serves an OpenAPI document generated from the route schemas', async () => {
			const doc = (await (await get('/api/v1/openapi.json')).json()) as {
				openapi: string;
				paths: Record<string, Record<string, { requestBody?: unknown }>>;
			};
			expect(doc.openapi).toMatch(/^3\./);
			expect(Object.keys(doc.paths).sort()).toEqual([
				'/alerts',
				'/alerts/{id}/ack',
				'/audit',
				'/auth/login',
				'/auth/logout',
				'/check-templates',
				'/check-templates/{id}',
				'/check-templates/{id}/versions',
				'/communities/{code}/grids',
				'/communities/{code}/residents.xlsx',
				'/communities/{code}/settings',
				'/communities/{code}/summary.xlsx',
				'/devices',
				'/devices/{deviceId}/revoke',
				'/divisions/import',
				'/divisions/{code}',
				'/divisions/{code}/summary.xlsx',
				'/duplicates',
				'/duplicates/{id}/resolve',
				'/grids',
				'/grids/{id}',
				'/grids/{id}/households',
				'/health',
				'/health/ready',
				'/history/{table}/{rowId}',
				'/households/move',
				'/imports/households',
				'/imports/households/template.xlsx',
				'/imports/{id}',
				'/imports/{id}/commit',
				'/imports/{id}/rejected.xlsx',
				'/incidents',
				'/incidents/{id}',
				'/incidents/{id}/transition',
				'/kiosk/directory',
				'/kiosks',
				'/kiosks/{deviceId}/retire',
				'/provinces',
				'/residents/export',
				'/residents/{id}',
				'/residents/{id}/unmask',
				'/rollup/{code}',
				'/rollup/{code}/trend',
				'/rounds',
				'/sync/pull',
				'/sync/push',
				'/users',
				'/users/{id}',
				'/users/{id}/password'
			]);
			expect(doc.paths['/auth/login'].post.requestBody).toBeDefined();
		});
	});
}
