// Past days' state figures on both databases, with an injected clock: households, open and
// overdue incidents and expected check-ins of a past day are those it ended with, whatever
// changed since; a day no write followed reads the same state; the one-minute job freezes the
// day before without any write; recompute-rollups keeps past snapshots and rebuilds the live
// figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSupervisionJobs } from '../../server/supervision/jobs';
import { SNAPSHOT_METRICS } from '../../server/rollup/metrics';
import { applyPushBatch } from '../../server/sync/push';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const TZ = 'Asia/Shanghai';
const COMMUNITY_A = '450102001003';
const at = (day: string, time: string) => new Date(`${day}T${time}+08:00`);
const [D0, D1, D2, D3, D4, D5, D6] = [
	'2026-11-18',
	'2026-11-19',
	'2026-11-20',
	'2026-11-21',
	'2026-11-22',
	'2026-11-23',
	'2026-11-24'
];

type Metrics = Record<string, number>;
interface RollupBody {
	metrics: Metrics;
	children: { code: string; metrics: Metrics }[];
}
interface State {
	households: number;
	openIncidents: number;
	overdueIncidents: number;
	checkinsExpected: number;
}
const stateOf = (m: Metrics): State => ({
	households: m.households,
	openIncidents: m.openIncidents,
	overdueIncidents: m.overdueIncidents,
	checkinsExpected: m.checkinsExpected
});
const state = (
	households: number,
	openIncidents: number,
	overdueIncidents: number,
	checkinsExpected: number
): State => ({ households, openIncidents, overdueIncidents, checkinsExpected });

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`end-of-day state figures (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let clock = at(D1, '10:00:00');
		let worker: ApiClient;
		let head: ApiClient;
		let province: ApiClient;
		const h1 = uuid();
		const h2 = uuid();
		const h3 = uuid();

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store, () => clock);
			worker = await new ApiClient(app).login('worker_a1');
			head = await new ApiClient(app).login('head_a');
			province = await new ApiClient(app).login('province');
		});
		afterAll(async () => db.dispose());

		const ins = (table: string, rowId: string, fields: Record<string, unknown>) => ({
			id: uuid(),
			table,
			op: 'insert',
			rowId,
			fields
		});
		// Deleting a household is the community head's: batches with a delete are the head's.
		const push = async (mutations: unknown[], by = worker) => {
			const results = await by.push(mutations);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(mutations.map(() => 'applied'));
		};
		const incident = (severity: string) =>
			ins('incidents', uuid(), {
				gridId: fx.grids.a1,
				category: 'safety',
				severity,
				description: '楼道堆物',
				status: 'reported'
			});
		const rollup = async (code: string, date?: string): Promise<RollupBody> => {
			const res = await province.request(`/rollup/${code}${date ? `?date=${date}` : ''}`);
			expect(res.status).toBe(200);
			return (await res.json()) as RollupBody;
		};
		/** The one-minute job's move of the overdue clock at `time`. */
		const tick = (time: Date) => db.store.rollup().advanceOverdue(time);
		const stateAt = async (code: string, date?: string) =>
			stateOf((await rollup(code, date)).metrics);
		const trend = async (days: number) => {
			const res = await province.request(`/rollup/45/trend?days=${days}`);
			expect(res.status).toBe(200);
			const body = (await res.json()) as { days: { date: string; metrics: Metrics }[] };
			return body.days.map((d) => [d.date, stateOf(d.metrics)]);
		};

		it('shows a past day with the state it ended with, after that state changed', async () => {
			// Day 1: two households, a resident to check in daily, an urgent incident due at 12:00.
			await push([
				ins('households', h1, { gridId: fx.grids.a1, address: '民生路1号' }),
				ins('households', h2, { gridId: fx.grids.a1, address: '民生路2号' }),
				ins('residents', uuid(), { householdId: h1, name: '居民甲', dailyCheckIn: true }),
				incident('urgent')
			]);
			expect(await stateAt('45')).toEqual(state(2, 1, 0, 1));
			// The one-minute job's last run of day 1 moves the overdue clock past the incident's due
			// time (server/rollup/overdue.ts).
			await tick(at(D1, '23:59:30'));
			// Just past midnight, before any write or job run: day 1 reads the live figures.
			clock = at(D2, '00:00:30');
			expect(await stateAt('45', D1)).toEqual(state(2, 1, 1, 1));
			// Day 2: a household deleted, a second resident to check in, a second incident (high: due
			// in 24 hours).
			clock = at(D2, '09:00:00');
			await push(
				[
					{ id: uuid(), table: 'households', op: 'delete', rowId: h2, fields: {} },
					ins('residents', uuid(), { householdId: h1, name: '居民乙', dailyCheckIn: true }),
					incident('high')
				],
				head
			);
			expect(await stateAt('45')).toEqual(state(1, 2, 1, 2));
			// Day 1 as it ended, at every level; the day before it, before anything existed.
			expect(await stateAt('45', D1)).toEqual(state(2, 1, 1, 1));
			const community = await rollup(COMMUNITY_A, D1);
			expect(stateOf(community.metrics)).toEqual(state(2, 1, 1, 1));
			expect(
				community.children.map((c) => [c.code, c.metrics.households, c.metrics.openIncidents])
			).toEqual([
				[fx.grids.a1, 2, 1],
				[fx.grids.a2, 0, 0]
			]);
			expect(stateOf((await rollup(fx.grids.a1, D1)).metrics)).toEqual(state(2, 1, 1, 1));
			expect(await stateAt('45', D0)).toEqual(state(0, 0, 0, 0));
			expect(await trend(3)).toEqual([
				[D0, state(0, 0, 0, 0)],
				[D1, state(2, 1, 1, 1)],
				[D2, state(1, 2, 1, 2)]
			]);
		});

		it('shows a day that no write followed with the state it ended with, before and after the next day is frozen', async () => {
			// The server is down from day 2 to day 4: no write, no job run. Day 4, before any: days 2
			// and 3 read the live state as last counted (the high incident fell due on day 3, after
			// the overdue clock last moved).
			clock = at(D4, '08:00:00');
			expect(await stateAt('45', D2)).toEqual(state(1, 2, 1, 2));
			expect(await stateAt('45', D3)).toEqual(state(1, 2, 1, 2));
			await push([ins('households', h3, { gridId: fx.grids.a1, address: '民生路3号' })]);
			// The write froze day 3 (its overdue incidents counted at its end) and day 2 with it; the
			// job's next run moves the overdue clock.
			expect(await stateAt('45')).toEqual(state(2, 2, 1, 2));
			await tick(clock);
			expect(await stateAt('45')).toEqual(state(2, 2, 2, 2));
			expect(await stateAt('45', D2)).toEqual(state(1, 2, 1, 2));
			expect(await stateAt('45', D3)).toEqual(state(1, 2, 2, 2));
			expect(await stateAt(COMMUNITY_A, D2)).toEqual(state(1, 2, 1, 2));
			expect(await trend(5)).toEqual([
				[D0, state(0, 0, 0, 0)],
				[D1, state(2, 1, 1, 1)],
				[D2, state(1, 2, 1, 2)],
				[D3, state(1, 2, 2, 2)],
				[D4, state(2, 2, 2, 2)]
			]);
			expect(await db.store.rollup().frozenDays(null, D0, D5, 10)).toEqual([
				{ day: D0, stateDay: D0 },
				{ day: D1, stateDay: D1 },
				{ day: D2, stateDay: D3 },
				{ day: D3, stateDay: D3 }
			]);
		});

		it('has the one-minute job freeze the day before once a day has begun, without any write', async () => {
			clock = at(D5, '00:00:40');
			await runSupervisionJobs(db.store, clock, TZ);
			expect((await db.store.rollup().frozenDays(null, D4, D6, 10)).map((d) => d.day)).toEqual([
				D4
			]);
			clock = at(D5, '10:00:00');
			await push([{ id: uuid(), table: 'households', op: 'delete', rowId: h3, fields: {} }], head);
			expect(await stateAt('45')).toEqual(state(1, 2, 2, 2));
			expect(await stateAt('45', D4)).toEqual(state(2, 2, 2, 2));
		});

		it('keeps past snapshots through recompute-rollups, which rebuilds the live figures', async () => {
			const rollup = db.store.rollup();
			const snapshots = async () =>
				(await rollup.allFigures()).filter(
					(f) =>
						f.period.startsWith('day:') &&
						(SNAPSHOT_METRICS as readonly string[]).includes(f.metric)
				);
			// A household registered with roll-up maintenance off (as a benchmark does): the live
			// figures no longer match the tables.
			clock = at(D6, '09:00:00');
			await applyPushBatch(
				db.store,
				{ user: fx.users.worker_a1, deviceId: 'bench', timeZone: TZ, now: clock, rollup: false },
				[
					{
						id: uuid(),
						table: 'households',
						op: 'insert',
						rowId: uuid(),
						fields: { gridId: fx.grids.a1, address: '民生路4号' }
					}
				]
			);
			expect(await stateAt('45')).toEqual(state(1, 2, 2, 2));
			const before = await snapshots();
			expect(before.length).toBeGreaterThan(0);
			await rollup.recompute({ now: clock, timeZone: TZ });
			// Live figures rebuilt from the tables; every past snapshot kept as it was; day 5, the
			// day before, frozen first with the figures as they stood.
			expect(await stateAt('45')).toEqual(state(2, 2, 2, 2));
			const after = await snapshots();
			expect(after.filter((f) => f.period !== `day:${D5}`)).toEqual(before);
			expect(await stateAt('45', D5)).toEqual(state(1, 2, 2, 2));
			expect(await stateAt('45', D1)).toEqual(state(2, 1, 1, 1));
			expect(await stateAt('45', D2)).toEqual(state(1, 2, 1, 2));
			// Recomputing again changes nothing.
			const all = await rollup.allFigures();
			await rollup.recompute({ now: clock, timeZone: TZ });
			expect(await rollup.allFigures()).toEqual(all);
		});
	});
}
