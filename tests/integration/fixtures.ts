// A small division tree, two communities with grids, and one user per role: enough to test
// scope rules without importing a whole province.
import { hashPassword } from '../../server/auth/password';
import type { DivisionRow, Store, UserRow } from '../../server/store/types';
import type { Role } from '../../src/lib/shared/enums';

export const PASSWORD = 'correct horse 1';

export const TREE: DivisionRow[] = [
	{ code: '45', name: '广西壮族自治区', level: 'province', parentCode: null },
	{ code: '4501', name: '南宁市', level: 'city', parentCode: '45' },
	{ code: '450102', name: '兴宁区', level: 'county', parentCode: '4501' },
	{ code: '450103', name: '青秀区', level: 'county', parentCode: '4501' },
	{ code: '450102001', name: '民生街道', level: 'street', parentCode: '450102' },
	{ code: '450102001003', name: '兴宁社区居委会', level: 'community', parentCode: '450102001' },
	{ code: '450102001004', name: '北宁社区居委会', level: 'community', parentCode: '450102001' }
];

export interface Fixture {
	grids: { a1: string; a2: string; b1: string };
	users: Record<string, UserRow>;
}

export async function seedFixture(store: Store): Promise<Fixture> {
	await store.upsertDivisions(TREE);
	const a1 = await store.createGrid({ communityCode: '450102001003', name: '第一网格' });
	const a2 = await store.createGrid({ communityCode: '450102001003', name: '第二网格' });
	const b1 = await store.createGrid({ communityCode: '450102001004', name: '第一网格' });
	const passwordHash = await hashPassword(PASSWORD);
	const specs: [string, Role, string[]][] = [
		['worker_a1', 'grid_worker', [a1.id]],
		['worker_b1', 'grid_worker', [b1.id]],
		['head_a', 'community_head', ['450102001003']],
		['head_b', 'community_head', ['450102001004']],
		['street', 'street_officer', ['450102001']],
		['county_other', 'county_officer', ['450103']],
		['province', 'province_officer', ['45']],
		['kiosk_a', 'kiosk', ['450102001003']],
		['admin', 'admin', ['45']]
	];
	const users: Record<string, UserRow> = {};
	for (const [username, role, scope] of specs)
		users[username] = await store.createUser({
			username,
			role,
			scope,
			passwordHash,
			displayName: null
		});
	return { grids: { a1: a1.id, a2: a2.id, b1: b1.id }, users };
}
