// Push and pull through HTTP on both databases: replays, scope, and what never leaves the server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { ApiClient, foldChanges, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const uuid = () => crypto.randomUUID();
const ID = (() => {
	const first17 = '45010219520814202';
	return first17 + idCheckChar(first17);
})();

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`sync over HTTP (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let workerA: ApiClient;
		let workerA2: ApiClient;
		let workerB: ApiClient;
		let head: ApiClient;
		const household = uuid();
		const resident = uuid();

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store);
			workerA = await new ApiClient(app).login('worker_a1');
			workerA2 = await new ApiClient(app).login('worker_a1');
			workerB = await new ApiClient(app).login('worker_b1');
			head = await new ApiClient(app).login('head_a');
		});
		afterAll(async () => db.dispose());

		const insertHousehold = (id: string, gridId: string) => ({
			id: uuid(),
			table: 'households',
			op: 'insert',
			rowId: id,
			fields: { gridId, address: '民生路8号1栋2单元302室', tags: ['elderly_alone'] }
		});

		it('applies a batch once and answers replays as duplicates', async () => {
			const batch = [
				insertHousehold(household, fx.grids.a1),
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: resident,
					fields: {
						householdId: household,
						name: '黄桂英',
						idNumber: ID,
						phone: '13877112233',
						birthYear: 1952,
						sex: 'F',
						dailyCheckIn: true
					}
				},
				{
					id: uuid(),
					table: 'visits',
					op: 'insert',
					rowId: uuid(),
					fields: {
						householdId: household,
						visitedAt: '2026-11-24T09:30:00+08:00',
						outcome: 'visited',
						checks: [{ residentId: resident, temperature: 37.8 }]
					}
				}
			];
			// The device's last sync time is written with the batch (the community head's grid table).
			const lastSync = async () =>
				(await db.store.supervision().workersOfGrids([fx.grids.a1]))[0]?.lastSyncAt ?? null;
			expect(await lastSync()).toBeNull();
			const first = await workerA.push(batch);
			expect(first.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
			expect((await lastSync())?.getTime()).toBeGreaterThan(Date.now() - 60_000);
			const replay = await workerA.push(batch);
			expect(replay.map((r) => r.status)).toEqual(['duplicate', 'duplicate', 'duplicate']);
			// The same mutation twice in one batch is applied once.
			const v = {
				id: uuid(),
				table: 'visits',
				op: 'insert',
				rowId: uuid(),
				fields: {
					householdId: household,
					visitedAt: '2026-11-24T10:00:00+08:00',
					outcome: 'nobody_home',
					checks: []
				}
			};
			expect((await workerA.push([v, v])).map((r) => r.status)).toEqual(['applied', 'duplicate']);
			const { changes } = await head.pullAll();
			expect(changes.filter((c) => c.table === 'visits')).toHaveLength(2);
		});

		it('rejects bad and out-of-scope mutations with a reason naming the field, and applies the rest', async () => {
			const other = uuid();
			const results = await workerA.push([
				insertHousehold(uuid(), fx.grids.b1),
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: uuid(),
					fields: {
						householdId: household,
						name: '错号',
						idNumber: ID.slice(0, 17) + (ID[17] === '0' ? '1' : '0')
					}
				},
				{
					id: uuid(),
					table: 'visits',
					op: 'insert',
					rowId: uuid(),
					fields: { householdId: household, visitedAt: 'yesterday', outcome: 'visited', checks: [] }
				},
				{
					id: uuid(),
					table: 'visits',
					op: 'insert',
					rowId: uuid(),
					fields: {
						householdId: household,
						visitedAt: '2026-11-24T10:00:00Z',
						outcome: 'visited',
						checks: [{ residentId: resident, temperature: 45 }]
					}
				},
				{
					id: uuid(),
					table: 'residents',
					op: 'insert',
					rowId: uuid(),
					fields: { householdId: household, name: '手机错', phone: '12345' }
				},
				insertHousehold(other, fx.grids.a1)
			]);
			expect(results.map((r) => r.status)).toEqual([
				'rejected',
				'rejected',
				'rejected',
				'rejected',
				'rejected',
				'applied'
			]);
			expect(results[0].reason).toMatch(/gridId/);
			expect(results[1].reason).toMatch(/fields\.idNumber/);
			expect(results[2].reason).toMatch(/fields\.visitedAt/);
			expect(results[3].reason).toMatch(/fields\.checks\.0\.temperature/);
			expect(results[4].reason).toMatch(/fields\.phone/);
			expect(await db.store.countHouseholds([fx.grids.b1])).toBe(0);
			// A worker of another grid cannot touch this grid's rows either.
			const intrusion = await workerB.push([
				{
					id: uuid(),
					table: 'visits',
					op: 'insert',
					rowId: uuid(),
					fields: {
						householdId: household,
						visitedAt: '2026-11-24T10:00:00Z',
						outcome: 'visited',
						checks: []
					}
				},
				{
					id: uuid(),
					table: 'households',
					op: 'update',
					rowId: household,
					baseVersion: 1,
					fields: { address: '改地址' }
				}
			]);
			expect(intrusion.map((r) => r.status)).toEqual(['rejected', 'rejected']);
			expect(intrusion[1].reason).toMatch(/scope/);
		});

		it('answers 400 to a body that is not the envelope and applies nothing', async () => {
			const bad = await workerA.request('/sync/push', {
				method: 'POST',
				body: JSON.stringify({ mutations: [] })
			});
			expect(bad.status).toBe(400);
			expect(await bad.json()).toMatchObject({ field: 'deviceId' });
			const notJson = await workerA.request('/sync/push', { method: 'POST', body: 'not json' });
			expect(notJson.status).toBe(400);
		});

		it("pulls only the caller's grids, never a full ID number", async () => {
			await workerB.push([insertHousehold(uuid(), fx.grids.b1)]);
			const a = foldChanges((await workerA.pullAll()).changes);
			const b = foldChanges((await workerB.pullAll()).changes);
			expect([...a.values()].every((row) => row.gridId === fx.grids.a1)).toBe(true);
			expect([...b.values()].every((row) => row.gridId === fx.grids.b1)).toBe(true);
			expect(b.has(household)).toBe(false);
			const pulled = JSON.stringify([...a.values()]);
			expect(pulled).not.toContain(ID);
			expect(a.get(resident)).toMatchObject({
				idNumberMasked: `450102********${ID.slice(-4)}`,
				name: '黄桂英'
			});
			expect(a.get(resident)).not.toHaveProperty('idNumber');
			// The folded household matches the server's row.
			const [server] = (await db.store.householdsOfGrid(fx.grids.a1)).filter(
				(h) => h.id === household
			);
			expect(a.get(household)).toMatchObject({
				address: server.address,
				memberCount: server.memberCount,
				_version: server.version
			});
		});

		it('pages with a cursor and resumes after it', async () => {
			const { changes: all } = await workerA.pullAll(undefined, 1000);
			const { changes: paged, cursor } = await workerA.pullAll(undefined, 2);
			expect(paged.map((c) => c.version)).toEqual(all.map((c) => c.version));
			const versions = paged.map((c) => c.version);
			expect([...versions].sort((x, y) => x - y)).toEqual(versions);
			expect((await workerA.pullAll(cursor)).changes).toEqual([]);
			await workerA.push([insertHousehold(uuid(), fx.grids.a1)]);
			const next = await workerA.pullAll(cursor);
			expect(next.changes).toHaveLength(1);
			const badCursor = await workerA.request('/sync/pull?cursor=zzz');
			expect(badCursor.status).toBe(400);
		});

		it('merges concurrent edits per field and keeps the losing value in history', async () => {
			const { changes } = await workerA.pullAll();
			const base = foldChanges(changes).get(household)!._version as number;
			const e1 = {
				id: '00000000-0000-4000-8000-000000000001',
				table: 'households',
				op: 'update',
				rowId: household,
				baseVersion: base,
				fields: { address: 'A 地址', tags: ['key_care'] }
			};
			const e2 = {
				id: '00000000-0000-4000-8000-000000000002',
				table: 'households',
				op: 'update',
				rowId: household,
				baseVersion: base,
				fields: { address: 'B 地址' }
			};
			// Devices deliver in the order that loses for the larger id first.
			expect((await workerA2.push([e2])).map((r) => r.status)).toEqual(['applied']);
			expect((await workerA.push([e1])).map((r) => r.status)).toEqual(['applied']);
			const [row] = (await db.store.householdsOfGrid(fx.grids.a1)).filter(
				(h) => h.id === household
			);
			expect(row.address).toBe('B 地址');
			expect(row.tags).toEqual(['key_care']);
			const folded = foldChanges((await workerA2.pullAll()).changes).get(household)!;
			expect(folded.address).toBe('B 地址');
			expect(folded.tags).toEqual(['key_care']);
			// The losing value is in the household's history, with who changed what.
			const history = await workerA.request(`/history/households/${household}`);
			const { entries } = (await history.json()) as {
				entries: { field: string; value: unknown; outcome: string; mutationId: string }[];
			};
			expect(entries).toContainEqual(
				expect.objectContaining({
					field: 'address',
					value: 'A 地址',
					outcome: 'lost',
					mutationId: e1.id
				})
			);
			expect(entries).toContainEqual(
				expect.objectContaining({
					field: 'address',
					value: 'B 地址',
					outcome: 'applied',
					mutationId: e2.id
				})
			);
			expect((await workerB.request(`/history/households/${household}`)).status).toBe(403);
		});

		it('keeps visits immutable and lets incidents move only along the closed loop', async () => {
			const incident = uuid();
			const created = await workerA.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'insert',
					rowId: incident,
					fields: {
						gridId: fx.grids.a1,
						householdId: household,
						category: 'help_request',
						severity: 'high',
						description: '老人需要买药',
						status: 'reported'
					}
				}
			]);
			expect(created[0].status).toBe('applied');
			const skip = await head.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'update',
					rowId: incident,
					baseVersion: created[0].version,
					fields: { status: 'closed' }
				}
			]);
			expect(skip[0]).toMatchObject({ status: 'rejected' });
			expect(skip[0].reason).toMatch(/fields\.status/);
			const accept = await head.push([
				{
					id: uuid(),
					table: 'incidents',
					op: 'update',
					rowId: incident,
					baseVersion: created[0].version,
					fields: { status: 'accepted' }
				}
			]);
			expect(accept[0].status).toBe('applied');
			const { changes } = await head.pullAll();
			const visit = changes.find((c) => c.table === 'visits')!;
			const edit = await workerA.push([
				{
					id: uuid(),
					table: 'visits',
					op: 'update',
					rowId: visit.rowId,
					baseVersion: visit.version,
					fields: { note: 'x' }
				}
			]);
			expect(edit[0].reason).toMatch(/immutable/);
		});

		it('tells on the first page of a first download how many rows of each table it brings', async () => {
			const { changes } = await workerA.pullAll(undefined, 1000);
			const inserts: Record<string, number> = {};
			for (const c of changes)
				if (c.op === 'insert') inserts[c.table] = (inserts[c.table] ?? 0) + 1;
			const first = await workerA.request('/sync/pull?limit=2');
			const page = (await first.json()) as {
				changes: unknown[];
				cursor: string;
				estimate?: Record<string, number>;
			};
			expect(page.changes).toHaveLength(2);
			expect(page.estimate).toEqual(inserts);
			expect(page.estimate?.households).toBeGreaterThan(0);
			const next = await workerA.request(`/sync/pull?limit=2&cursor=${page.cursor}`);
			expect(await next.json()).not.toHaveProperty('estimate');
		});

		it('leaves visits older than 90 days out of a first download, and only then', async () => {
			const later = testApp(db.store, () => new Date(Date.now() + 100 * 86_400_000));
			const tablet = await new ApiClient(later).login('worker_a1');
			const first = await tablet.pullAll(undefined, 3);
			expect(first.changes.some((c) => c.table === 'visits')).toBe(false);
			expect(first.changes.some((c) => c.table === 'households')).toBe(true);
			const visit = {
				id: uuid(),
				table: 'visits',
				op: 'insert',
				rowId: uuid(),
				fields: {
					householdId: household,
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: []
				}
			};
			await tablet.push([visit]);
			const next = await tablet.pullAll(first.cursor);
			// The new visit, and its household's new due day (docs/care-tiers.md).
			expect(next.changes.map((c) => [c.table, c.rowId])).toEqual([
				['visits', visit.rowId],
				['households', household]
			]);
			// A device that has been syncing all along already holds the older visits.
			expect(
				(await workerA.pullAll()).changes.filter((c) => c.table === 'visits').length
			).toBeGreaterThan(1);
		});

		it('stores and pulls back text exactly as sent, whatever characters it holds', async () => {
			// Quotes, backslashes, braces, commas and the word NULL are what array and JSON
			// encodings get wrong; rows of one batch are written together. Newline and tab are
			// allowed in notes only.
			const awkward = [
				'民生路"8"号 {1,2} \\ NULL',
				'NULL',
				'a,b\\"c d\\te',
				'{"json": [1, "x"]}',
				"O'Brien 路 🏠"
			];
			const noteOf = (text: string) => `${text}\n第二行\t完`;
			const ids = awkward.map(() => uuid());
			const batch = awkward.map((address, i) => ({
				id: uuid(),
				table: 'households',
				op: 'insert',
				rowId: ids[i],
				fields: {
					gridId: fx.grids.a1,
					address,
					tags: [address.slice(0, 32)],
					...(i % 2 ? {} : { lat: 22.817_001_5 + i, lng: 108.366_543_2 })
				}
			}));
			const visits = awkward.map((note, i) => ({
				id: uuid(),
				table: 'visits',
				op: 'insert',
				rowId: uuid(),
				fields: {
					householdId: ids[i],
					visitedAt: '2026-11-24T09:30:00.123+08:00',
					outcome: 'visited',
					checks: [],
					needs: [note.slice(0, 32)],
					...(i % 2 ? {} : { note: noteOf(note) })
				}
			}));
			const results = await workerA.push([...batch, ...visits]);
			expect(results.every((r) => r.status === 'applied')).toBe(true);
			const stored = new Map((await db.store.householdsOfGrid(fx.grids.a1)).map((h) => [h.id, h]));
			const pulled = foldChanges((await workerA.pullAll()).changes);
			for (const [i, address] of awkward.entries()) {
				const expected = {
					address,
					tags: [address.slice(0, 32)],
					lat: i % 2 ? null : 22.817_001_5 + i,
					lng: i % 2 ? null : 108.366_543_2
				};
				expect(stored.get(ids[i])).toMatchObject({ ...expected, deleted: false });
				expect(pulled.get(ids[i])).toMatchObject(expected);
				expect(pulled.get(visits[i].rowId)).toMatchObject({
					householdId: ids[i],
					visitedAt: '2026-11-24T01:30:00.123Z',
					needs: [awkward[i].slice(0, 32)],
					note: i % 2 ? null : noteOf(awkward[i])
				});
			}
		});

		it('refuses pulls to roles that only see counts, and their pushes outside what they may write', async () => {
			const app = testApp(db.store);
			const street = await new ApiClient(app).login('street');
			expect((await street.request('/sync/pull')).status).toBe(403);
			// A street officer may write households of their street (the roster import's rule,
			// server/write/rules.ts), by push as by import; a county officer writes nothing.
			const own = await street.push([insertHousehold(uuid(), fx.grids.a1)]);
			expect(own[0].status).toBe('applied');
			const county = await new ApiClient(app).login('county_other');
			expect((await county.request('/sync/pull')).status).toBe(403);
			const push = await county.push([insertHousehold(uuid(), fx.grids.a1)]);
			expect(push[0].status).toBe('rejected');
		});
	});
}
