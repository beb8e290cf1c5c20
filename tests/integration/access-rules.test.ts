// Who may act for which device and session, on both databases: a push and a kiosk enrolment are
// the session's device's; a community head revokes only their community's people's devices;
// signing out ends the session on the server; kiosks and volunteers stay out of the staff's views;
// answers carrying personal data are never cached.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { addPerson, SHARED_ID, type Person } from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const COMMUNITY_A = '450102001003';

const householdInsert = (gridId: string) => ({
	id: uuid(),
	table: 'households',
	op: 'insert',
	rowId: uuid(),
	fields: { gridId, address: '朝阳路1号' }
});

async function errorOf(res: Response): Promise<{ error: string; field?: string; message: string }> {
	return (await res.json()) as { error: string; field?: string; message: string };
}

interface World {
	fx: Fixture;
	person: Person;
	incident: string;
	flag: string;
}

/** Every route family of the staff's views, with a request a kiosk or volunteer might make. */
const STAFF_ROUTES: {
	name: string;
	request: (w: World) => { method: string; path: string; body?: unknown };
	/** The status the community's head gets: the route exists and the request is well-formed. */
	head?: number;
}[] = [
	{
		name: 'roll-up',
		request: () => ({ method: 'GET', path: `/rollup/${COMMUNITY_A}` }),
		head: 200
	},
	{
		name: 'trend',
		request: () => ({ method: 'GET', path: `/rollup/${COMMUNITY_A}/trend` }),
		head: 200
	},
	{
		name: 'grid table',
		request: () => ({ method: 'GET', path: `/communities/${COMMUNITY_A}/grids` }),
		head: 200
	},
	{
		name: 'settings',
		request: () => ({ method: 'GET', path: `/communities/${COMMUNITY_A}/settings` }),
		head: 200
	},
	{
		name: 'settings change',
		request: () => ({
			method: 'PUT',
			path: `/communities/${COMMUNITY_A}/settings`,
			body: {
				checkinCutoff: '09:00',
				thresholds: { abnormalResidents: 1, missedCheckins: 1, coverageBehindPct: 10 }
			}
		})
	},
	{
		name: 'daily summary',
		request: () => ({ method: 'GET', path: `/communities/${COMMUNITY_A}/summary.xlsx` }),
		head: 200
	},
	{
		name: "street's daily summary",
		// Above the head's community: refused to them as well.
		request: () => ({ method: 'GET', path: '/divisions/450102001/summary.xlsx' }),
		head: 403
	},
	{
		name: 'rounds',
		request: () => ({ method: 'GET', path: `/rounds?code=${COMMUNITY_A}` }),
		head: 200
	},
	{
		name: 'new round',
		request: () => ({
			method: 'POST',
			path: '/rounds',
			body: {
				divisionCode: COMMUNITY_A,
				name: '自查',
				startDate: '2026-11-24',
				dueDate: '2026-11-30'
			}
		})
	},
	{
		name: 'incident queue',
		request: () => ({ method: 'GET', path: `/incidents?code=${COMMUNITY_A}` }),
		head: 200
	},
	{
		name: 'incident',
		request: (w) => ({ method: 'GET', path: `/incidents/${w.incident}` }),
		head: 200
	},
	{
		name: 'incident transition',
		request: (w) => ({
			method: 'POST',
			path: `/incidents/${w.incident}/transition`,
			body: { to: 'dispatched', baseVersion: 1 }
		})
	},
	{
		name: 'alerts',
		request: () => ({ method: 'GET', path: `/alerts?code=${COMMUNITY_A}` }),
		head: 200
	},
	{
		name: 'alert acknowledgement',
		request: () => ({ method: 'POST', path: `/alerts/${uuid()}/ack` })
	},
	{ name: 'audit', request: () => ({ method: 'GET', path: '/audit?limit=5' }), head: 200 },
	{ name: 'duplicates', request: () => ({ method: 'GET', path: '/duplicates' }), head: 200 },
	{
		name: 'duplicate resolution',
		request: (w) => ({
			method: 'POST',
			path: `/duplicates/${w.flag}/resolve`,
			body: { action: 'not_duplicate', note: '同名不同人' }
		})
	},
	{
		name: 'residents export',
		request: (w) => ({ method: 'GET', path: `/residents/export?gridId=${w.fx.grids.a1}` }),
		head: 200
	}
];

