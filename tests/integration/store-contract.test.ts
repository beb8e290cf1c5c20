// The store contract: the same cases against a real SQLite file and the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addHouseholds, addResidents } from './roster';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';
import { TREE } from './fixtures';

const validId = (first17: string) => first17 + idCheckChar(first17);

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`store contract (${dialect})`, () => {
		let db: TestStore;
		beforeAll(async () => {
			db = await openTestStore(dialect);
			await db.store.upsertDivisions(TREE);
		});
		afterAll(async () => db.dispose());

		it('reports its dialect and migrates idempotently', async () => {
			expect(db.store.dialect).toBe(dialect);
			await db.store.migrate();
		});

		it('upserts divisions idempotently and renames in place', async () => {
			const before = await db.store.countDivisions('45');
			await db.store.upsertDivisions(TREE);
			expect(await db.store.countDivisions('45')).toEqual(before);
			expect(before).toEqual({ province: 1, city: 1, county: 2, street: 1, community: 2 });
			await db.store.upsertDivisions([{ ...TREE[2], name: '兴宁区（新）' }]);
			expect((await db.store.getDivision('450102'))?.name).toBe('兴宁区（新）');
			await db.store.upsertDivisions([TREE[2]]);
		});

		it('answers parents and ordered children', async () => {
			expect(await db.store.getDivision('450102001')).toEqual(TREE[4]);
			expect((await db.store.childDivisions('4501')).map((d) => d.code)).toEqual([
				'450102',
				'450103'
			]);
			expect(await db.store.childDivisions('450102001003')).toEqual([]);
			expect(await db.store.getDivision('00')).toBeNull();
		});

		it('creates grids under a community', async () => {
			const grid = await db.store.createGrid({ communityCode: '450102001004', name: '第二网格' });
			expect(await db.store.getGrid(grid.id)).toEqual(grid);
			expect((await db.store.gridsOfCommunity('450102001004')).map((g) => g.id)).toContain(grid.id);
			expect(await db.store.getGrid(crypto.randomUUID())).toBeNull();
		});

		it('creates users with unique usernames and sessions that can be revoked', async () => {
			const user = await db.store.createUser({
				username: `u-${dialect}`,
				role: 'community_head',
				scope: ['450102001003'],
				passwordHash: 'scrypt$x',
				displayName: '王主任'
			});
			expect(await db.store.findUserByUsername(`u-${dialect}`)).toEqual(user);
			expect(await db.store.getUser(user.id)).toEqual(user);
			await expect(
				db.store.createUser({
					username: `u-${dialect}`,
					role: 'admin',
					scope: ['45'],
					passwordHash: 'x',
					displayName: null
				})
			).rejects.toThrow();
			const session = await db.store.createSession({
				id: crypto.randomUUID(),
				tokenHash: `hash-${dialect}`,
				userId: user.id,
				deviceId: 'd1',
				createdAt: new Date('2026-11-24T00:00:00Z'),
				expiresAt: new Date('2026-11-25T00:00:00Z')
			});
			expect(await db.store.findSessionByTokenHash(`hash-${dialect}`)).toEqual(session);
			const at = new Date('2026-11-24T01:00:00Z');
			await db.store.revokeSession(session.id, at);
			expect((await db.store.findSessionByTokenHash(`hash-${dialect}`))?.revokedAt).toEqual(at);
		});

		it('stores households and residents, keeping full ID numbers server-side with a masked copy', async () => {
			const grid = await db.store.createGrid({ communityCode: '450102001003', name: '第三网格' });
			const household = crypto.randomUUID();
			await addHouseholds(db.store, [
				{
					id: household,
					gridId: grid.id,
					address: '民生路1号2栋3单元401室',
					tags: ['elderly_alone'],
					lat: 22.8,
					lng: 108.3
				}
			]);
			const idNumber = validId('45010219450307002');
			const resident = crypto.randomUUID();
			await addResidents(db.store, [
				{
					id: resident,
					householdId: household,
					name: '李秀英',
					idNumber,
					phone: '13912345678',
					birthYear: 1945,
					sex: 'F',
					tags: [],
					dailyCheckIn: true
				}
			]);
			const [h] = await db.store.householdsOfGrid(grid.id);
			expect(h).toMatchObject({
				id: household,
				tags: ['elderly_alone'],
				lat: 22.8,
				deleted: false
			});
			const [r] = await db.store.residentsOfHousehold(household);
			expect(r).toMatchObject({
				gridId: grid.id,
				idNumber,
				idNumberMasked: `450102********${idNumber.slice(-4)}`,
				dailyCheckIn: true
			});
			// The member count follows the residents (a change of its own, after the resident's).
			expect(h.memberCount).toBe(1);
			expect(h.version).toBeGreaterThan(r.version);
			expect(await db.store.countHouseholds([grid.id])).toBe(1);
			expect(await db.store.countResidents([grid.id])).toBe(1);
			expect(await db.store.countHouseholds([])).toBe(0);
		});

		it('applies a bulk insert all or nothing when a row is invalid', async () => {
			const grid = await db.store.createGrid({ communityCode: '450102001003', name: '第四网格' });
			const rows = [
				{ id: crypto.randomUUID(), gridId: grid.id, address: 'A', tags: [] },
				{ id: crypto.randomUUID(), gridId: crypto.randomUUID(), address: 'B', tags: [] }
			];
			await expect(addHouseholds(db.store, rows)).rejects.toThrow(/gridId/);
			expect(await db.store.countHouseholds([grid.id])).toBe(0);
			await expect(
				addResidents(db.store, [
					{ id: crypto.randomUUID(), householdId: crypto.randomUUID(), name: 'X', tags: [] }
				])
			).rejects.toThrow(/householdId/);
		});

		it('inserts more rows than one statement can carry', async () => {
			const grid = await db.store.createGrid({ communityCode: '450102001003', name: '大网格' });
			const rows = Array.from({ length: 7000 }, (_, i) => ({
				id: crypto.randomUUID(),
				gridId: grid.id,
				address: `幸福路${i}号`,
				tags: []
			}));
			await addHouseholds(db.store, rows);
			expect(await db.store.countHouseholds([grid.id])).toBe(7000);
		});

		it('appends audit entries and lists them newest first by community', async () => {
			const first = await db.store.appendAudit({
				userId: 'u1',
				role: 'community_head',
				action: 'unmask',
				subjectType: 'resident',
				subjectId: 'r1',
				communityCode: '450102001003',
				reason: 'follow_up',
				deviceId: 'd1',
				details: { field: 'phone' }
			});
			await new Promise((r) => setTimeout(r, 5));
			const second = await db.store.appendAudit({
				userId: 'u1',
				role: 'community_head',
				action: 'export',
				subjectType: 'community',
				subjectId: '450102001003',
				communityCode: '450102001003'
			});
			await db.store.appendAudit({
				userId: 'u2',
				role: 'admin',
				action: 'export',
				subjectType: 'community',
				subjectId: 'x',
				communityCode: '450102001004'
			});
			const entries = await db.store.auditEntries({ communityCode: '450102001003', limit: 10 });
			expect(entries.map((e) => e.id)).toEqual([second.id, first.id]);
			expect(entries[1].details).toEqual({ field: 'phone' });
		});
	});
}
