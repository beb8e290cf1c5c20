// The supervisors' API over HTTP on both databases: the roll-up of a node and its children,
// scope, counts only above the community, trend, the community's grid table, settings, rounds,
// the incident closed loop with its history, escalation, alerts and the xlsx export.
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInZone } from '../../src/lib/domain/day';
import { runSupervisionJobs } from '../../server/rollup/jobs';
import { escalateOverdue } from '../../server/rollup/incidents';
import { evaluateAlerts } from '../../server/rollup/alerts';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const TZ = 'Asia/Shanghai';
const COMMUNITY_A = '450102001003';
const COMMUNITY_B = '450102001004';

type Json = Record<string, unknown>;
type Metrics = Record<string, number>;
interface RollupBody {
	code: string;
	name: string;
	level: string;
	asOf: string;
	metrics: Metrics;
	children: { code: string; name: string; level: string; metrics: Metrics }[];
}

/** Personal data that must never appear above the community. */
const PERSONAL = [/黄桂英|李建国/, /民生路/, /1[3-9]\d{9}/, /\d{17}[\dX]/];

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`supervision API (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let clock = new Date();
		let worker: ApiClient;
		let workerB: ApiClient;
		let head: ApiClient;
		let headB: ApiClient;
		let street: ApiClient;
		let province: ApiClient;
		let countyOther: ApiClient;
		const today = () => dayInZone(clock, TZ);
		const household = uuid();
		const household2 = uuid();
		const householdB = uuid();
		const resident = uuid();
		const resident2 = uuid();
		const residentB = uuid();

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store, () => clock);
			worker = await new ApiClient(app).login('worker_a1');
			workerB = await new ApiClient(app).login('worker_b1');
			head = await new ApiClient(app).login('head_a');
			headB = await new ApiClient(app).login('head_b');
			street = await new ApiClient(app).login('street');
			province = await new ApiClient(app).login('province');
			countyOther = await new ApiClient(app).login('county_other');
			const ok = (results: { status: string; reason?: string }[]) =>
				expect(results.map((r) => r.reason ?? r.status)).toEqual(results.map(() => 'applied'));
			ok(
				await worker.push([
					ins('households', household, {
						gridId: fx.grids.a1,
						address: '民生路8号1栋2单元302室'
					}),
					ins('households', household2, { gridId: fx.grids.a1, address: '民生路8号1栋2单元303室' }),
					ins('residents', resident, {
						householdId: household,
						name: '黄桂英',
						phone: '13877112233',
						dailyCheckIn: true
					}),
					ins('residents', resident2, {
						householdId: household2,
						name: '李建国',
						dailyCheckIn: true
					})
				])
			);
			ok(
				await workerB.push([
					ins('households', householdB, { gridId: fx.grids.b1, address: '民生路9号' }),
					ins('residents', residentB, {
						householdId: householdB,
						name: '黄桂英',
						dailyCheckIn: true
					})
				])
			);
		});
		afterAll(async () => db.dispose());

		const ins = (table: string, rowId: string, fields: Json) => ({
			id: uuid(),
			table,
			op: 'insert',
			rowId,
			fields
		});
		const get = async <T = Json>(client: ApiClient, path: string, status = 200): Promise<T> => {
			const res = await client.request(path);
			const text = await res.text();
			expect(res.status, `${path}: ${text}`).toBe(status);
			return JSON.parse(text) as T;
		};
		const send = async <T = Json>(
			client: ApiClient,
			method: string,
			path: string,
			body: unknown,
			status = 200
		): Promise<T> => {
			const res = await client.request(path, { method, body: JSON.stringify(body) });
			const text = await res.text();
			expect(res.status, `${method} ${path}: ${text}`).toBe(status);
			return JSON.parse(text) as T;
		};

		it('reflects an acknowledged push at the province immediately, with its children', async () => {
			const before = await get<RollupBody>(province, '/rollup/45');
			expect(before.metrics.households).toBe(3);
			expect(before.metrics.visits).toBe(0);
			const results = await worker.push([
				ins('visits', uuid(), {
					householdId: household,
					visitedAt: clock.toISOString(),
					outcome: 'visited',
					checks: [{ residentId: resident, temperature: 38.2 }]
				}),
				ins('visits', uuid(), {
					householdId: household,
					visitedAt: clock.toISOString(),
					outcome: 'visited',
					checks: [{ residentId: resident, symptoms: ['cough'] }]
				}),
				ins('checkins', uuid(), {
					residentId: resident,
					at: clock.toISOString(),
					status: 'fine',
					channel: 'worker'
				})
			]);
			expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
			const after = await get<RollupBody>(province, '/rollup/45');
			expect(after).toMatchObject({ code: '45', name: '广西壮族自治区', level: 'province' });
			expect(after.metrics).toEqual({
				households: 3,
				visitedHouseholds: 1,
				visits: 2,
				abnormalResidents: 1,
				openIncidents: 0,
				overdueIncidents: 0,
				checkinsExpected: 3,
				checkinsDone: 1,
				missedCheckins: 2
			});
			expect(after.children.map((c) => [c.code, c.level, c.metrics.visits])).toEqual([
				['4501', 'city', 2]
			]);
			const community = await get<RollupBody>(head, `/rollup/${COMMUNITY_A}`);
			expect(community.children.map((c) => [c.name, c.level, c.metrics.households])).toEqual([
				['第一网格', 'grid', 2],
				['第二网格', 'grid', 0]
			]);
			const street9 = await get<RollupBody>(street, '/rollup/450102001');
			expect(street9.children.map((c) => [c.code, c.metrics.households])).toEqual([
				[COMMUNITY_A, 2],
				[COMMUNITY_B, 1]
			]);
			const grid = await get<RollupBody>(worker, `/rollup/${fx.grids.a1}`);
			expect(grid).toMatchObject({ level: 'grid', children: [] });
			expect(grid.metrics.visitedHouseholds).toBe(1);
			// A day with nothing recorded.
			const empty = await get<RollupBody>(province, '/rollup/45?date=2020-01-01');
			expect(empty.metrics.visits).toBe(0);
			expect(empty.metrics.households).toBe(3);
		});

		it('answers 403 outside the scope, 404 for unknown nodes and 400 for bad dates', async () => {
			await get(street, '/rollup/45', 403);
			await get(countyOther, `/rollup/${COMMUNITY_A}`, 403);
			await get(headB, `/rollup/${COMMUNITY_A}`, 403);
			await get(workerB, `/rollup/${fx.grids.a1}`, 403);
			await get(province, '/rollup/4599', 404);
			const bad = await get<Json>(province, '/rollup/45?date=2026-13-01', 400);
			expect(bad.field).toBe('date');
			await get(street, '/rollup/45/trend', 403);
		});

		it('carries counts only above the community', async () => {
			for (const [client, path] of [
				[province, '/rollup/45'],
				[province, '/rollup/4501/trend?days=3'],
				[street, '/rollup/450102001'],
				[street, `/rollup/${COMMUNITY_A}`],
				[street, '/incidents?code=450102001&status=all'],
				[province, '/alerts?code=45']
			] as const) {
				const text = await (await client.request(path)).text();
				for (const pattern of PERSONAL) expect(text, path).not.toMatch(pattern);
			}
		});

		it('gives a trend of the last N days, oldest first, zeros for empty days', async () => {
			const trend = await get<{ code: string; days: { date: string; metrics: Metrics }[] }>(
				province,
				'/rollup/45/trend?days=14'
			);
			expect(trend.days).toHaveLength(14);
			expect(trend.days[13].date).toBe(today());
			expect(trend.days[13].metrics.visits).toBe(2);
			expect(trend.days[0].metrics.visits).toBe(0);
			expect(trend.days.map((d) => d.date)).toEqual([...trend.days.map((d) => d.date)].sort());
			await get(province, '/rollup/45/trend?days=0', 400);
		});

		it("shows the community's grid table with each worker's last sync", async () => {
			const table = await get<{
				code: string;
				date: string;
				round: unknown;
				grids: {
					id: string;
					name: string;
					metrics: Metrics;
					roundMetrics: Metrics | null;
					workers: { username: string; lastSyncAt: string | null }[];
				}[];
			}>(head, `/communities/${COMMUNITY_A}/grids`);
			expect(table.date).toBe(today());
			expect(table.grids.map((g) => g.name)).toEqual(['第一网格', '第二网格']);
			const a1 = table.grids[0];
			expect(a1.metrics.visits).toBe(2);
			expect(a1.workers.map((w) => w.username)).toEqual(['worker_a1']);
			expect(Date.parse(a1.workers[0].lastSyncAt!)).toBeGreaterThan(0);
			expect(table.grids[1].workers).toEqual([]);
			await get(street, `/communities/${COMMUNITY_A}/grids`, 403);
			await get(headB, `/communities/${COMMUNITY_A}/grids`, 403);
		});

		it('validates community settings and keeps them', async () => {
			const defaults = await get<Json>(head, `/communities/${COMMUNITY_A}/settings`);
			expect(defaults.checkinCutoff).toBe('10:00');
			const bad = await send<Json>(
				head,
				'PUT',
				`/communities/${COMMUNITY_A}/settings`,
				{
					checkinCutoff: '25:00',
					thresholds: { abnormalResidents: 1, missedCheckins: 1, coverageBehindPct: 10 }
				},
				400
			);
			expect(bad.field).toBe('checkinCutoff');
			const bad2 = await send<Json>(
				head,
				'PUT',
				`/communities/${COMMUNITY_A}/settings`,
				{
					checkinCutoff: '09:00',
					thresholds: { abnormalResidents: 0, missedCheckins: 1, coverageBehindPct: 10 }
				},
				400
			);
			expect(bad2.field).toBe('thresholds.abnormalResidents');
			const good = {
				checkinCutoff: '00:00',
				thresholds: { abnormalResidents: 1, missedCheckins: 1, coverageBehindPct: 10 }
			};
			await send(street, 'PUT', `/communities/${COMMUNITY_A}/settings`, good, 403);
			expect(await send(head, 'PUT', `/communities/${COMMUNITY_A}/settings`, good)).toEqual(good);
			expect(await get(head, `/communities/${COMMUNITY_A}/settings`)).toEqual(good);
		});
	});
}