/** Routes whose answers carry personal data, with the caller that gets a 200. */
const PERSONAL_ROUTES: {
	name: string;
	who: 'worker' | 'head' | 'kiosk';
	request: (w: World) => { method: string; path: string; body?: unknown };
}[] = [
	{ name: 'pull', who: 'worker', request: () => ({ method: 'GET', path: '/sync/pull?limit=5' }) },
	{
		name: 'field history',
		who: 'worker',
		request: (w) => ({ method: 'GET', path: `/history/residents/${w.person.resident}` })
	},
	{
		name: 'incident queue',
		who: 'head',
		request: () => ({ method: 'GET', path: `/incidents?code=${COMMUNITY_A}` })
	},
	{
		name: 'incident',
		who: 'head',
		request: (w) => ({ method: 'GET', path: `/incidents/${w.incident}` })
	},
	{
		name: 'unmask',
		who: 'worker',
		request: (w) => ({
			method: 'POST',
			path: `/residents/${w.person.resident}/unmask`,
			body: { field: 'phone', reason: 'contact_resident' }
		})
	},
	{
		name: 'residents export',
		who: 'worker',
		request: (w) => ({ method: 'GET', path: `/residents/export?gridId=${w.fx.grids.a1}` })
	},
	{ name: 'audit', who: 'head', request: () => ({ method: 'GET', path: '/audit?limit=5' }) },
	{
		name: 'kiosk directory',
		who: 'kiosk',
		request: () => ({ method: 'GET', path: '/kiosk/directory' })
	},
	{ name: 'duplicates', who: 'head', request: () => ({ method: 'GET', path: '/duplicates' }) }
];

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`access rules (${dialect})`, () => {
		let db: TestStore;
		let app: TestApp;
		const clock = new Date('2026-11-24T08:00:00+08:00');
		const world = {} as World;
		let worker: ApiClient;
		let head: ApiClient;
		let admin: ApiClient;
		let kiosk: ApiClient;
		let volunteer: ApiClient;

		const send = (
			client: ApiClient,
			{ method, path, body }: { method: string; path: string; body?: unknown }
		) =>
			client.request(path, {
				method,
				...(body !== undefined ? { body: JSON.stringify(body) } : {})
			});

		beforeAll(async () => {
			db = await openTestStore(dialect);
			world.fx = await seedFixture(db.store);
			app = testApp(db.store, () => clock);
			await db.store.createUser({
				username: 'volunteer_a',
				role: 'volunteer',
				scope: [COMMUNITY_A],
				passwordHash: await hashPassword(PASSWORD),
				displayName: null
			});
			worker = await new ApiClient(app).login('worker_a1');
			head = await new ApiClient(app).login('head_a');
			admin = await new ApiClient(app).login('admin');
			kiosk = await new ApiClient(app).login('kiosk_a');
			volunteer = await new ApiClient(app).login('volunteer_a');
			world.person = await addPerson(worker, world.fx.grids.a1, {
				name: '黄桂英',
				idNumber: SHARED_ID,
				phone: '13877112233',
				dailyCheckIn: true
			});
			// The same ID number in another grid of the community: a duplicate flag.
			await addPerson(head, world.fx.grids.a2, { name: '黄桂英', idNumber: SHARED_ID });
			world.flag = (await db.store.duplicateFlags({ communityCode: COMMUNITY_A }))[0].id;
			world.incident = uuid();
			const [raised] = await worker.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: world.incident,
					fields: {
						gridId: world.fx.grids.a1,
						householdId: world.person.household,
						category: 'safety',
						severity: 'urgent',
						description: '燃气泄漏',
						status: 'reported'
					}
				}
			]);
			expect(raised.status).toBe('applied');
		});
		afterAll(async () => db.dispose());

		describe('push', () => {
			it('refuses a batch naming another device, and applies none of it', async () => {
				const mutation = householdInsert(world.fx.grids.a1);
				const res = await worker.request('/sync/push', {
					method: 'POST',
					body: JSON.stringify({ deviceId: 'someone-elses-tablet', mutations: [mutation] })
				});
				expect(res.status).toBe(400);
				expect(await errorOf(res)).toMatchObject({ error: 'invalid_input', field: 'deviceId' });
				const { changes } = await worker.pullAll();
				expect(changes.some((c) => c.rowId === mutation.rowId)).toBe(false);
				// The same mutation from the session's own device is new to the server: applied.
				const [result] = await worker.push([mutation]);
				expect(result.status).toBe('applied');
			});
		});

		describe('device revocation by a community head', () => {
			const revoke = (client: ApiClient, deviceId: string) =>
				client.request(`/devices/${deviceId}/revoke`, { method: 'POST' });
			const onDevice = (deviceId: string, username: string) =>
				new ApiClient(app, deviceId).login(username);

			it("refuses an administrator's, an officer's and another community's devices", async () => {
				await onDevice('tab-admin', 'admin');
				const street = await onDevice('tab-street', 'street');
				await onDevice('tab-province', 'province');
				await onDevice('tab-worker-b', 'worker_b1');
				// A tablet shared by the community's worker and an officer above the community.
				await onDevice('tab-shared', 'worker_a1');
				await onDevice('tab-shared', 'street');
				for (const device of [
					'tab-admin',
					'tab-street',
					'tab-province',
					'tab-worker-b',
					'tab-shared'
				]) {
					const res = await revoke(head, device);
					expect(res.status, device).toBe(403);
					expect((await errorOf(res)).error).toBe('forbidden');
					expect(await db.store.deviceRevoked(device)).toBe(false);
				}
				// Nothing was revoked: the officer's tablet still works.
				expect((await street.request(`/rollup/${COMMUNITY_A}`)).status).toBe(200);
			});

			it("revokes their own worker's device; an administrator revokes any", async () => {
				await onDevice('tab-worker-a', 'worker_a1');
				expect((await revoke(head, 'tab-worker-a')).status).toBe(200);
				expect(await db.store.deviceRevoked('tab-worker-a')).toBe(true);
				for (const device of ['tab-admin', 'tab-street', 'tab-worker-b', 'tab-shared']) {
					const res = await revoke(admin, device);
					expect(res.status, device).toBe(200);
					expect(await db.store.deviceRevoked(device)).toBe(true);
				}
			});
		});

		describe('sign-out', () => {
			const logout = (client: ApiClient) => client.request('/auth/logout', { method: 'POST' });
			const revoke = (client: ApiClient, deviceId: string) =>
				client.request(`/devices/${deviceId}/revoke`, { method: 'POST' });

			it('ends the session: the token then answers 401 "unauthorized", not "revoked"', async () => {
				const tablet = await new ApiClient(app).login('worker_a1');
				const other = await new ApiClient(app).login('worker_a1');
				expect((await tablet.request('/sync/pull?limit=1')).status).toBe(200);
				const res = await logout(tablet);
				expect(res.status).toBe(204);
				expect(await res.text()).toBe('');
				const after = await tablet.request('/sync/pull?limit=1');
				expect(after.status).toBe(401);
				expect((await errorOf(after)).error).toBe('unauthorized');
				const again = await logout(tablet);
				expect(again.status).toBe(401);
				expect((await errorOf(again)).error).toBe('unauthorized');
				// Only that session ends: the same user on another device keeps working.
				expect((await other.request('/sync/pull?limit=1')).status).toBe(200);
			});

			it('needs a token, and leaves the device revocable after it', async () => {
				expect((await new ApiClient(app).request('/auth/logout', { method: 'POST' })).status).toBe(
					401
				);
				const tablet = await new ApiClient(app, 'tab-signed-out').login('worker_a1');
				expect((await logout(tablet)).status).toBe(204);
				// The ended session still tells whose device it was: its head may revoke it.
				expect((await revoke(head, 'tab-signed-out')).status).toBe(200);
				expect(await db.store.deviceRevoked('tab-signed-out')).toBe(true);
			});
		});

		describe("kiosks and volunteers stay out of the staff's views", () => {
			for (const route of STAFF_ROUTES)
				it(`${route.name}: 403 to a kiosk and a volunteer`, async () => {
					const exportsBefore = (
						await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 1000 })
					).filter((e) => e.action === 'export').length;
					for (const client of [kiosk, volunteer]) {
						const res = await send(client, route.request(world));
						expect(res.status).toBe(403);
						expect((await errorOf(res)).error).toBe('forbidden');
					}
					const exportsAfter = (
						await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 1000 })
					).filter((e) => e.action === 'export').length;
					expect(exportsAfter).toBe(exportsBefore);
					if (route.head !== undefined)
						expect((await send(head, route.request(world))).status).toBe(route.head);
				});

			it('keeps what the kiosk itself needs: its directory and check-ins', async () => {
				expect((await kiosk.request('/kiosk/directory')).status).toBe(200);
				expect((await volunteer.request('/kiosk/directory')).status).toBe(200);
				const [result] = await kiosk.push([
					{
						id: uuid(),
						table: 'checkins',
						op: 'insert',
						rowId: uuid(),
						fields: {
							residentId: world.person.resident,
							status: 'fine',
							channel: 'kiosk',
							at: clock.toISOString()
						}
					}
				]);
				expect(result.status).toBe('applied');
			});
		});

		describe('kiosk enrolment', () => {
			const enrol = (client: ApiClient, deviceId: string) =>
				client.request('/kiosks', {
					method: 'POST',
					body: JSON.stringify({ communityCode: COMMUNITY_A, deviceId })
				});
			const kioskUsers = async () =>
				(await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 1000 })).filter(
					(e) => e.action === 'kiosk.enrol'
				).length;

			it("refuses a deviceId other than the session's device", async () => {
				const enroller = await new ApiClient(app, 'kiosk-tablet-1').login('head_a');
				const before = await kioskUsers();
				const res = await enrol(enroller, 'kiosk-tablet-2');
				expect(res.status).toBe(400);
				expect(await errorOf(res)).toMatchObject({ error: 'invalid_input', field: 'deviceId' });
				expect(await kioskUsers()).toBe(before);
				const ok = await enrol(enroller, 'kiosk-tablet-1');
				expect(ok.status).toBe(201);
				expect(await kioskUsers()).toBe(before + 1);
			});

			it('refuses a revoked device like a sign-in from it', async () => {
				const enroller = await new ApiClient(app, 'kiosk-tablet-lost').login('head_a');
				// Revoked after the enroller signed in (the device list, not this session).
				await db.store.markDeviceRevoked('kiosk-tablet-lost', clock);
				const before = await kioskUsers();
				const res = await enrol(enroller, 'kiosk-tablet-lost');
				expect(res.status).toBe(403);
				expect((await errorOf(res)).error).toBe('revoked');
				expect(await kioskUsers()).toBe(before);
				const login = await app.request('/api/v1/auth/login', {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: JSON.stringify({
						username: 'head_a',
						password: PASSWORD,
						deviceId: 'kiosk-tablet-lost'
					})
				});
				expect(login.status).toBe(403);
				expect((await errorOf(login)).error).toBe('revoked');
			});
		});

		describe('personal data is never cached', () => {
			for (const route of PERSONAL_ROUTES)
				it(`${route.name}: Cache-Control no-store`, async () => {
					const client = { worker, head, kiosk }[route.who];
					const res = await send(client, route.request(world));
					expect(res.status).toBe(200);
					expect(res.headers.get('cache-control')).toBe('no-store');
				});

			it('leaves other answers to the default', async () => {
				const res = await head.request(`/rollup/${COMMUNITY_A}`);
				expect(res.status).toBe(200);
				expect(res.headers.get('cache-control')).toBeNull();
			});
		});
	});
}
