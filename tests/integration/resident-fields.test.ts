// A resident's relation to the head of household, landline and note travel the write path like
// the other fields: pushed on insert and update, checked (a bad one refused naming the field,
// nothing written), pulled by devices, masked in the field history, unmasked for a reason, and
// cleared on erasure. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, foldChanges, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const CLOCK = new Date('2026-11-24T08:00:00+08:00');
const uuid = () => crypto.randomUUID();

const mutation = (
	table: string,
	op: 'insert' | 'update',
	rowId: string,
	fields: Record<string, unknown>,
	baseVersion?: number
) => ({
	id: uuid(),
	table,
	op,
	rowId,
	fields,
	...(baseVersion === undefined ? {} : { baseVersion })
});

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(
		`resident relation, landline, note (${dialect})`,
		() => {
			let db: TestStore;
			let fx: Fixture;
			let worker: ApiClient;
			let head: ApiClient;
			const household = uuid();
			const resident = uuid();

			beforeAll(async () => {
				db = await openTestStore(dialect);
				fx = await seedFixture(db.store);
				const app = testApp(db.store, () => CLOCK);
				worker = await new ApiClient(app).login('worker_a1');
				head = await new ApiClient(app).login('head_a');
				const [h] = await worker.push([
					mutation('households', 'insert', household, {
						gridId: fx.grids.a1,
						address: '民生路9号3栋1单元501室',
						tags: ['advanced_age']
					})
				]);
				expect(h.status).toBe('applied');
			});
			afterAll(async () => db.dispose());

			it('takes the three fields and the advanced_age tag with a new resident, and devices pull them', async () => {
				const { cursor } = await worker.pullAll();
				const [result] = await worker.push([
					mutation('residents', 'insert', resident, {
						householdId: household,
						name: '韦凤英',
						relation: '户主',
						landline: '0771-5851234',
						note: '独居，女儿在南宁\n每周日回来',
						tags: ['advanced_age']
					})
				]);
				expect(result.status).toBe('applied');
				expect(await db.store.getResident(resident)).toMatchObject({
					relation: '户主',
					landline: '0771-5851234',
					note: '独居，女儿在南宁\n每周日回来',
					tags: ['advanced_age']
				});
				const { changes } = await worker.pullAll(cursor);
				const pulled = changes.find((c) => c.rowId === resident);
				expect(pulled?.op).toBe('insert');
				expect(pulled?.fields).toMatchObject({
					relation: '户主',
					landline: '0771-5851234',
					note: '独居，女儿在南宁\n每周日回来',
					tags: ['advanced_age']
				});
				// A first download brings them too.
				const rows = foldChanges((await worker.pullAll()).changes);
				expect(rows.get(resident)).toMatchObject({ relation: '户主', landline: '0771-5851234' });
				expect(rows.get(household)).toMatchObject({ tags: ['advanced_age'] });
			});

			it('takes an update of each, and devices pull the new values', async () => {
				const { cursor } = await worker.pullAll();
				const before = (await db.store.getResident(resident))!;
				const [result] = await worker.push([
					mutation(
						'residents',
						'update',
						resident,
						{ relation: '母亲', landline: '010-87654321', note: '已搬去女儿家住' },
						before.version
					)
				]);
				expect(result.status).toBe('applied');
				expect(await db.store.getResident(resident)).toMatchObject({
					relation: '母亲',
					landline: '010-87654321',
					note: '已搬去女儿家住'
				});
				const { changes } = await worker.pullAll(cursor);
				const pulled = changes.find((c) => c.rowId === resident);
				expect(pulled).toMatchObject({
					op: 'update',
					fields: { relation: '母亲', landline: '010-87654321', note: '已搬去女儿家住' }
				});
			});

			it('refuses a bad landline, relation or note naming the field, and writes nothing', async () => {
				const row = (await db.store.getResident(resident))!;
				const fresh = uuid();
				const results = await worker.push([
					mutation('residents', 'insert', fresh, {
						householdId: household,
						name: '韦小军',
						landline: '5851234'
					}),
					mutation('residents', 'update', resident, { landline: '0771 5851234' }, row.version),
					mutation('residents', 'update', resident, { relation: '户'.repeat(17) }, row.version),
					mutation('residents', 'update', resident, { note: '备'.repeat(501) }, row.version)
				]);
				expect(results.map((r) => r.status)).toEqual([
					'rejected',
					'rejected',
					'rejected',
					'rejected'
				]);
				expect(results.map((r) => r.reason)).toEqual([
					expect.stringMatching(/^fields\.landline: .*area code/),
					expect.stringMatching(/^fields\.landline: .*area code/),
					expect.stringMatching(/^fields\.relation: /),
					expect.stringMatching(/^fields\.note: /)
				]);
				expect(await db.store.getResident(fresh)).toBeFalsy();
				expect(await db.store.getResident(resident)).toMatchObject({
					version: row.version,
					relation: '母亲',
					landline: '010-87654321',
					note: '已搬去女儿家住'
				});
			});

			it('keeps the landline masked in the field history and shows it for a reason, audited', async () => {
				const history = await head.request(`/history/residents/${resident}`);
				expect(history.status).toBe(200);
				const text = await history.text();
				expect(text).toContain('010-****4321');
				expect(text).not.toContain('87654321');
				const res = await worker.request(`/residents/${resident}/unmask`, {
					method: 'POST',
					body: JSON.stringify({ field: 'landline', reason: 'contact_resident' })
				});
				expect(res.status).toBe(200);
				expect(await res.json()).toEqual({ value: '010-87654321' });
				const [entry] = await db.store.auditEntries({ communityCode: '450102001003', limit: 1 });
				expect(entry).toMatchObject({
					action: 'unmask',
					subjectId: resident,
					reason: 'contact_resident',
					details: { field: 'landline' }
				});
			});

			it('clears the three fields on erasure, on the server and on devices', async () => {
				const { cursor } = await worker.pullAll();
				const res = await head.request(`/residents/${resident}`, {
					method: 'DELETE',
					body: JSON.stringify({ reason: '已迁出，本人申请删除' })
				});
				expect(res.status).toBe(200);
				expect(await db.store.getResident(resident)).toMatchObject({
					deleted: true,
					relation: null,
					landline: null,
					note: null
				});
				const { changes } = await worker.pullAll(cursor);
				const change = changes.find((c) => c.rowId === resident);
				expect(change?.op).toBe('delete');
				expect(change?.fields).toMatchObject({ relation: null, landline: null, note: null });
				const unmask = await head.request(`/residents/${resident}/unmask`, {
					method: 'POST',
					body: JSON.stringify({ field: 'landline', reason: 'supervisor_review' })
				});
				expect(unmask.status).toBe(404);
			});
		}
	);
}
