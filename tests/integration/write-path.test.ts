// The one write path (server/write/): what it derives is the same whoever writes, an online
// move merges like any other write, a batch is all or nothing, and nothing else can open the
// raw row transaction.
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPushBatch } from '../../server/sync/push';
import { transitionIncident } from '../../server/supervision/incidents';
import { ROW_TRANSACTION } from '../../server/store/row-access';
import { SYSTEM, write, WriteRefusal } from '../../server/write';
import { insertRoster } from '../../server/write/roster';
import { idCheckChar } from '../../src/lib/shared/id-number';
import type { Mutation } from '../../src/lib/shared/schemas';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const TZ = 'Asia/Shanghai';
const uuid = () => crypto.randomUUID();
const validId = (first17: string) => first17 + idCheckChar(first17);

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`the write path (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
		});
		afterAll(async () => db.dispose());

		const clock = () => ({ now: new Date(), timeZone: TZ });
		const push = (user: keyof Fixture['users'], mutations: Mutation[]) =>
			applyPushBatch(
				db.store,
				{ user: fx.users[user], deviceId: `dev-${user}`, ...clock() },
				mutations
			);
		const changesOf = async (rowIds: string[]) =>
			(await db.store.pullChanges({ gridIds: [fx.grids.a1], after: 0, limit: 100_000 })).filter(
				(c) => rowIds.includes(c.rowId)
			);

		it('a head’s online move merges like a pushed one: a later edit made before it loses', async () => {
			const id = uuid();
			const [reported] = await push('worker_a1', [
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: id,
					fields: {
						gridId: fx.grids.a1,
						category: 'safety',
						severity: 'low',
						description: '楼道堆物',
						status: 'reported'
					}
				}
			]);
			const base = (reported as { version: number }).version;
			// Made offline on the head's tablet before the head, at a desk, accepts it online.
			const offlineEdit = uuidv7();
			const moved = await transitionIncident(
				db.store,
				fx.users.head_a,
				id,
				{ to: 'accepted' },
				clock()
			);
			expect(moved.version).toBeGreaterThan(base);
			const incident = await db.store.supervision().getIncident(id);
			expect(Object.keys(incident!.fieldMeta)).toContain('status');
			// The head's tablet, offline since before the move, takes it on and raises the severity
			// from the version it had: its status was decided before the online move, and loses.
			const [late] = await push('head_a', [
				{
					id: offlineEdit,
					table: 'incidents',
					op: 'update',
					rowId: id,
					baseVersion: base,
					fields: { status: 'in_progress', severity: 'high' }
				}
			]);
			expect(late.status).toBe('applied');
			const history = await db.store.fieldHistory('incidents', id);
			expect(history.filter((h) => h.field === 'status').map((h) => h.outcome)).toEqual([
				'applied',
				'lost'
			]);
			expect(await db.store.supervision().getIncident(id)).toMatchObject({
				status: 'accepted',
				severity: 'high'
			});
		});

		it('derives member counts and ID protection the same for a push and a bulk insert', async () => {
			const idNumber = validId('45010219450307002');
			const pushed = { household: uuid(), residents: [uuid(), uuid()] };
			const results = await push('worker_a1', [
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: pushed.household,
					fields: { gridId: fx.grids.a1, address: '民生路1号' }
				},
				...pushed.residents.map((rowId, i) => ({
					id: uuid(),
					table: 'residents' as const,
					op: 'insert' as const,
					rowId,
					fields: {
						householdId: pushed.household,
						name: `居民${i}`,
						...(i === 0 ? { idNumber } : {})
					}
				}))
			]);
			expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
			const bulk = { household: uuid(), residents: [uuid(), uuid()] };
			await insertRoster(
				db.store,
				SYSTEM,
				{
					households: [{ id: bulk.household, gridId: fx.grids.a1, address: '民生路2号', tags: [] }],
					residents: bulk.residents.map((id, i) => ({
						id,
						householdId: bulk.household,
						name: `居民${i}`,
						tags: [],
						...(i === 0 ? { idNumber } : {})
					}))
				},
				clock()
			);
			for (const rows of [pushed, bulk]) {
				const changes = await changesOf([rows.household, ...rows.residents]);
				// One change per row: the household's member count is folded into its insert.
				expect(changes.map((c) => c.op)).toEqual(['insert', 'insert', 'insert']);
				expect(changes[0].fields).toMatchObject({ memberCount: 2 });
				const withId = (await db.store.residentsOfHousehold(rows.household)).find(
					(r) => r.idHash !== null
				)!;
				expect(withId).toMatchObject({
					idNumber,
					idNumberMasked: `450102********${idNumber.slice(-4)}`
				});
				expect(withId.idHash).toMatch(/^[0-9a-f]{64}$/);
				const logged = changes.find((c) => c.rowId === withId.id)!.fields;
				expect(logged).not.toHaveProperty('idNumber');
				expect(logged).not.toHaveProperty('idHash');
			}
			// The same number in two households: flagged by the write path after either commits.
			const flags = await db.store.duplicateFlags({ communityCode: '450102001003' });
			expect(flags.some((f) => f.resolvedAt === null)).toBe(true);
		});

		it('adding a resident to a household made earlier logs one member-count update per batch', async () => {
			const household = uuid();
			await insertRoster(
				db.store,
				SYSTEM,
				{ households: [{ id: household, gridId: fx.grids.a1, address: '民生路3号', tags: [] }] },
				clock()
			);
			const residents = [uuid(), uuid(), uuid()];
			await push(
				'worker_a1',
				residents.map((rowId) => ({
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId,
					fields: { householdId: household, name: '新居民' }
				}))
			);
			const updates = (await changesOf([household])).filter((c) => c.op === 'update');
			expect(updates.map((c) => c.fields)).toEqual([{ memberCount: 3 }]);
		});

		it('is all or nothing: a refusal thrown in the batch leaves no row, change or figure', async () => {
			const before = await db.store.rollup().allFigures();
			const household = uuid();
			const attempt = insertRoster(
				db.store,
				SYSTEM,
				{
					households: [{ id: household, gridId: fx.grids.a1, address: '民生路4号', tags: [] }],
					residents: [{ id: uuid(), householdId: uuid(), name: '无户居民', tags: [] }]
				},
				clock()
			);
			await expect(attempt).rejects.toThrow(WriteRefusal);
			await expect(attempt).rejects.toThrow('fields.householdId: no such household');
			expect(await changesOf([household])).toEqual([]);
			expect(await db.store.gridOfRow('households', household)).toBeNull();
			expect(await db.store.rollup().allFigures()).toEqual(before);
		});

		it('checks the server’s own writes too: the system records no visit', async () => {
			await expect(
				write(db.store, SYSTEM, clock(), (batch) =>
					batch.insert('visits', uuid(), {
						householdId: uuid(),
						visitedAt: new Date().toISOString(),
						outcome: 'visited',
						checks: []
					})
				)
			).rejects.toThrow('table: visits are recorded by people');
		});

		it('opens the raw row transaction only through its symbol', () => {
			expect('syncTransaction' in db.store).toBe(false);
			expect(typeof db.store[ROW_TRANSACTION]).toBe('function');
			expect(Object.keys(db.store.supervision())).not.toContain('inSyncTransaction');
		});
	});
}
