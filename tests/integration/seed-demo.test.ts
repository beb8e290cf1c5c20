// The demo seed on fresh databases (SQLite, and PostgreSQL when it answers): shape and realism of
// the data, validity of every ID number and phone, determinism, and no reseeding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/auth/password';
import {
	DEFAULT_DEMO_SEED,
	DEMO_COMMUNITY_CODE,
	DEMO_GRID_NAMES,
	demoGridIds,
	seedDemo,
	type DemoSummary
} from '../../server/seed/demo';
import type { HouseholdRow, ResidentRow, Store } from '../../server/store/types';
import { ROLES } from '../../src/lib/shared/enums';
import { idBirthDate, idSex } from '../../src/lib/shared/id-number';
import { PHONE_PATTERN, idNumberSchema } from '../../src/lib/shared/schemas';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

interface Snapshot {
	households: HouseholdRow[];
	residents: ResidentRow[];
}

/** Every household and resident of the demo grids, in a stable order. */
async function snapshot(store: Store, gridIds: string[]): Promise<Snapshot> {
	const households: HouseholdRow[] = [];
	for (const id of gridIds) households.push(...(await store.householdsOfGrid(id)));
	const residents = (
		await Promise.all(households.map((h) => store.residentsOfHousehold(h.id)))
	).flat();
	return { households, residents };
}

/** The data a seed decides, without server bookkeeping (timestamps, change-log versions). */
function seededContent({ households, residents }: Snapshot) {
	return {
		households: households.map(({ id, gridId, address, tags, lat, lng, memberCount }) => ({
			id,
			gridId,
			address,
			tags,
			lat,
			lng,
			memberCount
		})),
		residents: residents.map(
			({ id, householdId, name, idNumber, phone, birthYear, sex, tags, dailyCheckIn }) => ({
				id,
				householdId,
				name,
				idNumber,
				phone,
				birthYear,
				sex,
				tags,
				dailyCheckIn
			})
		)
	};
}

