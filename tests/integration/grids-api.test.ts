// Grid administration (docs/administration.md, "Grids") on both databases: who may create,
// rename, draw and retire, names unique within a community, boundaries checked, retiring only
// an empty grid, a retired grid refusing pushed rows the same way, and every change audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../server/auth/password';
import { BOUNDARY_MAX_VERTICES } from '../../src/lib/shared/boundary';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const A = '450102001003';
const B = '450102001004';
const uuid = () => crypto.randomUUID();

/** A closed square ring around Xingning, [lng, lat]. */
const SQUARE = [
	[108.3, 22.8],
	[108.31, 22.8],
	[108.31, 22.81],
	[108.3, 22.81],
	[108.3, 22.8]
];

interface ManagedGrid {
	id: string;
	name: string;
	boundary: unknown;
	retiredAt: string | null;
	households: number;
	openIncidents: number;
	workers: { id: string; name: string }[];
}

const insert = (table: string, fields: Record<string, unknown>, rowId = uuid()) => ({
	id: uuid(),
	table,
	op: 'insert',
	rowId,
	fields
});

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`grid administration (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let app: TestApp;
		const as: Record<string, ApiClient> = {};

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			app = testApp(db.store);
			for (const name of ['head_a', 'head_b', 'street', 'admin', 'worker_a1', 'county_other'])
				as[name] = await new ApiClient(app).login(name);
		});
		afterAll(async () => db.dispose());

		const create = (who: string, body: unknown) =>
			as[who].request('/grids', { method: 'POST', body: JSON.stringify(body) });
		const patch = (who: string, id: string, body: unknown) =>
			as[who].request(`/grids/${id}`, { method: 'PATCH', body: JSON.stringify(body) });
		const list = async (who: string, code: string) => {
			const res = await as[who].request(`/grids?code=${code}`);
			expect(res.status).toBe(200);
			return ((await res.json()) as { grids: ManagedGrid[] }).grids;
		};
		const stored = async (id: string) => (await db.store.getGrid(id))!;
		const error = async (res: Response) =>
			(await res.json()) as { field?: string; message: string };
		const auditOf = async (id: string) =>
			(await db.store.auditEntries({ communityCode: A, limit: 100 }))
				.filter((e) => e.subjectId === id)
				.map((e) => e.action)
				.reverse();

		it('creates a grid for the head, the street officer and the admin within scope; others are refused', async () => {
			const res = await create('head_a', { communityCode: A, name: ' 第三网格 ' });
			expect(res.status).toBe(201);
			const grid = (await res.json()) as ManagedGrid;
			expect(grid).toMatchObject({ name: '第三网格', households: 0, retiredAt: null, workers: [] });
			expect((await stored(grid.id)).communityCode).toBe(A);
			expect(await auditOf(grid.id)).toEqual(['grid_created']);

			expect((await create('street', { communityCode: B, name: '第二网格' })).status).toBe(201);
			expect((await create('admin', { communityCode: B, name: '第三网格' })).status).toBe(201);
			for (const who of ['head_b', 'worker_a1', 'county_other'])
				expect((await create(who, { communityCode: A, name: `${who}的网格` })).status, who).toBe(
					403
				);
			expect(
				(await create('head_a', { communityCode: '450102001099', name: '没有的社区' })).status
			).toBe(404);
			const empty = await create('head_a', { communityCode: A, name: '  ' });
			expect(empty.status).toBe(400);
			expect((await error(empty)).field).toBe('name');
			expect((await list('head_a', A)).map((g) => g.name)).toEqual([
				'第一网格',
				'第二网格',
				'第三网格'
			]);
		});

		it('keeps names unique within a community, on create and on rename', async () => {
			const taken = await create('head_a', { communityCode: A, name: '第一网格' });
			expect(taken.status).toBe(409);
			expect((await error(taken)).field).toBe('name');
			// The same name in another community is another grid.
			expect((await list('head_b', B)).map((g) => g.name)).toContain('第三网格');

			const renamed = await patch('head_a', fx.grids.a2, { name: '西区网格' });
			expect(renamed.status).toBe(200);
			expect((await stored(fx.grids.a2)).name).toBe('西区网格');
			const clash = await patch('head_a', fx.grids.a2, { name: '第一网格' });
			expect(clash.status).toBe(409);
			expect((await error(clash)).field).toBe('name');
			expect((await stored(fx.grids.a2)).name).toBe('西区网格');
			expect((await patch('head_b', fx.grids.a2, { name: '别人的' })).status).toBe(403);
			expect(await auditOf(fx.grids.a2)).toEqual(['grid_updated']);
			// A device learns the new name where it learns it today.
			const head = await as.head_a.request(`/divisions/${fx.grids.a2}`);
			expect(((await head.json()) as { name: string }).name).toBe('西区网格');
		});

		it('stores a valid boundary and refuses a bad one naming the field, leaving the grid as it was', async () => {
			const polygon = { type: 'Polygon', coordinates: [SQUARE] };
			expect((await patch('head_a', fx.grids.a1, { boundary: polygon })).status).toBe(200);
			expect((await stored(fx.grids.a1)).boundary).toEqual(polygon);
			// The worker's device reads it from the grid's node.
			const node = await as.worker_a1.request(`/divisions/${fx.grids.a1}`);
			expect(((await node.json()) as { boundary: unknown }).boundary).toEqual(polygon);

			const bad: [string, unknown][] = [
				['open ring', { type: 'Polygon', coordinates: [SQUARE.slice(0, 4)] }],
				['too few points', { type: 'Polygon', coordinates: [[SQUARE[0], SQUARE[1], SQUARE[0]]] }],
				['longitude', { type: 'Polygon', coordinates: [SQUARE.map(([, lat]) => [200, lat])] }],
				['latitude', { type: 'Polygon', coordinates: [SQUARE.map(([lng]) => [lng, -95])] }],
				['not a polygon', { type: 'Point', coordinates: [108.3, 22.8] }],
				['text', 'a square'],
				[
					'too many points',
					{
						type: 'Polygon',
						coordinates: [
							[
								...Array.from({ length: BOUNDARY_MAX_VERTICES + 1 }, (_, i) => [
									108.3 + i / 1e6,
									22.8
								]),
								[108.3, 22.8]
							]
						]
					}
				]
			];
			for (const [why, boundary] of bad) {
				const res = await patch('head_a', fx.grids.a1, { boundary, name: '改不了' });
				expect(res.status, why).toBe(400);
				expect((await error(res)).field, why).toBe('boundary');
			}
			const kept = await stored(fx.grids.a1);
			expect(kept.boundary).toEqual(polygon);
			expect(kept.name).toBe('第一网格');

			const multi = { type: 'MultiPolygon', coordinates: [[SQUARE], [SQUARE]] };
			expect((await patch('street', fx.grids.a1, { boundary: multi })).status).toBe(200);
			expect((await stored(fx.grids.a1)).boundary).toEqual(multi);
			expect(await auditOf(fx.grids.a1)).toEqual(['grid_updated', 'grid_updated']);
		});

		it('retires only an empty grid, and a retired grid takes no pushed rows until brought back', async () => {
			// A grid with a household cannot be retired.
			const [pushed] = await as.worker_a1.push([
				insert('households', { gridId: fx.grids.a1, address: '民生路1号' })
			]);
			expect(pushed.status).toBe('applied');
			const full = await patch('head_a', fx.grids.a1, { retired: true });
			expect(full.status).toBe(409);
			expect((await error(full)).field).toBe('retired');
			expect((await stored(fx.grids.a1)).retiredAt).toBeNull();

			// Nor one with an open incident.
			const busy = (await (
				await create('head_a', { communityCode: A, name: '事件网格' })
			).json()) as ManagedGrid;
			const [incident] = await as.head_a.push([
				insert('incidents', {
					gridId: busy.id,
					category: 'other',
					severity: 'low',
					description: '路灯坏了',
					status: 'reported'
				})
			]);
			expect(incident.status).toBe('applied');
			const open = await patch('head_a', busy.id, { retired: true });
			expect(open.status).toBe(409);
			expect((await error(open)).message).toMatch(/1 open incidents/);

			// An empty grid is retired; the counts and workers come with the list.
			const listed = await list('head_a', A);
			const a1 = listed.find((g) => g.id === fx.grids.a1)!;
			expect(a1.households).toBe(1);
			expect(a1.workers.map((w) => w.id)).toEqual([fx.users.worker_a1.id]);
			const households = await as.head_a.request(`/grids/${fx.grids.a1}/households`);
			expect(await households.json()).toEqual({
				households: [{ id: expect.any(String), address: '民生路1号' }]
			});
			expect((await as.head_b.request(`/grids/${fx.grids.a1}/households`)).status).toBe(403);
			const empty = listed.find((g) => g.name === '第三网格')!;
			const retired = await patch('head_a', empty.id, { retired: true });
			expect(retired.status).toBe(200);
			expect(((await retired.json()) as ManagedGrid).retiredAt).not.toBeNull();
			expect((await stored(empty.id)).retiredAt).not.toBeNull();

			// A worker still holding it, and the head, are refused by the one rule of the write path.
			await db.store.createUser({
				username: 'worker_retired',
				role: 'grid_worker',
				scope: [empty.id],
				passwordHash: await hashPassword(PASSWORD),
				displayName: '王芳'
			});
			const worker = await new ApiClient(app).login('worker_retired');
			for (const client of [worker, as.head_a]) {
				const [refused] = await client.push([
					insert('households', { gridId: empty.id, address: '民生路9号' })
				]);
				expect(refused.status).toBe('rejected');
				expect(refused.reason).toBe('gridId: the grid has been retired');
			}
			expect(await db.store.countHouseholds([empty.id])).toBe(0);

			// Brought back, it takes rows again.
			expect((await patch('head_a', empty.id, { retired: false })).status).toBe(200);
			const [accepted] = await worker.push([
				insert('households', { gridId: empty.id, address: '民生路9号' })
			]);
			expect(accepted.status).toBe('applied');
			expect(await auditOf(empty.id)).toEqual(['grid_created', 'grid_retired', 'grid_restored']);
		});

		it('lists a community only for those who manage it', async () => {
			expect((await as.head_b.request(`/grids?code=${A}`)).status).toBe(403);
			expect((await as.worker_a1.request(`/grids?code=${A}`)).status).toBe(403);
			expect((await as.street.request(`/grids?code=${A}`)).status).toBe(200);
			const bad = await as.head_a.request('/grids?code=abc');
			expect(bad.status).toBe(400);
			expect((await error(bad)).field).toBe('code');
		});
	});
}
