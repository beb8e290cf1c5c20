// Every role against every route, allowed and denied, including cross-grid and cross-community
// attempts; and the login throttle, session expiry and device revocation. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/throttle';
import { loadConfig } from '../../server/config';
import { ApiClient } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { addPerson, OTHER_ID, SHARED_ID, type Person } from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const USERS = [
	'worker_a1',
	'worker_b1',
	'head_a',
	'head_b',
	'street',
	'county_other',
	'province',
	'kiosk_a',
	'admin'
] as const;
type Who = (typeof USERS)[number] | 'anonymous';

/** An expected answer: an HTTP status, or for a push the status of its one mutation. */
type Outcome = number | 'applied' | 'rejected';

interface World {
	fx: Fixture;
	a1: Person;
	a2: Person;
	b1: Person;
	flagA: string;
}

interface Row {
	name: string;
	request: (w: World) => { method: string; path: string; body?: unknown; push?: boolean };
	/** Expected outcome per caller, in the order they are tried (allowed writes last). */
	expect: Partial<Record<Who, Outcome>>;
}

const all = (outcome: Outcome, except: Partial<Record<Who, Outcome>> = {}) => ({
	anonymous: 401,
	...Object.fromEntries(USERS.map((u) => [u, outcome])),
	...except
});

/** `others` for everyone, then `who` tried last with `outcome` (a write that changes the row). */
const last = (others: Outcome, who: Who, outcome: Outcome) => {
	const rest: Partial<Record<Who, Outcome>> = all(others);
	delete rest[who];
	return { ...rest, [who]: outcome };
};

const householdInsert = (gridId: string) => ({
	id: crypto.randomUUID(),
	table: 'households',
	op: 'insert',
	rowId: crypto.randomUUID(),
	fields: { gridId, address: '朝阳路1号' }
});

