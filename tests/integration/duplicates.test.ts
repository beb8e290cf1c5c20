// Duplicate registrations (一人多码, 重复上报) by keyed hash, and ID numbers encrypted at rest.
// Both databases.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addHouseholds, addResidents } from './roster';
import { openStore } from '../../server/store/index';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import {
	addPerson,
	idNumber,
	OTHER_ID,
	SHARED_ID,
	textWithoutIdsAndTimes
} from './privacy-fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

interface Flag {
	id: string;
	communityCode: string;
	resolvedAt: string | null;
	resolution: string | null;
	residents: {
		id: string;
		name: string;
		idNumberMasked: string;
		householdId: string;
		gridName: string | null;
		address: string | null;
		householdMembers: number | null;
		registeredAt: string;
		inYourCommunity: boolean;
	}[];
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`duplicate registrations (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let workerA: ApiClient;
		let workerB: ApiClient;
		let headA: ApiClient;
		let headB: ApiClient;
		const saved = { key: process.env.GRIDCARE_ID_KEY, secret: process.env.GRIDCARE_ID_SECRET };
		const key = randomBytes(32).toString('base64');

		beforeAll(async () => {
			// A deployment with an encryption key and no configured hash secret (one is generated).
			process.env.GRIDCARE_ID_KEY = key;
			delete process.env.GRIDCARE_ID_SECRET;
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store);
			workerA = await new ApiClient(app).login('worker_a1');
			workerB = await new ApiClient(app).login('worker_b1');
			headA = await new ApiClient(app).login('head_a');
			headB = await new ApiClient(app).login('head_b');
		});
		afterAll(async () => {
			await db.dispose();
			process.env.GRIDCARE_ID_KEY = saved.key;
			if (saved.secret !== undefined) process.env.GRIDCARE_ID_SECRET = saved.secret;
		});
		afterEach(() => {
			process.env.GRIDCARE_ID_KEY = key;
		});

		const flagsOf = async (client: ApiClient) => {
			const res = await client.request('/duplicates');
			expect(res.status).toBe(200);
			return ((await res.json()) as { flags: Flag[] }).flags;
		};

		it('raises one flag to each community head when one ID number is in two communities', async () => {
			const a = await addPerson(workerA, fx.grids.a1, { name: '黄桂英', idNumber: SHARED_ID });
			expect(await flagsOf(headA)).toEqual([]);
			const b = await addPerson(workerB, fx.grids.b1, { name: '黄桂英', idNumber: SHARED_ID });
			// Another person, registered once: no flag.
			await addPerson(workerB, fx.grids.b1, { name: '韦建国', idNumber: OTHER_ID });
			const [flagA, ...moreA] = await flagsOf(headA);
			const [flagB, ...moreB] = await flagsOf(headB);
			expect(moreA).toEqual([]);
			expect(moreB).toEqual([]);
			expect(flagA.communityCode).toBe('450102001003');
			expect(flagB.communityCode).toBe('450102001004');
			expect(flagA.residents.map((r) => r.id).sort()).toEqual([a.resident, b.resident].sort());
			// The other community's resident is shown masked.
			const foreign = flagA.residents.find((r) => r.id === b.resident)!;
			expect(foreign).toMatchObject({ name: '黄*英', inYourCommunity: false });
			expect(JSON.stringify(flagA)).not.toContain(SHARED_ID);
			// Where each is registered, as the head may see it: their own community's grid and
			// address in full; of the other community neither the grid nor the room.
			const own = flagA.residents.find((r) => r.id === a.resident)!;
			const [gridA1, gridB1] = await Promise.all([
				db.store.getGrid(fx.grids.a1),
				db.store.getGrid(fx.grids.b1)
			]);
			expect(own).toMatchObject({
				householdId: a.household,
				gridName: gridA1!.name,
				address: '民生路8号1栋2单元302室',
				householdMembers: 1,
				inYourCommunity: true
			});
			expect(Date.parse(own.registeredAt)).not.toBeNaN();
			expect(foreign).toMatchObject({
				householdId: b.household,
				gridName: null,
				address: '1栋2单元',
				householdMembers: 1
			});
			expect(textWithoutIdsAndTimes(foreign)).not.toContain('302');
			expect(JSON.stringify(foreign)).not.toContain(gridB1!.name);
			// Head B sees it the other way round.
			const seenByB = (await flagsOf(headB))[0].residents;
			expect(seenByB.find((r) => r.id === b.resident)).toMatchObject({
				gridName: gridB1!.name,
				address: '民生路8号1栋2单元302室'
			});
			expect(seenByB.find((r) => r.id === a.resident)).toMatchObject({
				gridName: null,
				address: '1栋2单元'
			});

			// A third registration refreshes the open flags instead of raising more.
			const c = await addPerson(workerA, fx.grids.a1, { name: '黄桂英', idNumber: SHARED_ID });
			const again = await flagsOf(headA);
			expect(again).toHaveLength(1);
			expect(again[0].residents.map((r) => r.id)).toContain(c.resident);
			expect(await flagsOf(headB)).toHaveLength(1);
		});

		it('lets each head resolve their own flag only', async () => {
			const [flagA] = await flagsOf(headA);
			const cross = await headB.request(`/duplicates/${flagA.id}/resolve`, {
				method: 'POST',
				body: JSON.stringify({ action: 'corrected' })
			});
			expect(cross.status).toBe(403);
			const bad = await headA.request(`/duplicates/${flagA.id}/resolve`, {
				method: 'POST',
				body: JSON.stringify({ action: 'ignored' })
			});
			expect(bad.status).toBe(400);
			expect(((await bad.json()) as { field: string }).field).toBe('action');
			// Closing a flag merges nothing, so it is not closed as merged.
			const merged = await headA.request(`/duplicates/${flagA.id}/resolve`, {
				method: 'POST',
				body: JSON.stringify({ action: 'merged' })
			});
			expect(merged.status).toBe(400);
			expect(((await merged.json()) as { field: string }).field).toBe('action');
			const ok = await headA.request(`/duplicates/${flagA.id}/resolve`, {
				method: 'POST',
				body: JSON.stringify({ action: 'corrected', note: '同一人，已删除多出的一条登记' })
			});
			expect(ok.status).toBe(200);
			const twice = await headA.request(`/duplicates/${flagA.id}/resolve`, {
				method: 'POST',
				body: JSON.stringify({ action: 'not_duplicate' })
			});
			expect(twice.status).toBe(409);
			const [resolved] = await flagsOf(headA);
			expect(resolved).toMatchObject({ resolution: 'corrected' });
			expect(resolved.resolvedAt).not.toBeNull();
			expect((await flagsOf(headB))[0].resolvedAt).toBeNull();
			const [entry] = await db.store.auditEntries({ communityCode: '450102001003', limit: 1 });
			expect(entry).toMatchObject({ action: 'duplicate_resolved', subjectId: flagA.id });
		});

		it('stores an HMAC of the ID number, and the number itself only encrypted', async () => {
			const [flag] = await db.store.duplicateFlags({ communityCode: '450102001004' });
			const rows = await Promise.all(flag.residentIds.map((id) => db.store.getResident(id)));
			const row = rows.find((r) => r!.gridId === fx.grids.b1)!;
			expect(row.idHash).toMatch(/^[0-9a-f]{64}$/);
			expect(row.idHash).toBe(flag.idHash);
			expect(row.idNumber).toMatch(/^enc:v1:/);
			expect(row.idNumber).not.toContain(SHARED_ID);
			expect(row.idNumber).not.toContain(SHARED_ID.slice(6, 14));
			// Two encryptions of one number differ (random IV); the hashes agree.
			expect(new Set(rows.map((r) => r!.idNumber)).size).toBe(rows.length);
			expect(new Set(rows.map((r) => r!.idHash)).size).toBe(1);
			// The unmask decrypts.
			const res = await workerB.request(`/residents/${row.id}/unmask`, {
				method: 'POST',
				body: JSON.stringify({ field: 'idNumber', reason: 'home_visit_check' })
			});
			expect(await res.json()).toEqual({ value: SHARED_ID });
		});

		it('keeps the generated hash secret across restarts, so hashes stay comparable', async () => {
			const again = openStore(db.url);
			try {
				const ids = await again.idProtection();
				const [flag] = await db.store.duplicateFlags({ communityCode: '450102001004' });
				expect(ids.hash(SHARED_ID)).toBe(flag.idHash);
				expect(ids.hash(idNumber('450102', '19520814', '203'))).not.toBe(flag.idHash);
			} finally {
				await again.close();
			}
		});

		it('flags a duplicate made by correcting an ID number, and the bulk insert path too', async () => {
			const p = await addPerson(workerB, fx.grids.b1, { name: '蒙丽' });
			const [row] = [(await db.store.getResident(p.resident))!];
			const results = await workerB.push([
				{
					id: crypto.randomUUID(),
					table: 'residents',
					op: 'update',
					rowId: p.resident,
					baseVersion: row.version,
					fields: { idNumber: OTHER_ID }
				}
			]);
			expect(results[0].status).toBe('applied');
			const open = (await flagsOf(headB)).filter((f) => !f.resolvedAt);
			expect(open).toHaveLength(2);
			// Bulk insert (seed, import) into community A with OTHER_ID: community A is flagged too.
			const household = crypto.randomUUID();
			await addHouseholds(db.store, [
				{ id: household, gridId: fx.grids.a2, address: '北宁路2号', tags: [] }
			]);
			await addResidents(db.store, [
				{
					id: crypto.randomUUID(),
					householdId: household,
					name: '韦建国',
					idNumber: OTHER_ID,
					tags: []
				}
			]);
			const a = (await flagsOf(headA)).filter((f) => !f.resolvedAt);
			expect(a).toHaveLength(1);
			expect(a[0].residents).toHaveLength(3);
		});
	});
}