async function timedSeed(store: Store, label: string): Promise<DemoSummary | null> {
	const started = performance.now();
	const summary = await seedDemo(store, { seed: DEFAULT_DEMO_SEED });
	const seconds = (performance.now() - started) / 1000;
	console.log(`seedDemo on ${label}: ${seconds.toFixed(2)} s`);
	return summary;
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`seedDemo (${dialect})`, () => {
		let db: TestStore;
		let summary: DemoSummary;
		let data: Snapshot;
		const year = new Date().getFullYear();

		beforeAll(async () => {
			db = await openTestStore(dialect);
			const seeded = await timedSeed(db.store, `a fresh ${dialect} database (with divisions)`);
			if (!seeded) throw new Error('seedDemo returned null on an empty database');
			summary = seeded;
			data = await snapshot(db.store, demoGridIds(DEFAULT_DEMO_SEED));
		});
		afterAll(async () => db?.dispose());

		it('imports the real community and creates six named grids with deterministic ids', async () => {
			expect(summary.communityCode).toBe(DEMO_COMMUNITY_CODE);
			expect((await db.store.getDivision(DEMO_COMMUNITY_CODE))?.name).toBe('兴宁社区居委会');
			expect(summary.grids.map((g) => g.name)).toEqual([...DEMO_GRID_NAMES]);
			expect(summary.grids.map((g) => g.id)).toEqual(demoGridIds(DEFAULT_DEMO_SEED));
			const stored = await db.store.gridsOfCommunity(DEMO_COMMUNITY_CODE);
			expect(stored.map((g) => g.id).sort()).toEqual(summary.grids.map((g) => g.id).sort());
		});

		it('gives every grid 250–400 households and counts them right', async () => {
			for (const grid of summary.grids) {
				expect(grid.households).toBeGreaterThanOrEqual(250);
				expect(grid.households).toBeLessThanOrEqual(400);
				expect(await db.store.countHouseholds([grid.id])).toBe(grid.households);
				expect(await db.store.countResidents([grid.id])).toBe(grid.residents);
			}
			const total = summary.grids.reduce((n, g) => n + g.households, 0);
			expect(data.households).toHaveLength(total);
			expect(new Set(data.households.map((h) => h.address)).size).toBe(total);
		});

		it('puts 1–5 residents in every household, matching memberCount, about 2.5 on average', () => {
			const members = new Map<string, number>();
			for (const r of data.residents)
				members.set(r.householdId, (members.get(r.householdId) ?? 0) + 1);
			for (const h of data.households) {
				const n = members.get(h.id) ?? 0;
				expect(n).toBeGreaterThanOrEqual(1);
				expect(n).toBeLessThanOrEqual(5);
				expect(h.memberCount).toBe(n);
				expect(h.address).toMatch(/^\p{Script=Han}+[路街]\d+号\d+栋\d单元\d{3,4}室$/u);
			}
			const mean = data.residents.length / data.households.length;
			expect(mean).toBeGreaterThan(2.2);
			expect(mean).toBeLessThan(2.9);
		});

		it('has 10–20% of residents aged 65 or over', () => {
			const old = data.residents.filter((r) => year - r.birthYear! >= 65).length;
			const share = old / data.residents.length;
			expect(share).toBeGreaterThanOrEqual(0.1);
			expect(share).toBeLessThanOrEqual(0.2);
		});

		it('asks every elderly person living alone, and only them, to check in daily', () => {
			const byHousehold = new Map<string, ResidentRow[]>();
			for (const r of data.residents)
				byHousehold.set(r.householdId, [...(byHousehold.get(r.householdId) ?? []), r]);
			const alone = data.households.filter((h) => h.tags.includes('elderly_alone'));
			expect(alone.length).toBeGreaterThan(0);
			for (const h of alone) {
				const [resident, ...others] = byHousehold.get(h.id) ?? [];
				expect(others).toEqual([]);
				expect(resident.dailyCheckIn).toBe(true);
				expect(year - resident.birthYear!).toBeGreaterThanOrEqual(65);
			}
			const checkIns = data.residents.filter((r) => r.dailyCheckIn).length;
			expect(checkIns).toBe(alone.length);
		});

		it('tags households in small realistic proportions', () => {
			const share = (tag: string) =>
				data.households.filter((h) => h.tags.includes(tag)).length / data.households.length;
			expect(share('elderly_alone')).toBeGreaterThan(0.03);
			expect(share('elderly_alone')).toBeLessThan(0.15);
			for (const tag of ['disabled', 'low_income', 'key_care']) {
				expect(share(tag)).toBeGreaterThan(0);
				expect(share(tag)).toBeLessThan(0.08);
			}
		});

		it('gives valid, unique ID numbers consistent with birth year and sex', () => {
			const ids = data.residents.map((r) => r.idNumber);
			expect(new Set(ids).size).toBe(ids.length);
			for (const r of data.residents) {
				expect(idNumberSchema.safeParse(r.idNumber).success, `${r.idNumber}`).toBe(true);
				expect(r.idNumber!.startsWith('45')).toBe(true);
				expect(idBirthDate(r.idNumber!)?.year).toBe(r.birthYear);
				expect(idSex(r.idNumber!)).toBe(r.sex);
				expect(r.idNumberMasked).toBe(`${r.idNumber!.slice(0, 6)}********${r.idNumber!.slice(-4)}`);
			}
		});

		it('gives most adults a valid mobile number and no child one', () => {
			const adults = data.residents.filter((r) => year - r.birthYear! >= 18);
			const withPhone = data.residents.filter((r) => r.phone !== null);
			for (const r of withPhone) expect(r.phone).toMatch(PHONE_PATTERN);
			expect(adults.filter((r) => r.phone !== null).length / adults.length).toBeGreaterThan(0.8);
			expect(withPhone.every((r) => year - r.birthYear! >= 14)).toBe(true);
		});

		it('gives names of 2–3 Chinese characters', () => {
			for (const r of data.residents) expect(r.name).toMatch(/^\p{Script=Han}{2,3}$/u);
		});

		it('places households near 兴宁区, Nanning, clustered per grid', () => {
			for (const grid of summary.grids) {
				const rows = data.households.filter((h) => h.gridId === grid.id);
				const lats = rows.map((h) => h.lat!);
				const lngs = rows.map((h) => h.lng!);
				for (const lat of lats) expect(Math.abs(lat - 22.82)).toBeLessThan(0.01);
				for (const lng of lngs) expect(Math.abs(lng - 108.33)).toBeLessThan(0.01);
				// A cluster: a grid spans a few hundred metres (0.003° ≈ 330 m), not the district.
				expect(Math.max(...lats) - Math.min(...lats)).toBeLessThan(0.003);
				expect(Math.max(...lngs) - Math.min(...lngs)).toBeLessThan(0.003);
			}
		});

		it('creates one user per role with password demo1234 and the expected scopes', async () => {
			expect(new Set(summary.users.map((u) => u.role))).toEqual(new Set(ROLES));
			const [grid1, grid2] = summary.grids.map((g) => g.id);
			const scopes: Record<string, string[]> = {
				worker1: [grid1],
				worker2: [grid2],
				head: ['450102001003'],
				street: ['450102001'],
				county: ['450102'],
				city: ['4501'],
				province: ['45'],
				kiosk: ['450102001003'],
				volunteer: ['450102001003'],
				admin: ['45']
			};
			for (const u of summary.users) {
				const user = await db.store.findUserByUsername(u.username);
				expect(user?.role).toBe(u.role);
				expect(user?.scope).toEqual(scopes[u.username]);
				expect(user?.displayName).toMatch(/\p{Script=Han}/u);
				expect(u.password).toBe('demo1234');
			}
			const worker = await db.store.findUserByUsername('worker1');
			expect(await verifyPassword('demo1234', worker!.passwordHash)).toBe(true);
		});

		it('gives identical data when the same seed is used on another fresh database', async () => {
			// Always SQLite for the second database: cheap, and on PostgreSQL it also shows that
			// both dialects store exactly the same seeded data.
			const other = await openTestStore('sqlite');
			try {
				const again = await timedSeed(other.store, 'another fresh sqlite database');
				expect(again).toEqual(summary);
				const otherData = await snapshot(other.store, demoGridIds(DEFAULT_DEMO_SEED));
				expect(seededContent(otherData)).toEqual(seededContent(data));
			} finally {
				await other.dispose();
			}
		});

		it('does nothing and returns null on a database that already has users', async () => {
			const gridIds = summary.grids.map((g) => g.id);
			const before = [
				await db.store.countUsers(),
				await db.store.countHouseholds(gridIds),
				await db.store.countResidents(gridIds)
			];
			expect(await seedDemo(db.store, { seed: DEFAULT_DEMO_SEED + 1 })).toBeNull();
			expect(await seedDemo(db.store)).toBeNull();
			expect([
				await db.store.countUsers(),
				await db.store.countHouseholds(gridIds),
				await db.store.countResidents(gridIds)
			]).toEqual(before);
			expect(await db.store.gridsOfCommunity(DEMO_COMMUNITY_CODE)).toHaveLength(6);
		});
	});
}