const ROWS: Row[] = [
	{
		name: 'GET /divisions/:community',
		request: () => ({ method: 'GET', path: '/divisions/450102001003' }),
		expect: all(200, { worker_a1: 403, worker_b1: 403, head_b: 403, county_other: 403 })
	},
	{
		name: 'GET /divisions/:grid',
		request: (w) => ({ method: 'GET', path: `/divisions/${w.fx.grids.a1}` }),
		expect: all(200, { worker_b1: 403, head_b: 403, county_other: 403 })
	},
	{
		name: 'GET /sync/pull',
		request: () => ({ method: 'GET', path: '/sync/pull?limit=5' }),
		// Kiosks hold only their check-in directory: no change log.
		expect: all(200, { street: 403, county_other: 403, province: 403, admin: 403, kiosk_a: 403 })
	},
	{
		name: 'GET /kiosk/directory',
		request: () => ({ method: 'GET', path: '/kiosk/directory' }),
		expect: all(403, { kiosk_a: 200 })
	},
	{
		name: 'GET /rollup/:community',
		request: () => ({ method: 'GET', path: '/rollup/450102001003' }),
		// Kiosks record check-ins; the staff's views are not theirs.
		expect: all(200, {
			worker_a1: 403,
			worker_b1: 403,
			head_b: 403,
			county_other: 403,
			kiosk_a: 403
		})
	},
	{
		name: 'GET /communities/:community/settings',
		request: () => ({ method: 'GET', path: '/communities/450102001003/settings' }),
		expect: all(200, { worker_b1: 403, head_b: 403, county_other: 403, kiosk_a: 403 })
	},
	{
		name: 'GET /alerts?code=community A',
		request: () => ({ method: 'GET', path: '/alerts?code=450102001003' }),
		expect: all(200, {
			worker_a1: 403,
			worker_b1: 403,
			head_b: 403,
			county_other: 403,
			kiosk_a: 403
		})
	},
	{
		name: 'POST /sync/push household in grid a1',
		request: (w) => ({
			method: 'POST',
			path: '/sync/push',
			push: true,
			body: [householdInsert(w.fx.grids.a1)]
		}),
		// A street officer imports rosters of the street's communities: the same rule answers a push.
		expect: all('rejected', {
			worker_a1: 'applied',
			head_a: 'applied',
			admin: 'applied',
			street: 'applied'
		})
	},
	{
		name: 'POST /sync/push household in grid b1',
		request: (w) => ({
			method: 'POST',
			path: '/sync/push',
			push: true,
			body: [householdInsert(w.fx.grids.b1)]
		}),
		// A street officer imports rosters of the street's communities: the same rule answers a push.
		expect: all('rejected', {
			worker_b1: 'applied',
			head_b: 'applied',
			admin: 'applied',
			street: 'applied'
		})
	},
	{
		name: 'GET /history/residents/:a1',
		request: (w) => ({ method: 'GET', path: `/history/residents/${w.a1.resident}` }),
		expect: all(403, { worker_a1: 200, head_a: 200 })
	},
	{
		name: 'POST /residents/:a1/unmask phone',
		request: (w) => ({
			method: 'POST',
			path: `/residents/${w.a1.resident}/unmask`,
			body: { field: 'phone', reason: 'contact_resident' }
		}),
		expect: all(403, { worker_a1: 200, head_a: 200 })
	},
	{
		name: 'POST /residents/:a2/unmask idNumber (other grid, same community)',
		request: (w) => ({
			method: 'POST',
			path: `/residents/${w.a2.resident}/unmask`,
			body: { field: 'idNumber', reason: 'home_visit_check' }
		}),
		expect: all(403, { head_a: 200 })
	},
	{
		name: 'POST /residents/:b1/unmask idNumber (other community)',
		request: (w) => ({
			method: 'POST',
			path: `/residents/${w.b1.resident}/unmask`,
			body: { field: 'idNumber', reason: 'supervisor_review' }
		}),
		expect: all(403, { worker_b1: 200, head_b: 200 })
	},
	{
		name: 'GET /residents/export?gridId=a1',
		request: (w) => ({ method: 'GET', path: `/residents/export?gridId=${w.fx.grids.a1}` }),
		expect: all(403, { worker_a1: 200, head_a: 200 })
	},
	{
		name: 'GET /audit',
		request: () => ({ method: 'GET', path: '/audit?limit=5' }),
		expect: all(403, { head_a: 200, head_b: 200, admin: 200 })
	},
	{
		name: 'GET /audit?code=community B',
		request: () => ({ method: 'GET', path: '/audit?code=450102001004' }),
		expect: all(403, { head_b: 200, admin: 200 })
	},
	{
		name: 'GET /duplicates',
		request: () => ({ method: 'GET', path: '/duplicates' }),
		expect: all(403, { head_a: 200, head_b: 200, admin: 200 })
	},
	{
		name: 'GET /duplicates?code=community A',
		request: () => ({ method: 'GET', path: '/duplicates?code=450102001003' }),
		expect: all(403, { head_a: 200, admin: 200 })
	},
	{
		name: 'POST /duplicates/:flagA/resolve',
		request: (w) => ({
			method: 'POST',
			path: `/duplicates/${w.flagA}/resolve`,
			body: { action: 'not_duplicate', note: '同名不同人' }
		}),
		// Community A's flag: only its head, tried last because it closes the flag.
		expect: last(403, 'head_a', 200)
	},
	{
		name: 'DELETE /residents/:a2',
		request: (w) => ({
			method: 'DELETE',
			path: `/residents/${w.a2.resident}`,
			body: { reason: '已迁出，本人申请删除' }
		}),
		expect: last(403, 'head_a', 200)
	}
];

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`API matrix (${dialect})`, () => {
		let db: TestStore;
		let app: ReturnType<typeof createApp>;
		let clock = new Date('2026-11-24T08:00:00+08:00');
		const clients = new Map<Who, ApiClient>();
		const world = {} as World;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			world.fx = await seedFixture(db.store);
			app = createApp({
				store: db.store,
				config: { ...loadConfig({}), sessionTtlMs: 3600_000, appDir: 'build' },
				throttle: new LoginThrottle({
					addressFreeFailures: 4,
					addressDelayStepMs: 100,
					addressMaxDelayMs: 300
				}),
				version: 'test',
				now: () => clock,
				log: () => {}
			});
			clients.set('anonymous', new ApiClient(app));
			for (const u of USERS) clients.set(u, await new ApiClient(app).login(u));
			const headA = clients.get('head_a')!;
			world.a1 = await addPerson(headA, world.fx.grids.a1, {
				name: '黄桂英',
				idNumber: SHARED_ID,
				phone: '13877112233'
			});
			world.a2 = await addPerson(headA, world.fx.grids.a2, { name: '韦建国', idNumber: OTHER_ID });
			world.b1 = await addPerson(clients.get('head_b')!, world.fx.grids.b1, {
				name: '黄桂英',
				idNumber: SHARED_ID
			});
			const flags = await db.store.duplicateFlags({ communityCode: '450102001003' });
			world.flagA = flags[0].id;
		});
		afterAll(async () => db.dispose());

		let cases = 0;
		for (const row of ROWS)
			describe(row.name, () => {
				for (const [who, outcome] of Object.entries(row.expect) as [Who, Outcome][]) {
					if (outcome === undefined) continue;
					cases++;
					it(`${who} → ${outcome}`, async () => {
						const client = clients.get(who)!;
						const { method, path, body, push } = row.request(world);
						if (push && who !== 'anonymous') {
							const [result] = await client.push(body as unknown[]);
							expect(result.status).toBe(outcome);
							return;
						}
						const res = await client.request(path, {
							method,
							...(body !== undefined
								? {
										body: JSON.stringify(
											push ? { deviceId: client.deviceId, mutations: body } : body
										)
									}
								: {})
						});
						expect(res.status).toBe(outcome);
						if (outcome === 403)
							expect(((await res.json()) as { error: string }).error).toBe('forbidden');
					});
				}
			});

		it('covers at least 60 role × route cases', () => {
			expect(cases).toBeGreaterThanOrEqual(60);
		});

		it('revokes a device: its requests answer 401 "revoked", other devices keep working', async () => {
			const lost = await new ApiClient(app, 'tablet-lost').login('worker_a1');
			const other = await new ApiClient(app, 'tablet-other').login('worker_a1');
			expect((await lost.request('/sync/pull?limit=1')).status).toBe(200);
			// A head of another community may not revoke it; the head of its community may.
			const denied = await clients.get('head_b')!.request('/devices/tablet-lost/revoke', {
				method: 'POST'
			});
			expect(denied.status).toBe(403);
			const worker = await clients.get('worker_a1')!.request('/devices/tablet-lost/revoke', {
				method: 'POST'
			});
			expect(worker.status).toBe(403);
			const res = await clients.get('head_a')!.request('/devices/tablet-lost/revoke', {
				method: 'POST'
			});
			expect(res.status).toBe(200);
			expect(await res.json()).toEqual({ revokedSessions: 1 });
			const after = await lost.request('/sync/pull?limit=1');
			expect(after.status).toBe(401);
			expect(((await after.json()) as { error: string }).error).toBe('revoked');
			expect((await other.request('/sync/pull?limit=1')).status).toBe(200);
			// Signing in again from the revoked device is refused, even with the right password.
			const again = await app.request('/api/v1/auth/login', {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ username: 'worker_a1', password: PASSWORD, deviceId: 'tablet-lost' })
			});
			expect(again.status).toBe(403);
			expect(((await again.json()) as { error: string }).error).toBe('revoked');
			const [entry] = await db.store.auditEntries({ communityCode: '450102001003', limit: 1 });
			expect(entry).toMatchObject({
				action: 'device_revoked',
				subjectId: 'tablet-lost',
				userId: world.fx.users.head_a.id
			});
		});

		it('expires sessions after their lifetime', async () => {
			const client = await new ApiClient(app).login('head_a');
			expect((await client.request('/audit?limit=1')).status).toBe(200);
			const saved = clock;
			clock = new Date(saved.getTime() + 3600_000 + 1);
			try {
				const res = await client.request('/audit?limit=1');
				expect(res.status).toBe(401);
				expect(((await res.json()) as { error: string }).error).toBe('unauthorized');
			} finally {
				clock = saved;
			}
		});

		it('throttles logins per account, and slows but never blocks per IP address', async () => {
			const login = (username: string, password: string) =>
				app.request('/api/v1/auth/login', {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({ username, password, deviceId: 'd-throttle' })
				});
			for (let i = 0; i < 5; i++) expect((await login('street', `bad-${i}`)).status).toBe(401);
			expect((await login('street', PASSWORD)).status).toBe(429);
			expect((await login('province', PASSWORD)).status).toBe(200);
			// Failures spread over many usernames slow the address (after 4 failures here, by
			// 100 ms each, at most 300 ms) but never block an account without failures of its own.
			for (let i = 0; i < 8; i++) expect((await login(`guess-${i}`, 'x')).status).toBe(401);
			const started = performance.now();
			const slowed = await login('county_other', PASSWORD);
			const took = performance.now() - started;
			expect(slowed.status).toBe(200);
			expect(took).toBeGreaterThanOrEqual(300);
			expect(took).toBeLessThan(2000);
		});
	});
}
