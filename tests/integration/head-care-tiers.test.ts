// The community head's view of care tiers on both databases, over HTTP with an injected clock
// (docs/care-tiers.md): the grid table's households due and overdue for a visit per grid and in
// all, as the roll-up counts them, and the settings round trip of the visit frequencies and the
// overdue-visits threshold, with a bad frequency refused naming its field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { runSupervisionJobs } from '../../server/supervision/jobs';
import { ApiClient, testApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const TZ = 'Asia/Shanghai';
const COMMUNITY_A = '450102001003';
const at = (day: string, time: string) => new Date(`${day}T${time}+08:00`);

type Counts = Record<string, number>;
interface GridTable {
	metrics: Counts;
	grids: { id: string; metrics: Counts }[];
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`the head's care-tier figures (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let clock = at('2026-11-02', '09:00:00');
		let head: ApiClient;
		let workerA1: ApiClient;
		let workerA2: ApiClient;
		const alone = uuid();
		const plain = uuid();
		const elder = uuid();

		/** Move the clock, signing in again (sessions expire while days pass). */
		const setClock = async (to: Date) => {
			clock = to;
			const app = testApp(db.store, () => clock);
			head = await new ApiClient(app).login('head_a');
			workerA1 = await new ApiClient(app).login('worker_a1');
			workerA2 = await new ApiClient(app).login('worker_a2');
		};

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			await db.store.createUser({
				username: 'worker_a2',
				role: 'grid_worker',
				scope: [fx.grids.a2],
				passwordHash: await hashPassword(PASSWORD),
				displayName: null
			});
			await setClock(clock);
		});
		afterAll(async () => db?.dispose());

		const ins = (table: string, rowId: string, fields: Record<string, unknown>) => ({
			id: uuid(),
			table,
			op: 'insert',
			rowId,
			fields
		});
		const push = async (by: ApiClient, mutations: unknown[]) => {
			const results = await by.push(mutations);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(mutations.map(() => 'applied'));
		};
		const gridTable = async (): Promise<GridTable> => {
			const res = await head.request(`/communities/${COMMUNITY_A}/grids`);
			expect(res.status).toBe(200);
			return (await res.json()) as GridTable;
		};
		/** [visitsDue, visitsOverdue] of grid a1, grid a2 and the community, from the grid table. */
		const dueFigures = async () => {
			const table = await gridTable();
			const of = (m: Counts) => [m.visitsDue, m.visitsOverdue];
			const grid = (id: string) => of(table.grids.find((g) => g.id === id)!.metrics);
			return { a1: grid(fx.grids.a1), a2: grid(fx.grids.a2), total: of(table.metrics) };
		};
		const settingsPut = (body: unknown) =>
			head.request(`/communities/${COMMUNITY_A}/settings`, {
				method: 'PUT',
				body: JSON.stringify(body)
			});

		it('shows no household due on the day they are registered', async () => {
			await push(workerA1, [
				ins('households', alone, { gridId: fx.grids.a1, address: '民生路1号' }),
				ins('residents', uuid(), { householdId: alone, name: '独居甲', tags: ['elderly_alone'] }),
				ins('households', plain, { gridId: fx.grids.a1, address: '民生路2号' })
			]);
			await push(workerA2, [
				ins('households', elder, {
					gridId: fx.grids.a2,
					address: '民生路3号',
					tags: ['advanced_age']
				})
			]);
			expect(await dueFigures()).toEqual({ a1: [0, 0], a2: [0, 0], total: [0, 0] });
		});

		it('counts due and overdue households per grid and in all as the days pass', async () => {
			// alone (elderly_alone, 7 days) is due on 11-09, elder (advanced_age, 14) on 11-16,
			// plain (no tag, 90) on 2027-01-31.
			await setClock(at('2026-11-16', '08:00:00'));
			await runSupervisionJobs(db.store, clock, TZ);
			expect(await dueFigures()).toEqual({ a1: [1, 1], a2: [1, 0], total: [2, 1] });
			// The grid table's figures are the roll-up's: the community and its grids agree with it.
			const rollup = (await (await head.request(`/rollup/${COMMUNITY_A}`)).json()) as {
				metrics: Counts;
				children: { code: string; metrics: Counts }[];
			};
			const table = await gridTable();
			expect(table.metrics).toEqual(rollup.metrics);
			for (const g of table.grids)
				expect(g.metrics).toEqual(rollup.children.find((c) => c.code === g.id)!.metrics);
			// A visit takes the household out of both counts at once.
			await push(workerA1, [
				ins('visits', uuid(), {
					householdId: alone,
					visitedAt: at('2026-11-16', '07:30:00').toISOString(),
					outcome: 'visited',
					checks: []
				})
			]);
			expect(await dueFigures()).toEqual({ a1: [0, 0], a2: [1, 0], total: [1, 0] });
		});

		it('keeps the frequencies and the overdue threshold, and the figures follow the frequencies', async () => {
			const settings = (await (
				await head.request(`/communities/${COMMUNITY_A}/settings`)
			).json()) as {
				checkinCutoff: string;
				thresholds: Counts;
				visitFrequency: Counts;
			};
			expect(settings.thresholds.visitsOverdue).toBe(10);
			expect(settings.visitFrequency).toEqual({
				elderly_alone: 7,
				advanced_age: 14,
				disabled: 14,
				low_income: 30,
				key_care: 7,
				default: 90
			});
			const changed = {
				...settings,
				thresholds: { ...settings.thresholds, visitsOverdue: 3 },
				visitFrequency: { ...settings.visitFrequency, advanced_age: 7, default: 10 }
			};
			const put = await settingsPut(changed);
			expect(put.status).toBe(200);
			expect(await put.json()).toEqual(changed);
			expect(await (await head.request(`/communities/${COMMUNITY_A}/settings`)).json()).toEqual(
				changed
			);
			// elder: registered 11-02, due 11-09 now; plain: due 11-12.
			expect(await dueFigures()).toEqual({ a1: [1, 1], a2: [1, 1], total: [2, 2] });
		});

		it('refuses a frequency out of range, naming the field, and changes nothing', async () => {
			const before = await (await head.request(`/communities/${COMMUNITY_A}/settings`)).json();
			for (const days of [0, 366, 1.5]) {
				const res = await settingsPut({
					...(before as object),
					visitFrequency: {
						...(before as { visitFrequency: Counts }).visitFrequency,
						elderly_alone: days
					}
				});
				expect(res.status).toBe(400);
				const body = (await res.json()) as { field?: string };
				expect(body.field).toBe('visitFrequency.elderly_alone');
			}
			const res = await settingsPut({
				...(before as object),
				thresholds: { ...(before as { thresholds: Counts }).thresholds, visitsOverdue: 0 }
			});
			expect(res.status).toBe(400);
			expect(((await res.json()) as { field?: string }).field).toBe('thresholds.visitsOverdue');
			expect(await (await head.request(`/communities/${COMMUNITY_A}/settings`)).json()).toEqual(
				before
			);
			expect(await dueFigures()).toEqual({ a1: [1, 1], a2: [1, 1], total: [2, 2] });
		});
	});
}
