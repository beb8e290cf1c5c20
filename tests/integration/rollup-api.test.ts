// The supervisors' API over HTTP on both databases: the roll-up of a node and its children,
// scope, counts only above the community, trend, the community's grid table, settings, rounds,
// the incident closed loop with its history, escalation, alerts and the xlsx export.
import ExcelJS from 'exceljs';
import { DEFAULT_VISIT_FREQUENCY } from '../../src/lib/domain/care';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayInZone } from '../../src/lib/domain/day';
import { runSupervisionJobs } from '../../server/supervision/jobs';
import { escalateOverdue } from '../../server/supervision/incidents';
import { evaluateAlerts } from '../../server/supervision/alerts';
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
const PERSONAL = [
	/黄桂英|李建国/,
	/民生路/,
	/(?<![\w-])1[3-9]\d{9}(?![\w-])/,
	/(?<![\w-])\d{17}[\dX](?![\w-])/
];

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
				missedCheckins: 2,
				// The abnormal finding makes its household due tomorrow; none is due today.
				visitsDue: 0,
				visitsOverdue: 0
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
			// A day with nothing recorded, before any household was registered.
			const empty = await get<RollupBody>(province, '/rollup/45?date=2020-01-01');
			expect(empty.metrics.visits).toBe(0);
			expect(empty.metrics.households).toBe(0);
			expect(empty.metrics.checkinsExpected).toBe(0);
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
			// The community's grid workers read the settings (their follow-ups' cut-off); others not.
			expect(await get<Json>(worker, `/communities/${COMMUNITY_A}/settings`)).toEqual(defaults);
			await get(workerB, `/communities/${COMMUNITY_A}/settings`, 403);
			await send(worker, 'PUT', `/communities/${COMMUNITY_A}/settings`, defaults, 403);
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
			// Left out, the care-tier fields keep their stored values (the defaults here).
			const kept = {
				...good,
				thresholds: { ...good.thresholds, visitsOverdue: 10 },
				visitFrequency: DEFAULT_VISIT_FREQUENCY
			};
			expect(await send(head, 'PUT', `/communities/${COMMUNITY_A}/settings`, good)).toEqual(kept);
			expect(await get(head, `/communities/${COMMUNITY_A}/settings`)).toEqual(kept);
			const bad3 = await send<{ field: string }>(
				head,
				'PUT',
				`/communities/${COMMUNITY_A}/settings`,
				{ ...kept, visitFrequency: { ...DEFAULT_VISIT_FREQUENCY, elderly_alone: 0 } },
				400
			);
			expect(bad3.field).toBe('visitFrequency.elderly_alone');
		});

		it('creates rounds in scope only, counts their visits and sends them to devices', async () => {
			const round = {
				divisionCode: '450102001',
				name: '冬季排查',
				startDate: today(),
				dueDate: today()
			};
			await send(head, 'POST', '/rounds', round, 403);
			await send(countyOther, 'POST', '/rounds', round, 403);
			await send(worker, 'POST', '/rounds', round, 403);
			const bad = await send<Json>(
				street,
				'POST',
				'/rounds',
				{ ...round, dueDate: '2020-01-01' },
				400
			);
			expect(bad.field).toBe('dueDate');
			const badDate = await send<Json>(
				street,
				'POST',
				'/rounds',
				{ ...round, startDate: 'x' },
				400
			);
			expect(badDate.field).toBe('startDate');
			const created = await send<{ id: string; divisionCode: string }>(
				street,
				'POST',
				'/rounds',
				round,
				201
			);
			const own = await send<{ id: string }>(
				head,
				'POST',
				'/rounds',
				{ ...round, divisionCode: COMMUNITY_A, name: '社区自查' },
				201
			);
			// Existing visits count towards the new round.
			const byRound = await get<RollupBody>(street, `/rollup/450102001?round=${created.id}`);
			expect(byRound.metrics.visits).toBe(2);
			expect(byRound.metrics.visitedHouseholds).toBe(1);
			await get(street, `/rollup/450102001?round=${uuid()}`, 404);
			const listed = await get<{ rounds: { id: string }[] }>(head, `/rounds?code=${COMMUNITY_A}`);
			expect(listed.rounds.map((r) => r.id).sort()).toEqual([created.id, own.id].sort());
			const ofB = await get<{ rounds: { id: string }[] }>(headB, `/rounds?code=${COMMUNITY_B}`);
			expect(ofB.rounds.map((r) => r.id)).toEqual([created.id]);
			await get(headB, `/rounds?code=${COMMUNITY_A}`, 403);
			// The worker's device receives the round through pull.
			const { changes } = await worker.pullAll();
			const rounds = changes.filter((c) => c.table === 'rounds');
			expect(rounds.map((c) => c.rowId).sort()).toEqual([created.id, own.id].sort());
			expect(rounds.find((c) => c.rowId === own.id)!.fields).toMatchObject({
				name: '社区自查',
				divisionCode: COMMUNITY_A
			});
			const table = await get<{
				round: { id: string } | null;
				grids: { roundMetrics: Metrics | null }[];
			}>(head, `/communities/${COMMUNITY_A}/grids`);
			expect(table.round).not.toBeNull();
			expect(table.grids[0].roundMetrics!.visits).toBe(2);
		});

		let incident = '';
		it('moves an incident along the closed loop: legal moves only, by the right people, with history', async () => {
			incident = uuid();
			const [r] = await worker.push([
				ins('incidents', incident, {
					gridId: fx.grids.a1,
					householdId: household,
					category: 'safety',
					severity: 'urgent',
					description: '黄桂英家燃气泄漏',
					status: 'reported'
				})
			]);
			expect(r.status).toBe('applied');
			const queue = await get<{ incidents: Json[] }>(head, `/incidents?code=${COMMUNITY_A}`);
			expect(queue.incidents).toHaveLength(1);
			expect(queue.incidents[0]).toMatchObject({
				id: incident,
				category: 'safety',
				severity: 'urgent',
				status: 'reported',
				description: '黄桂英家燃气泄漏',
				address: '民生路8号1栋2单元302室',
				reporter: 'worker_a1',
				gridName: '第一网格',
				escalatedTo: null
			});
			expect((await get<RollupBody>(province, '/rollup/45')).metrics.openIncidents).toBe(1);
			const move = (client: ApiClient, body: Json, status = 200) =>
				send<Json>(client, 'POST', `/incidents/${incident}/transition`, body, status);
			expect((await move(head, { to: 'closed' }, 409)).field).toBe('to');
			await move(headB, { to: 'accepted' }, 403);
			await move(street, { to: 'accepted' }, 403);
			await move(worker, { to: 'accepted' }, 403);
			await move(head, { to: 'accepted', note: '已受理' });
			expect((await move(head, { to: 'dispatched' }, 400)).field).toBe('assigneeId');
			expect(
				(await move(head, { to: 'dispatched', assigneeId: fx.users.worker_b1.id }, 400)).field
			).toBe('assigneeId');
			const dispatched = await move(head, { to: 'dispatched', assigneeId: fx.users.worker_a1.id });
			// The worker's own move is not the head's.
			expect((await move(head, { to: 'in_progress' }, 403)).field).toBe('to');
			// The assigned worker moves it on through sync, from the version the head's move gave.
			const viaSync = await worker.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'update',
					rowId: incident,
					baseVersion: dispatched.version,
					fields: { status: 'in_progress' }
				}
			]);
			expect(viaSync[0].status).toBe('applied');
			const resolved = await worker.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'update',
					rowId: incident,
					baseVersion: viaSync[0].version,
					fields: { status: 'resolved' }
				}
			]);
			expect(resolved[0].status).toBe('applied');
			await move(head, { to: 'verified' });
			await move(head, { to: 'closed', note: '已结案' });
			const detail = await get<Json & { transitions: Json[] }>(head, `/incidents/${incident}`);
			expect(detail.status).toBe('closed');
			expect(detail.assignee).toBe('worker_a1');
			// Inside the community every step names who made it, with their role and level.
			expect(detail.transitions.map((t) => [t.from, t.to, t.who, t.role, t.level])).toEqual([
				[null, 'reported', 'worker_a1', 'grid_worker', 'grid'],
				['reported', 'accepted', 'head_a', 'community_head', 'community'],
				['accepted', 'dispatched', 'head_a', 'community_head', 'community'],
				['dispatched', 'in_progress', 'worker_a1', 'grid_worker', 'grid'],
				['in_progress', 'resolved', 'worker_a1', 'grid_worker', 'grid'],
				['resolved', 'verified', 'head_a', 'community_head', 'community'],
				['verified', 'closed', 'head_a', 'community_head', 'community']
			]);
			expect(detail.transitions[1].note).toBe('已受理');
			// The assigned worker reads the same history for an incident of their grid.
			const workerView = await get<Json & { transitions: Json[] }>(
				worker,
				`/incidents/${incident}`
			);
			expect(workerView.transitions).toEqual(detail.transitions);
			// Devices receive the head's moves through pull.
			const { changes } = await worker.pullAll();
			const fields = changes.filter((c) => c.rowId === incident).map((c) => c.fields.status);
			expect(fields).toContain('closed');
			expect((await get<RollupBody>(province, '/rollup/45')).metrics.openIncidents).toBe(0);
			const all = await get<{ incidents: Json[] }>(
				head,
				`/incidents?code=${COMMUNITY_A}&status=all`
			);
			expect(all.incidents.map((i) => i.id)).toContain(incident);
			expect(
				(await get<{ incidents: Json[] }>(head, `/incidents?code=${COMMUNITY_A}`)).incidents
			).toEqual([]);
		});

		it('escalates an overdue incident one level per interval and shows it above without personal data', async () => {
			const late = uuid();
			await worker.push([
				ins('incidents', late, {
					gridId: fx.grids.a1,
					householdId: household,
					category: 'health',
					severity: 'urgent',
					description: '黄桂英高烧不退',
					status: 'reported'
				})
			]);
			expect(await escalateOverdue(db.store, clock, TZ)).toBe(0);
			expect(
				(await get<{ incidents: Json[] }>(street, '/incidents?code=450102001')).incidents
			).toEqual([]);
			const start = clock;
			try {
				// Urgent: due after 2 hours; one level up when past due, another each further 2 hours.
				clock = new Date(start.getTime() + 2 * 3600_000 + 60_000);
				// Counted once the one-minute job moves the roll-up's overdue clock past its due time.
				expect((await get<RollupBody>(province, '/rollup/45')).metrics.overdueIncidents).toBe(0);
				expect(await db.store.rollup().advanceOverdue(clock)).toBe(1);
				expect((await get<RollupBody>(province, '/rollup/45')).metrics.overdueIncidents).toBe(1);
				expect(await escalateOverdue(db.store, clock, TZ)).toBe(1);
				expect(await escalateOverdue(db.store, clock, TZ)).toBe(0);
				const streetQueue = await get<{ incidents: Json[] }>(street, '/incidents?code=450102001');
				expect(streetQueue.incidents).toHaveLength(1);
				expect(streetQueue.incidents[0]).toMatchObject({
					id: late,
					category: 'health',
					severity: 'urgent',
					communityCode: COMMUNITY_A,
					communityName: '兴宁社区居委会',
					gridName: '第一网格',
					escalatedTo: '450102001',
					status: 'reported'
				});
				expect(streetQueue.incidents[0]).not.toHaveProperty('description');
				expect(streetQueue.incidents[0]).not.toHaveProperty('address');
				// Officers above see what escalated to their level or below in their subtree; others nothing.
				const provinceQueue = await get<{ incidents: Json[] }>(province, '/incidents?code=45');
				expect(provinceQueue.incidents.map((i) => i.id)).toEqual([late]);
				expect(provinceQueue.incidents[0]).not.toHaveProperty('description');
				await get(countyOther, `/incidents?code=${COMMUNITY_A}`, 403);
				expect(
					(await get<{ incidents: Json[] }>(countyOther, '/incidents?code=450103')).incidents
				).toEqual([]);
				clock = new Date(start.getTime() + 4 * 3600_000 + 120_000);
				expect(await escalateOverdue(db.store, clock, TZ)).toBe(1);
				const detail = await get<Json & { transitions: Json[] }>(province, `/incidents/${late}`);
				expect(detail.escalatedTo).toBe('450102');
				expect(detail.transitions.map((t) => t.note)).toEqual([
					null,
					'escalated:450102001',
					'escalated:450102'
				]);
				// Above the community: the role and level of each step, never a name.
				expect(detail.transitions.map((t) => [t.who, t.role, t.level])).toEqual([
					[null, 'grid_worker', 'grid'],
					[null, 'system', null],
					[null, 'system', null]
				]);
				expect(detail.escalatedToName).toBeTruthy();
				const text = JSON.stringify(detail);
				for (const pattern of PERSONAL) expect(text).not.toMatch(pattern);
				// The street no longer sees it once it went above the street.
				await get(street, `/incidents/${late}`, 403);
				expect(
					(await get<{ incidents: Json[] }>(street, '/incidents?code=450102001')).incidents
				).toEqual([]);
				// The head still has the full row with its escalation.
				const queue = await get<{ incidents: Json[] }>(head, `/incidents?code=${COMMUNITY_A}`);
				expect(queue.incidents[0]).toMatchObject({ id: late, escalatedTo: '450102' });
			} finally {
				clock = start;
			}
		});

		it('raises an alert once per community and kind, and records who acknowledged it', async () => {
			// Thresholds of 1 were set above; the cut-off is 00:00, so missed check-ins count now.
			// The street's round is due today with half of the households visited: behind schedule.
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(3);
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(0);
			// The periodic job evaluates every community: community B's round coverage is behind too.
			expect(await runSupervisionJobs(db.store, clock, TZ)).toEqual({ escalated: 0, alerts: 1 });
			const listed = await get<{ alerts: Json[] }>(head, `/alerts?code=${COMMUNITY_A}`);
			expect(listed.alerts.map((a) => a.kind).sort()).toEqual([
				'abnormal_residents',
				'coverage_behind',
				'missed_checkins'
			]);
			expect(listed.alerts.find((a) => a.kind === 'coverage_behind')).toMatchObject({
				value: 50,
				threshold: 90
			});
			const abnormal = listed.alerts.find((a) => a.kind === 'abnormal_residents')!;
			expect(abnormal).toMatchObject({ communityCode: COMMUNITY_A, value: 1, threshold: 1 });
			const ofB = await get<{ alerts: Json[] }>(headB, `/alerts?code=${COMMUNITY_B}`);
			expect(ofB.alerts.map((a) => [a.kind, a.value])).toEqual([['coverage_behind', 0]]);
			// The street above both sees all four.
			expect((await get<{ alerts: Json[] }>(street, '/alerts?code=450102001')).alerts).toHaveLength(
				4
			);
			await get(headB, `/alerts?code=${COMMUNITY_A}`, 403);
			await send(headB, 'POST', `/alerts/${abnormal.id}/ack`, {}, 403);
			await send(worker, 'POST', `/alerts/${abnormal.id}/ack`, {}, 403);
			const acked = await send<Json>(street, 'POST', `/alerts/${abnormal.id}/ack`, {});
			expect(acked.acknowledgedBy).toBe(fx.users.street.id);
			expect(Date.parse(acked.acknowledgedAt as string)).toBeGreaterThan(0);
			const open = await get<{ alerts: Json[] }>(head, `/alerts?code=${COMMUNITY_A}&status=open`);
			expect(open.alerts.map((a) => a.kind).sort()).toEqual(['coverage_behind', 'missed_checkins']);
			// Acknowledged today: not raised again today.
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(0);
		});

		it('exports the daily grid summary as xlsx, counts only, and audits it', async () => {
			const res = await head.request(`/communities/${COMMUNITY_A}/summary.xlsx`);
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toContain('spreadsheetml');
			const book = new ExcelJS.Workbook();
			await book.xlsx.load(await res.arrayBuffer());
			const sheet = book.worksheets[0];
			const rows: unknown[][] = [];
			sheet.eachRow({ includeEmpty: false }, (row) =>
				rows.push((row.values as unknown[]).slice(1))
			);
			expect(rows[0][0]).toBe(`兴宁社区居委会 网格工作日报（${today()}）`);
			expect(rows[2][0]).toBe(`报表日期：${today()}`);
			expect(rows[3].slice(0, 2)).toEqual(['网格', '网格员']);
			const gridRows = rows.slice(4, 6);
			expect(gridRows.map((r) => r[0])).toEqual(['第一网格', '第二网格']);
			// Totals are formulas carrying their results (summary-xlsx.test.ts reads the layout).
			const totals = rows[6];
			expect(totals[0]).toBe('合计');
			// exceljs reads a stored result of 0 back as no result (the file holds <v>0</v>).
			const figure = (v: unknown) =>
				typeof v === 'object' && v !== null && 'formula' in v
					? ((v as { result?: unknown }).result ?? 0)
					: v;
			for (const header of ['户数', '走访户数', '走访次数', '异常人数', '应签到', '已签到']) {
				const col = rows[3].indexOf(header);
				expect(figure(totals[col])).toBe(gridRows.reduce((sum, r) => sum + Number(r[col]), 0));
			}
			expect(gridRows[0].slice(2, 4)).toEqual([2, 1]);
			expect(rows[7][0]).toBe('生成人：head_a');
			const text = JSON.stringify(rows);
			for (const pattern of PERSONAL) expect(text).not.toMatch(pattern);
			const audit = await db.store.auditEntries({ communityCode: COMMUNITY_A, limit: 5 });
			expect(audit.some((e) => e.action === 'export' && e.userId === fx.users.head_a.id)).toBe(
				true
			);
			expect((await headB.request(`/communities/${COMMUNITY_A}/summary.xlsx`)).status).toBe(403);
			expect((await head.request(`/communities/${COMMUNITY_A}/summary.xlsx?date=x`)).status).toBe(
				400
			);
		});

		it('lists every supervision route in the OpenAPI document', async () => {
			const doc = await get<{ paths: Record<string, unknown> }>(province, '/openapi.json');
			for (const path of [
				'/rollup/{code}',
				'/rollup/{code}/trend',
				'/communities/{code}/grids',
				'/communities/{code}/settings',
				'/communities/{code}/summary.xlsx',
				'/divisions/{code}/summary.xlsx',
				'/rounds',
				'/incidents',
				'/incidents/{id}',
				'/incidents/{id}/transition',
				'/alerts',
				'/alerts/{id}/ack'
			])
				expect(doc.paths).toHaveProperty([path]);
		});
	});
}
