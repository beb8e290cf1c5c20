// The kiosk's server side on both databases: enrolment, the check-in directory (masked names and
// ID tails only, and whether their last help request was handled), no change log for the kiosk,
// and exactly the writes a check-in needs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { ApiClient, foldChanges, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { textWithoutIdsAndTimes } from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const idNumber = (first17: string) => first17 + idCheckChar(first17);
const ELDER_ID = idNumber('45010219400301202');

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`kiosk API (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		let workerA: ApiClient;
		let headA: ApiClient;
		let kiosk: ApiClient;
		let kioskUserId: string;
		let volunteerId: string;
		const household = uuid();
		const elder = uuid();
		const notDaily = uuid();
		const spouse = uuid();
		const neighbours = uuid();
		const neighbour = uuid();
		const otherGrid = uuid();
		const otherGridResident = uuid();
		const village = uuid();
		const villager = uuid();
		let helpRequest: string;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			app = testApp(db.store);
			workerA = await new ApiClient(app).login('worker_a1');
			headA = await new ApiClient(app).login('head_a');
			const volunteer = await db.store.createUser({
				username: 'volunteer_a',
				role: 'volunteer',
				scope: ['450102001003'],
				passwordHash: await hashPassword(PASSWORD),
				displayName: '志愿者小李'
			});
			volunteerId = volunteer.id;
			const results = await workerA.push([
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: household,
					fields: { gridId: fx.grids.a1, address: '民生路8号1栋2单元302室' }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: elder,
					fields: {
						householdId: household,
						name: '黄桂英',
						idNumber: ELDER_ID,
						phone: '13877112233',
						birthYear: 1940,
						dailyCheckIn: true
					}
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: notDaily,
					fields: { householdId: household, name: '李明', dailyCheckIn: false }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: spouse,
					fields: { householdId: household, name: '王建国', dailyCheckIn: true }
				},
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: neighbours,
					fields: { gridId: fx.grids.a1, address: '民生路8号1栋303室' }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: neighbour,
					fields: { householdId: neighbours, name: '陈秀兰' }
				}
			]);
			expect(results.every((r) => r.status === 'applied')).toBe(true);
			const elsewhere = await headA.push([
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: otherGrid,
					fields: { gridId: fx.grids.a2, address: '民生路9号2栋101室' }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: otherGridResident,
					fields: { householdId: otherGrid, name: '刘志强' }
				},
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: village,
					fields: { gridId: fx.grids.a2, address: '兴宁村第三村民小组12号' }
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: villager,
					fields: { householdId: village, name: '韦秀英', dailyCheckIn: true }
				}
			]);
			expect(elsewhere.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'applied']);
		});
		afterAll(async () => db.dispose());

		const enrol = (client: ApiClient, body: Record<string, unknown>) =>
			client.request('/kiosks', { method: 'POST', body: JSON.stringify(body) });

		it('enrols a kiosk for the community head and answers a long-lived kiosk session', async () => {
			const deviceId = headA.deviceId;
			const res = await enrol(headA, { communityCode: '450102001003', deviceId, name: '服务中心' });
			expect(res.status).toBe(201);
			const body = (await res.json()) as {
				token: string;
				expiresAt: string;
				deviceKey: string;
				user: { id: string; role: string; scope: string[]; displayName: string };
			};
			expect(body.user).toMatchObject({
				role: 'kiosk',
				scope: ['450102001003'],
				displayName: '服务中心'
			});
			expect(new Date(body.expiresAt).getTime() - Date.now()).toBeGreaterThan(300 * 86_400_000);
			// The answer has the shape of a sign-in, device key included (the app parses it as one).
			expect(Buffer.from(body.deviceKey, 'base64')).toHaveLength(32);
			kioskUserId = body.user.id;
			kiosk = new ApiClient(app, deviceId).withToken(body.token);
			const audit = await db.store.auditEntries({ communityCode: '450102001003', limit: 10 });
			expect(audit.some((a) => a.action === 'kiosk.enrol')).toBe(true);
		});

		it('refuses enrolment by others, outside scope, and with bad input naming the field', async () => {
			expect((await enrol(workerA, { communityCode: '450102001003', deviceId: 'd' })).status).toBe(
				403
			);
			expect((await enrol(headA, { communityCode: '450102001004', deviceId: 'd' })).status).toBe(
				403
			);
			const bad = await enrol(headA, { communityCode: '4501', deviceId: 'd' });
			expect(bad.status).toBe(400);
			expect(((await bad.json()) as { field: string }).field).toBe('communityCode');
		});

		it('gives the kiosk masked names and ID tails of daily check-in residents only', async () => {
			const res = await kiosk.request('/kiosk/directory');
			expect(res.status).toBe(200);
			const body = (await res.json()) as {
				communityCode: string;
				residents: Record<string, unknown>[];
			};
			expect(body.communityCode).toBe('450102001003');
			expect(body.residents.map((r) => r.residentId).sort()).toEqual(
				[elder, spouse, villager].sort()
			);
			expect(body.residents.find((r) => r.residentId === elder)).toEqual({
				residentId: elder,
				householdId: household,
				gridId: fx.grids.a1,
				maskedName: '黄*英',
				idTail: ELDER_ID.slice(-4),
				birthYear: 1940,
				addressHint: '1栋2单元',
				lastHelp: null
			});
			// No birth year recorded; a village address says nothing (a house number may be anywhere).
			expect(body.residents.find((r) => r.residentId === spouse)).toMatchObject({
				birthYear: null,
				addressHint: '1栋2单元'
			});
			expect(body.residents.find((r) => r.residentId === villager)).toMatchObject({
				addressHint: null
			});
			const text = textWithoutIdsAndTimes(body);
			expect(text).not.toContain(ELDER_ID);
			expect(text).not.toContain('13877112233');
			expect(text).not.toContain('黄桂英');
			// Neither the room, nor the estate, nor the village's house number.
			expect(text).not.toContain('302');
			expect(text).not.toContain('室');
			expect(text).not.toContain('民生路');
			expect(text).not.toContain('村民小组');
			expect((await workerA.request('/kiosk/directory')).status).toBe(403);
		});

		it('gives the kiosk no change log and no field history', async () => {
			expect((await kiosk.request('/sync/pull?limit=10')).status).toBe(403);
			expect((await kiosk.request(`/history/residents/${elder}`)).status).toBe(403);
		});

		it('takes a check-in and its help request in one batch; the worker and head pull both', async () => {
			const checkin = uuid();
			const incident = uuid();
			helpRequest = incident;
			const results = await kiosk.push([
				{
					id: uuid(),
					table: 'checkins',
					op: 'insert',
					rowId: checkin,
					fields: {
						residentId: elder,
						at: new Date().toISOString(),
						status: 'need_help',
						channel: 'kiosk',
						needs: ['medicine']
					}
				},
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: incident,
					fields: {
						gridId: fx.grids.a1,
						householdId: household,
						residentId: elder,
						category: 'help_request',
						severity: 'high',
						description: '签到求助：买药',
						status: 'reported'
					}
				}
			]);
			expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
			for (const client of [workerA, headA]) {
				const rows = foldChanges((await client.pullAll()).changes);
				expect(rows.get(checkin)).toMatchObject({ status: 'need_help', channel: 'kiosk' });
				expect(rows.get(incident)).toMatchObject({
					category: 'help_request',
					status: 'reported',
					residentId: elder
				});
			}
		});

		it('refuses an incident naming a resident outside its grid or household', async () => {
			const incident = (fields: Record<string, unknown>) => ({
				id: uuid(),
				table: 'incidents',
				op: 'insert',
				rowId: uuid(),
				fields: {
					gridId: fx.grids.a1,
					category: 'health',
					severity: 'medium',
					description: '签到：身体不舒服',
					status: 'reported',
					...fields
				}
			});
			const results = await kiosk.push([
				incident({ residentId: otherGridResident }),
				incident({ householdId: household, residentId: neighbour }),
				incident({ residentId: uuid() }),
				incident({ householdId: neighbours, residentId: neighbour })
			]);
			expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected', 'applied']);
			expect(results[0].reason).toBe('fields.residentId: resident is not in this grid');
			expect(results[1].reason).toBe('fields.residentId: not a member of this household');
			expect(results[2].reason).toBe('fields.residentId: no such resident');
		});

		it('tells the kiosk once the resident’s last help request is handled, and only theirs', async () => {
			type Entry = { residentId: string; lastHelp: { status: string; at: string } | null };
			const directory = async () => {
				const res = await kiosk.request('/kiosk/directory');
				expect(res.status).toBe(200);
				const text = await res.text();
				// Nothing of the request itself: not what was asked, not who handled it.
				expect(text).not.toContain('买药');
				expect(text).not.toContain(fx.users.head_a.id);
				const entries = (JSON.parse(text) as { residents: Entry[] }).residents;
				return new Map(entries.map((e) => [e.residentId, e.lastHelp]));
			};
			const move = async (to: string) => {
				const res = await headA.request(`/incidents/${helpRequest}/transition`, {
					method: 'POST',
					body: JSON.stringify({ to })
				});
				expect(res.status).toBe(200);
			};
			// Open: nothing to tell yet, however far it has gone.
			expect((await directory()).get(elder)).toBeNull();
			await move('accepted');
			await move('in_progress');
			expect((await directory()).get(elder)).toBeNull();
			const before = Date.now();
			await move('resolved');
			const after = Date.now();
			const resolved = (await directory()).get(elder);
			expect(resolved?.status).toBe('resolved');
			const at = new Date(resolved?.at ?? '').getTime();
			expect(at).toBeGreaterThanOrEqual(before - 1000);
			expect(at).toBeLessThanOrEqual(after + 1000);
			await move('verified');
			await move('closed');
			const closed = await directory();
			expect(closed.get(elder)?.status).toBe('closed');
			// The spouse shares the household, not the request.
			expect(closed.get(spouse)).toBeNull();
			// A new request is the last one: open again, nothing to tell until it is handled.
			const again = await kiosk.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: uuid(),
					fields: {
						gridId: fx.grids.a1,
						householdId: household,
						residentId: elder,
						category: 'health',
						severity: 'medium',
						description: '签到：身体不舒服',
						status: 'reported'
					}
				}
			]);
			expect(again[0].status).toBe('applied');
			expect((await directory()).get(elder)).toBeNull();
		});

		it('refuses every other write from a kiosk', async () => {
			const results = await kiosk.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: uuid(),
					fields: {
						gridId: fx.grids.a1,
						category: 'dispute',
						severity: 'low',
						description: '邻里纠纷',
						status: 'reported'
					}
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'update',
					rowId: elder,
					baseVersion: 1,
					fields: { phone: '13900000000' }
				},
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: uuid(),
					fields: { gridId: fx.grids.a1, address: '新地址' }
				}
			]);
			expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
			expect(results[0].reason).toMatch(/^table:/);
		});

		it('records who assisted: a helper of the community, named by the kiosk', async () => {
			const assisted = (assistedBy?: string) => ({
				id: uuid(),
				table: 'checkins',
				op: 'insert',
				rowId: uuid(),
				fields: {
					residentId: elder,
					at: new Date().toISOString(),
					status: 'fine',
					channel: 'assisted',
					...(assistedBy ? { assistedBy } : {})
				}
			});
			const ok = assisted(volunteerId);
			const results = await kiosk.push([
				ok,
				assisted(),
				assisted(fx.users.worker_b1.id),
				assisted(fx.users.street.id)
			]);
			expect(results.map((r) => r.status)).toEqual(['applied', 'rejected', 'rejected', 'rejected']);
			expect(results[1].reason).toMatch(/^fields\.assistedBy:/);
			const rows = foldChanges((await workerA.pullAll()).changes);
			expect(rows.get(ok.rowId)).toMatchObject({
				channel: 'assisted',
				assistedBy: volunteerId,
				recordedBy: kioskUserId
			});
			const fine = await workerA.push([
				{
					...assisted(),
					fields: { ...assisted().fields, channel: 'kiosk', assistedBy: volunteerId }
				}
			]);
			expect(fine[0]).toMatchObject({ status: 'rejected' });
		});
	});
}
