// Care tiers on both databases, over HTTP with an injected clock (docs/care-tiers.md): a
// household's due day from its tier and its last visit, signals that make it due the next day,
// the community's frequencies changing every household's due day, and the roll-up's visitsDue
// and visitsOverdue moving with the clock alone through the day's first job run, equal to a
// recompute, with past days as they ended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSupervisionJobs, workOutDueDays } from '../../server/supervision/jobs';
import { evaluateAlerts } from '../../server/supervision/alerts';
import { rawSql } from './raw-sql';
import { ApiClient, foldChanges, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const TZ = 'Asia/Shanghai';
const COMMUNITY_A = '450102001003';
const at = (day: string, time: string) => new Date(`${day}T${time}+08:00`);

interface Household {
	id: string;
	lastVisitedOn: string | null;
	dueOn: string | null;
	dueReason: string | null;
	careTag: string | null;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`care tiers (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let clock = at('2026-11-02', '09:00:00');
		let worker: ApiClient;
		let head: ApiClient;
		let province: ApiClient;
		const alone = uuid();
		const plain = uuid();
		const elder = uuid();

		/** Move the clock, signing in again (sessions expire while days pass). */
		const setClock = async (to: Date) => {
			clock = to;
			const app = testApp(db.store, () => clock);
			worker = await new ApiClient(app).login('worker_a1');
			head = await new ApiClient(app).login('head_a');
			province = await new ApiClient(app).login('province');
		};

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			await setClock(clock);
		});
		afterAll(async () => db.dispose());

		const ins = (table: string, rowId: string, fields: Record<string, unknown>) => ({
			id: uuid(),
			table,
			op: 'insert',
			rowId,
			fields
		});
		const push = async (mutations: unknown[], by = worker) => {
			const results = await by.push(mutations);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(mutations.map(() => 'applied'));
		};
		const household = async (id: string): Promise<Household> => {
			const rows = (await db.store.householdsOfGrid(fx.grids.a1)) as unknown as Household[];
			const row = rows.find((h) => h.id === id)!;
			return {
				id,
				lastVisitedOn: row.lastVisitedOn,
				dueOn: row.dueOn,
				dueReason: row.dueReason,
				careTag: row.careTag
			};
		};
		const due = async (code: string, date?: string) => {
			const res = await province.request(`/rollup/${code}${date ? `?date=${date}` : ''}`);
			expect(res.status).toBe(200);
			const body = (await res.json()) as { metrics: Record<string, number> };
			return [body.metrics.visitsDue, body.metrics.visitsOverdue];
		};
		const visit = (householdId: string, day: string, extra: Record<string, unknown> = {}) =>
			ins('visits', uuid(), {
				householdId,
				visitedAt: at(day, '10:00:00').toISOString(),
				outcome: 'visited',
				checks: [],
				...extra
			});

		it('sets a new household due by its tier: the shortest interval of its and its residents’ tags', async () => {
			await push([
				ins('households', alone, { gridId: fx.grids.a1, address: '民生路1号' }),
				ins('residents', uuid(), { householdId: alone, name: '独居甲', tags: ['elderly_alone'] }),
				ins('households', plain, { gridId: fx.grids.a1, address: '民生路2号' }),
				ins('households', elder, {
					gridId: fx.grids.a1,
					address: '民生路3号',
					tags: ['advanced_age', 'low_income']
				})
			]);
			expect(await household(alone)).toMatchObject({
				lastVisitedOn: null,
				careTag: 'elderly_alone',
				dueOn: '2026-11-09',
				dueReason: 'elderly_alone'
			});
			expect(await household(plain)).toMatchObject({ careTag: 'default', dueOn: '2027-01-31' });
			expect(await household(elder)).toMatchObject({
				careTag: 'advanced_age',
				dueOn: '2026-11-16'
			});
			// Devices receive the fields with the household.
			const pulled = foldChanges((await worker.pullAll()).changes);
			expect(pulled.get(alone)).toMatchObject({
				dueOn: '2026-11-09',
				careTag: 'elderly_alone'
			});
			expect(await due(COMMUNITY_A)).toEqual([0, 0]);
		});

		it('resets on a visit that found someone home only, and a signal makes it due the next day', async () => {
			await setClock(at('2026-11-03', '09:00:00'));
			await push([visit(alone, '2026-11-03', { outcome: 'nobody_home' })]);
			expect(await household(alone)).toMatchObject({ lastVisitedOn: null, dueOn: '2026-11-09' });
			await push([visit(alone, '2026-11-03')]);
			expect(await household(alone)).toMatchObject({
				lastVisitedOn: '2026-11-03',
				dueOn: '2026-11-10'
			});
			// An unwell check-in of its resident the same day: due tomorrow.
			const [resident] = await db.store.residentsOfHousehold(alone);
			await push([
				ins('checkins', uuid(), {
					residentId: resident.id,
					at: at('2026-11-03', '15:00:00').toISOString(),
					status: 'unwell',
					channel: 'worker'
				})
			]);
			expect(await household(alone)).toMatchObject({ dueOn: '2026-11-04', dueReason: 'unwell' });
			await push([
				ins('incidents', uuid(), {
					gridId: fx.grids.a1,
					householdId: plain,
					category: 'help_request',
					severity: 'medium',
					description: '求助',
					status: 'reported'
				})
			]);
			expect(await household(plain)).toMatchObject({
				dueOn: '2026-11-04',
				dueReason: 'help_request'
			});
			// The next day's visit clears it.
			await setClock(at('2026-11-04', '11:00:00'));
			await push([visit(alone, '2026-11-04')]);
			expect(await household(alone)).toMatchObject({
				lastVisitedOn: '2026-11-04',
				dueOn: '2026-11-11',
				dueReason: 'elderly_alone'
			});
			// An incident of another household that becomes a help request counts from the day it was made.
			const other = uuid();
			await push([
				ins('incidents', other, {
					gridId: fx.grids.a1,
					householdId: elder,
					category: 'other',
					severity: 'low',
					description: '咨询',
					status: 'reported'
				})
			]);
			expect(await household(elder)).toMatchObject({ dueOn: '2026-11-16' });
			const stored = await db.store.supervision().getIncident(other);
			await push(
				[
					{
						id: uuid(),
						table: 'incidents',
						op: 'update',
						rowId: other,
						baseVersion: Number(stored!.version),
						fields: { category: 'help_request' }
					}
				],
				head
			);
			expect(await household(elder)).toMatchObject({
				dueOn: '2026-11-05',
				dueReason: 'help_request'
			});
			// And back: it no longer counts.
			await push(
				[
					{
						id: uuid(),
						table: 'incidents',
						op: 'update',
						rowId: other,
						baseVersion: Number((await db.store.supervision().getIncident(other))!.version),
						fields: { category: 'other' }
					}
				],
				head
			);
			expect(await household(elder)).toMatchObject({
				dueOn: '2026-11-16',
				dueReason: 'advanced_age'
			});
			// A visit the day after the request clears it.
			await push([visit(plain, '2026-11-04')]);
			expect(await household(plain)).toMatchObject({
				lastVisitedOn: '2026-11-04',
				dueOn: '2027-02-02',
				dueReason: 'default'
			});
		});

		it('counts due and overdue households as days pass, with no write, equal to a recompute', async () => {
			// alone is due on 11-11, elder on 11-16.
			await setClock(at('2026-11-11', '00:00:30'));
			// Just past midnight, before the job: read as the job will make it.
			expect(await due(COMMUNITY_A)).toEqual([1, 0]);
			await runSupervisionJobs(db.store, clock, TZ);
			expect(await due(COMMUNITY_A)).toEqual([1, 0]);
			expect(await due('45')).toEqual([1, 0]);
			await setClock(at('2026-11-17', '08:00:00'));
			await runSupervisionJobs(db.store, clock, TZ);
			expect(await due(COMMUNITY_A)).toEqual([2, 2]);
			expect(await due(fx.grids.a1)).toEqual([2, 2]);
			// Past days as they ended.
			expect(await due(COMMUNITY_A, '2026-11-10')).toEqual([0, 0]);
			expect(await due(COMMUNITY_A, '2026-11-11')).toEqual([1, 0]);
			expect(await due(COMMUNITY_A, '2026-11-12')).toEqual([1, 1]);
			expect(await due(COMMUNITY_A, '2026-11-16')).toEqual([2, 1]);
			const before = await db.store.rollup().allFigures();
			await db.store.rollup().recompute({ now: clock, timeZone: TZ });
			expect(await db.store.rollup().allFigures()).toEqual(before);
		});

		it('moves every household of a community when its head changes the frequencies', async () => {
			const res = await head.request(`/communities/${COMMUNITY_A}/settings`);
			const settings = (await res.json()) as Record<string, unknown>;
			expect(settings.visitFrequency).toMatchObject({ elderly_alone: 7, default: 90 });
			const put = await head.request(`/communities/${COMMUNITY_A}/settings`, {
				method: 'PUT',
				body: JSON.stringify({
					...settings,
					visitFrequency: { ...(settings.visitFrequency as object), advanced_age: 30 }
				})
			});
			expect(put.status).toBe(200);
			expect(await household(elder)).toMatchObject({ dueOn: '2026-12-02' });
			expect(await due(COMMUNITY_A)).toEqual([1, 1]);
			// A client that leaves the frequencies out keeps them.
			const { visitFrequency: _omit, ...rest } = settings;
			void _omit;
			await head.request(`/communities/${COMMUNITY_A}/settings`, {
				method: 'PUT',
				body: JSON.stringify(rest)
			});
			expect(await household(elder)).toMatchObject({ dueOn: '2026-12-02' });
			const before = await db.store.rollup().allFigures();
			await db.store.rollup().recompute({ now: clock, timeZone: TZ });
			expect(await db.store.rollup().allFigures()).toEqual(before);
		});

		it('raises visits_overdue when the community’s overdue households reach its threshold', async () => {
			const settings = (await (
				await head.request(`/communities/${COMMUNITY_A}/settings`)
			).json()) as { thresholds: Record<string, number> };
			const put = (visitsOverdue: number) =>
				head.request(`/communities/${COMMUNITY_A}/settings`, {
					method: 'PUT',
					body: JSON.stringify({
						...settings,
						thresholds: { ...settings.thresholds, visitsOverdue }
					})
				});
			expect((await put(2)).status).toBe(200);
			// One household overdue (alone): below 2.
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(0);
			expect((await put(1)).status).toBe(200);
			expect(await evaluateAlerts(db.store, clock, TZ, [COMMUNITY_A])).toBe(1);
			const res = await head.request(`/alerts?code=${COMMUNITY_A}`);
			const { alerts } = (await res.json()) as { alerts: Record<string, unknown>[] };
			expect(alerts.filter((a) => a.kind === 'visits_overdue')).toEqual([
				expect.objectContaining({ value: 1, threshold: 1 })
			]);
		});

		it('works out the due day of households stored before care tiers', async () => {
			// As a database migrated from before care tiers: no due days, no live due figures.
			await rawSql(db.url, 'update households set due_on = null, care_tag = null');
			await rawSql(
				db.url,
				"delete from rollup_figures where period = 'now' and metric in ('visitsDue', 'visitsOverdue') or period like 'due:%'"
			);
			expect(await workOutDueDays(db.store, { now: clock, timeZone: TZ })).toBe(3);
			expect(await household(alone)).toMatchObject({
				lastVisitedOn: '2026-11-04',
				dueOn: '2026-11-11',
				dueReason: 'elderly_alone'
			});
			expect(await household(elder)).toMatchObject({ dueOn: '2026-12-02' });
			expect(await workOutDueDays(db.store, { now: clock, timeZone: TZ })).toBe(0);
			const before = await db.store.rollup().allFigures();
			await db.store.rollup().recompute({ now: clock, timeZone: TZ });
			expect(await db.store.rollup().allFigures()).toEqual(before);
		});
	});
}
