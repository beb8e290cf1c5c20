// Households moved between grids, and scope changes reaching the devices (docs/administration.md,
// "Moving households and changing scopes"), over HTTP on both databases: what the old grid's,
// the new grid's and the community head's devices end with, the roll-up against a recompute,
// who may move, and the 409 a cursor of an older scope gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { ApiClient, testApp, type Change } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { rawSql } from './raw-sql';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const DAY = 86_400_000;

type Row = Record<string, unknown> & { _table: string };

/** Fold pulled changes into the rows a device holds: a delete drops a row, an insert starts it anew. */
function fold(changes: Change[], rows = new Map<string, Row>()): Map<string, Row> {
	for (const c of changes) {
		if (c.op === 'delete') rows.delete(c.rowId);
		else if (c.op === 'insert') rows.set(c.rowId, { _table: c.table, ...c.fields });
		else rows.set(c.rowId, { ...(rows.get(c.rowId) ?? { _table: c.table }), ...c.fields });
	}
	return rows;
}

const held = (rows: Map<string, Row>, table: string) =>
	[...rows.entries()].filter(([, r]) => r._table === table).map(([id]) => id);

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`households moved between grids (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: ReturnType<typeof testApp>;
		let workerA1: ApiClient;
		let workerA2: ApiClient;
		let head: ApiClient;
		const household = uuid();
		const residents = [uuid(), uuid()];
		const incident = uuid();
		const recentVisit = uuid();
		const oldVisit = uuid();
		let cursorA1 = '';
		let cursorHead = '';
		let rowsA1 = new Map<string, Row>();
		let rowsHead = new Map<string, Row>();

		const move = (client: ApiClient, householdIds: string[], toGridId: string) =>
			client.request('/households/move', {
				method: 'POST',
				body: JSON.stringify({ householdIds, toGridId })
			});

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
			app = testApp(db.store);
			workerA1 = await new ApiClient(app).login('worker_a1');
			workerA2 = await new ApiClient(app).login('worker_a2');
			head = await new ApiClient(app).login('head_a');
			const now = Date.now();
			const results = await workerA1.push([
				{
					id: uuid(),
					table: 'households',
					op: 'insert',
					rowId: household,
					fields: { gridId: fx.grids.a1, address: '民生路8号1栋2单元302室', tags: [] }
				},
				...residents.map((rowId, i) => ({
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId,
					fields: { householdId: household, name: i ? '李明' : '黄桂英', dailyCheckIn: i === 0 }
				})),
				...[
					[oldVisit, now - 120 * DAY],
					[recentVisit, now - 2 * DAY]
				].map(([rowId, at]) => ({
					id: uuid(),
					table: 'visits',
					op: 'insert',
					rowId,
					fields: {
						householdId: household,
						visitedAt: new Date(at).toISOString(),
						outcome: 'visited',
						checks: [{ residentId: residents[0], temperature: 38.2 }]
					}
				})),
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: incident,
					fields: {
						gridId: fx.grids.a1,
						householdId: household,
						category: 'help_request',
						severity: 'medium',
						description: '需要帮忙买药',
						status: 'reported'
					}
				}
			]);
			expect(results.map((r) => r.status)).toEqual(Array(6).fill('applied'));
			const a1 = await workerA1.pullAll();
			cursorA1 = a1.cursor;
			rowsA1 = fold(a1.changes);
			const h = await head.pullAll();
			cursorHead = h.cursor;
			rowsHead = fold(h.changes);
			expect(held(rowsA1, 'households')).toEqual([household]);
		});
		afterAll(async () => db.dispose());

		it('refuses a worker moving a household into a grid not theirs, and a retired target', async () => {
			const res = await move(workerA1, [household], fx.grids.a2);
			expect(res.status).toBe(403);
			expect(((await res.json()) as { field: string }).field).toBe('toGridId');
			// A community head stays within their community.
			const across = await move(head, [household], fx.grids.b1);
			expect(across.status).toBe(403);
			const retired = await db.store.createGrid({ communityCode: '450102001003', name: '旧网格' });
			// Retired as the grids' administration does it: a moment in retired_at.
			const at = dialect === 'sqlite' ? String(Date.now()) : 'now()';
			await rawSql(db.url, `UPDATE grids SET retired_at = ${at} WHERE id = '${retired.id}'`);
			const toRetired = await move(head, [household], retired.id);
			expect(toRetired.status).toBe(409);
			expect(((await toRetired.json()) as { field: string }).field).toBe('toGridId');
			const missing = await move(head, [uuid()], fx.grids.a2);
			expect(missing.status).toBe(404);
			// Nothing moved: nothing was logged for the old grid.
			const again = await workerA1.pullAll(cursorA1);
			expect(again.changes).toEqual([]);
		});

		it('moves a household with its residents, open incident and visits; every device follows', async () => {
			const before = await db.store.rollup().allFigures();
			const res = await move(head, [household], fx.grids.a2);
			expect(res.status).toBe(200);
			expect(await res.json()).toEqual({ moved: 1 });

			// The old grid's device drops all of it.
			const a1 = await workerA1.pullAll(cursorA1);
			expect(a1.changes.every((c) => c.op === 'delete')).toBe(true);
			rowsA1 = fold(a1.changes, rowsA1);
			expect(rowsA1.size).toBe(0);

			// The new grid's device receives it with its history of the last 90 days.
			const a2 = fold((await workerA2.pullAll()).changes);
			expect(held(a2, 'households')).toEqual([household]);
			expect(held(a2, 'residents').sort()).toEqual([...residents].sort());
			expect(held(a2, 'incidents')).toEqual([incident]);
			expect(held(a2, 'visits')).toEqual([recentVisit]);
			for (const row of a2.values()) expect(row.gridId).toBe(fx.grids.a2);
			expect(a2.get(household)?.address).toBe('民生路8号1栋2单元302室');
			expect(a2.get(residents[0])?.name).toBe('黄桂英');

			// The community head's device ends with it in the new grid.
			const h = await head.pullAll(cursorHead);
			rowsHead = fold(h.changes, rowsHead);
			expect(rowsHead.get(household)?.gridId).toBe(fx.grids.a2);
			expect(rowsHead.get(residents[1])?.gridId).toBe(fx.grids.a2);
			expect(rowsHead.get(incident)?.gridId).toBe(fx.grids.a2);

			// The roll-up follows, equal to a recompute from the rows.
			const after = await db.store.rollup().allFigures();
			expect(after).not.toEqual(before);
			const households = (grid: string) =>
				after.find((f) => f.nodeCode === grid && f.metric === 'households')?.value ?? 0;
			expect(households(fx.grids.a1)).toBe(0);
			expect(households(fx.grids.a2)).toBe(1);
			await db.store.rollup().recompute({ now: new Date(), timeZone: 'Asia/Shanghai' });
			expect(await db.store.rollup().allFigures()).toEqual(after);

			// The move is in the community's audit trail.
			const trail = (await (await head.request('/audit?code=450102001003')).json()) as {
				entries: { action: string; subjectId: string }[];
			};
			expect(
				trail.entries.filter((e) => e.action === 'households_moved').map((e) => e.subjectId)
			).toEqual([fx.grids.a2]);

			// Moving it where it already is changes nothing.
			const same = await move(head, [household], fx.grids.a2);
			expect(await same.json()).toEqual({ moved: 0 });
		});

		it('answers 409 scope_changed to a cursor of an older scope, and not before', async () => {
			const ok = await workerA1.request(`/sync/pull?cursor=${cursorA1}`);
			expect(ok.status).toBe(200);
			const { cursor } = (await ok.json()) as { cursor: string };
			await rawSql(
				db.url,
				`UPDATE users SET scope = '${JSON.stringify([fx.grids.a1, fx.grids.a2])}', scope_version = scope_version + 1 WHERE username = 'worker_a1'`
			);
			const stale = await workerA1.request(`/sync/pull?cursor=${cursor}`);
			expect(stale.status).toBe(409);
			expect(((await stale.json()) as { error: string }).error).toBe('scope_changed');
			// Downloading the scope again brings the new grid's rows, and a cursor that pulls on.
			const fresh = await workerA1.pullAll();
			expect(held(fold(fresh.changes), 'households')).toEqual([household]);
			expect((await workerA1.request(`/sync/pull?cursor=${fresh.cursor}`)).status).toBe(200);
		});
	});
}
