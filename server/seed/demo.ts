// Demo data for a fresh install: the real community 兴宁社区居委会 (450102001003, 民生街道, 兴宁区,
// 南宁市, 广西) with six grids of synthetic but realistic households and residents, and one login
// per role. Everything is drawn from one seeded faker in a fixed order, so the same seed gives
// the same ids, names, addresses and ID numbers on any database.
import { Faker, base, zh_CN } from '@faker-js/faker';
import { hashPassword } from '../auth/password';
import { importDivisions } from '../divisions/import';
import type { NewHousehold, NewResident, Store } from '../store/types';
import type { DayClock } from '../rollup/snapshots';
import { timeZoneFromEnv } from '../time-zone';
import { insertRoster } from '../write/roster';
import { SYSTEM } from '../write';
import type { HouseholdTag, Role, Sex } from '../../src/lib/shared/enums';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { describeIssue, householdFields, residentFields } from '../../src/lib/shared/schemas';
import type { z } from 'zod';

export const DEMO_PROVINCE_CODE = '45';
export const DEMO_COMMUNITY_CODE = '450102001003';
export const DEMO_PASSWORD = 'demo1234';
export const DEFAULT_DEMO_SEED = 450102;
export const DEMO_GRID_NAMES = [
	'第一网格',
	'第二网格',
	'第三网格',
	'第四网格',
	'第五网格',
	'第六网格'
] as const;

export interface DemoSummary {
	communityCode: string;
	grids: { id: string; name: string; households: number; residents: number }[];
	users: { username: string; role: Role; password: string }[];
}

export interface SeedDemoOptions {
	seed?: number;
	/** Reference date for ages and birth dates; defaults to now. */
	now?: Date;
	/** The deployment's time zone (figures' days); defaults to GRIDCARE_TIME_ZONE's. */
	timeZone?: string;
}

/** One generated grid with its rows, ready for the store. */
export interface DemoGrid {
	id: string;
	name: string;
	boundary: GeoJsonPolygon;
	households: NewHousehold[];
	residents: NewResident[];
}

interface GeoJsonPolygon {
	type: 'Polygon';
	coordinates: [number, number][][];
}

/** A resident before names and documents are drawn. */
interface MemberPlan {
	age: number;
	sex: Sex;
	surname: string;
}

interface Building {
	/** "民生路12号3栋" */
	label: string;
	units: number;
	floors: number;
	roomsPerFloor: number;
	lat: number;
	lng: number;
}

/** A list written as space-separated words, to keep long tables of short strings compact. */
function words(list: string): string[] {
	return list.split(' ');
}

// Streets of Nanning's old town around 民生街道; each grid's buildings front one or two of them.
const STREETS = words(
	'民生路 兴宁路 解放路 人民东路 当阳街 共和路 华强路 新华街 北宁街 中山路 望仙坡路 水街'
);

// Common surnames in Guangxi (壮族 and Han), mixed with faker's national list.
const GUANGXI_SURNAMES = words('黄 韦 李 陆 覃 梁 莫 蒙 农 陈 潘 罗');

// Given names typical of people born before the 1960s; faker's lists lean young.
const OLD_GIVEN_NAMES: Record<Sex, string[]> = {
	M: words('建国 建军 建华 国强 国平 志明 德明 振华 文华 福生 永康 桂生'),
	F: words('秀英 桂兰 玉兰 秀兰 凤英 桂英 玉梅 秀珍 玉珍 淑芬 美华 月娥')
};

// Real Guangxi county codes for residents registered elsewhere in the region (ID prefix).
const OTHER_GUANGXI_COUNTIES = words(
	'450103 450105 450107 450126 450181 450202 450302 450521 450702 450802 450902 451002 451402'
);

const MOBILE_PREFIXES = words(
	'130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 166 ' +
		'173 175 176 177 178 180 181 182 183 185 186 187 188 189 191 193 195 198 199'
);

// 兴宁区, Nanning: the six grids sit around this point, a few hundred metres apart.
const CENTRE = { lat: 22.82, lng: 108.33 };

function demoFaker(seed: number): Faker {
	const faker = new Faker({ locale: [zh_CN, base] });
	faker.seed(seed);
	return faker;
}

/** Grid ids are the first draws of the seeded faker, so tests can know them in advance. */
function drawGridIds(faker: Faker): string[] {
	return DEMO_GRID_NAMES.map(() => faker.string.uuid());
}

/** The ids seedDemo gives the six grids for a seed, in DEMO_GRID_NAMES order. */
export function demoGridIds(seed: number = DEFAULT_DEMO_SEED): string[] {
	return drawGridIds(demoFaker(seed));
}

// ---------------------------------------------------------------- people

class PeopleFactory {
	private readonly idNumbers = new Set<string>();
	private readonly phones = new Set<string>();

	constructor(
		private readonly faker: Faker,
		private readonly year: number
	) {}

	surname(): string {
		const f = this.faker;
		if (f.datatype.boolean(0.45)) return f.helpers.arrayElement(GUANGXI_SURNAMES);
		// Compound surnames (欧阳, 诸葛…) are far rarer than faker's list makes them, and names
		// should stay 2–3 characters.
		for (;;) {
			const surname = f.person.lastName();
			if (Array.from(surname).length === 1) return surname;
		}
	}

	name(member: MemberPlan): string {
		const f = this.faker;
		const birthYear = this.year - member.age;
		const given =
			birthYear < 1962 && f.datatype.boolean(0.7)
				? f.helpers.arrayElement(OLD_GIVEN_NAMES[member.sex])
				: f.person.firstName(member.sex === 'M' ? 'male' : 'female');
		return member.surname + Array.from(given).slice(0, 2).join('');
	}

	/** GB 11643: county code, birth date, sequence (odd for men), MOD 11-2 check character. */
	idNumber(birthYear: number, sex: Sex): string {
		const f = this.faker;
		for (;;) {
			const county = f.datatype.boolean(0.7)
				? '450102'
				: f.helpers.arrayElement(OTHER_GUANGXI_COUNTIES);
			const dayOfYear = f.number.int({ min: 0, max: isLeapYear(birthYear) ? 365 : 364 });
			const birth = new Date(Date.UTC(birthYear, 0, 1 + dayOfYear));
			const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
			const sexDigit = f.helpers.arrayElement(sex === 'M' ? [1, 3, 5, 7, 9] : [0, 2, 4, 6, 8]);
			const sequence = String(f.number.int({ min: 1, max: 99 })).padStart(2, '0') + sexDigit;
			const first17 = county + date + sequence;
			const id = first17 + idCheckChar(first17);
			if (!this.idNumbers.has(id)) {
				this.idNumbers.add(id);
				return id;
			}
		}
	}

	/** Most working-age adults have a mobile; fewer of the very old, none of the children. */
	phone(age: number): string | undefined {
		const f = this.faker;
		const share = age < 14 ? 0 : age < 18 ? 0.5 : age < 65 ? 0.95 : age < 80 ? 0.8 : 0.5;
		if (!f.datatype.boolean(share)) return undefined;
		for (;;) {
			const phone = f.helpers.arrayElement(MOBILE_PREFIXES) + f.string.numeric(8);
			if (!this.phones.has(phone)) {
				this.phones.add(phone);
				return phone;
			}
		}
	}
}

function isLeapYear(year: number): boolean {
	return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

// ---------------------------------------------------------------- household composition

type Composition = (faker: Faker, surname: () => string) => MemberPlan[];

const int = (faker: Faker, min: number, max: number) => faker.number.int({ min, max });

/** A child of a parent of this age: born when the parent was 22–38, at least one year old. */
function childAge(faker: Faker, parentAge: number): number {
	return parentAge - int(faker, 22, Math.min(38, parentAge - 1));
}

function couple(faker: Faker, surname: () => string, husbandAge: number): MemberPlan[] {
	// Chinese wives keep their own surname; children take the father's.
	const wifeAge = Math.max(20, husbandAge - int(faker, -1, 4));
	return [
		{ age: husbandAge, sex: 'M', surname: surname() },
		{ age: wifeAge, sex: 'F', surname: surname() }
	];
}

function children(faker: Faker, father: MemberPlan, mother: MemberPlan, n: number): MemberPlan[] {
	return Array.from({ length: n }, () => ({
		age: childAge(faker, Math.min(father.age, mother.age)),
		sex: faker.helpers.arrayElement<Sex>(['F', 'M']),
		surname: father.surname
	}));
}

const nuclear =
	(kids: number): Composition =>
	(f, surname) => {
		const [father, mother] = couple(f, surname, int(f, 28, 55));
		return [father, mother, ...children(f, father, mother, kids)];
	};

// Weights are per 100 households: mean size ≈ 2.6, about one resident in seven aged 65 or over,
// and an elderly person living alone in about one household in twelve (an old-town community).
const COMPOSITIONS: { weight: number; value: Composition }[] = [
	{
		weight: 8, // 独居老人: women outlive men
		value: (f, surname) => [
			{ age: int(f, 65, 93), sex: f.datatype.boolean(0.65) ? 'F' : 'M', surname: surname() }
		]
	},
	{
		weight: 14, // a single working-age adult, often a tenant
		value: (f, surname) => [
			{ age: int(f, 20, 64), sex: f.helpers.arrayElement<Sex>(['F', 'M']), surname: surname() }
		]
	},
	{ weight: 7, value: (f, surname) => couple(f, surname, int(f, 65, 88)) },
	{ weight: 18, value: (f, surname) => couple(f, surname, int(f, 24, 64)) },
	{
		weight: 5, // single parent with a child
		value: (f, surname) => {
			const parent: MemberPlan = {
				age: int(f, 30, 52),
				sex: f.datatype.boolean(0.7) ? 'F' : 'M',
				surname: surname()
			};
			return [parent, ...children(f, parent, parent, 1)];
		}
	},
	{ weight: 21, value: nuclear(1) },
	{
		weight: 4, // a middle-aged couple looking after a parent
		value: (f, surname) => {
			const pair = couple(f, surname, int(f, 42, 60));
			const elder = { age: pair[0].age + int(f, 22, 32), sex: 'F' as Sex, surname: surname() };
			return [...pair, elder];
		}
	},
	{ weight: 9, value: nuclear(2) },
	{
		weight: 6, // one grandparent helping with a grandchild
		value: (f, surname) => {
			const members = nuclear(1)(f, surname);
			const grandfather = f.datatype.boolean(0.35);
			const grandparent: MemberPlan = {
				age: members[0].age + int(f, 22, 34),
				sex: grandfather ? 'M' : 'F',
				surname: grandfather ? members[0].surname : surname()
			};
			return [...members, grandparent];
		}
	},
	{
		weight: 8, // 三代同堂
		value: (f, surname) => {
			const members = nuclear(1)(f, surname);
			const grandfatherAge = members[0].age + int(f, 22, 34);
			const grandparents = couple(f, () => members[0].surname, grandfatherAge);
			grandparents[1].surname = surname();
			return [...members, ...grandparents];
		}
	}
];

// ---------------------------------------------------------------- places

function gridCentre(faker: Faker, index: number): { lat: number; lng: number } {
	// Three columns by two rows, ~450 m apart, so each grid's households form their own cluster.
	const column = index % 3;
	const row = Math.floor(index / 3);
	return {
		lat: CENTRE.lat + (row - 0.5) * 0.004 + faker.number.float({ min: -0.0005, max: 0.0005 }),
		lng: CENTRE.lng + (column - 1) * 0.0045 + faker.number.float({ min: -0.0005, max: 0.0005 })
	};
}

function round6(value: number): number {
	return Math.round(value * 1e6) / 1e6;
}

/** Buildings along one or two street numbers, enough rooms for the grid's households. */
function buildingsOfGrid(faker: Faker, index: number, households: number): Building[] {
	const centre = gridCentre(faker, index);
	const streets = [STREETS[index], STREETS[(index + DEMO_GRID_NAMES.length) % STREETS.length]];
	const buildings: Building[] = [];
	const sites = new Set<string>();
	let rooms = 0;
	// Build about 15% more rooms than households: some flats are empty or let as offices.
	while (rooms < households * 1.15) {
		const label = `${streets[sites.size % streets.length]}${int(faker, 1, 180)}号`;
		if (sites.has(label)) continue;
		sites.add(label);
		const count = int(faker, 4, 9);
		for (let b = 1; b <= count; b++) {
			const highRise = faker.datatype.boolean(0.25);
			const building: Building = {
				label: `${label}${b}栋`,
				units: highRise ? int(faker, 1, 2) : int(faker, 1, 3),
				floors: highRise ? int(faker, 18, 28) : int(faker, 6, 8),
				roomsPerFloor: highRise ? 4 : 2,
				lat: round6(centre.lat + faker.number.float({ min: -0.0012, max: 0.0012 })),
				lng: round6(centre.lng + faker.number.float({ min: -0.0012, max: 0.0012 }))
			};
			buildings.push(building);
			rooms += building.units * building.floors * building.roomsPerFloor;
		}
	}
	return buildings;
}

interface Flat {
	address: string;
	lat: number;
	lng: number;
}

/** Every flat of the buildings, as "民生路12号3栋2单元501室". */
function flatsOf(buildings: Building[]): Flat[] {
	const flats: Flat[] = [];
	for (const b of buildings)
		for (let unit = 1; unit <= b.units; unit++)
			for (let floor = 1; floor <= b.floors; floor++)
				for (let room = 1; room <= b.roomsPerFloor; room++)
					flats.push({
						address: `${b.label}${unit}单元${floor}${String(room).padStart(2, '0')}室`,
						lat: b.lat,
						lng: b.lng
					});
	return flats;
}

/** Occupied flats in building order: a random subset of `count` flats. */
function occupiedFlats(faker: Faker, flats: Flat[], count: number): Flat[] {
	const chosen = new Set(faker.helpers.shuffle(flats.map((_, i) => i)).slice(0, count));
	return flats.filter((_, i) => chosen.has(i));
}

function boundaryOf(buildings: Building[]): GeoJsonPolygon {
	const margin = 0.0003;
	const lats = buildings.map((b) => b.lat);
	const lngs = buildings.map((b) => b.lng);
	const south = round6(Math.min(...lats) - margin);
	const north = round6(Math.max(...lats) + margin);
	const west = round6(Math.min(...lngs) - margin);
	const east = round6(Math.max(...lngs) + margin);
	// GeoJSON positions are [lng, lat]; the ring is closed.
	return {
		type: 'Polygon',
		coordinates: [
			[
				[west, south],
				[east, south],
				[east, north],
				[west, north],
				[west, south]
			]
		]
	};
}

// ---------------------------------------------------------------- households

function householdTags(faker: Faker, members: MemberPlan[]): HouseholdTag[] {
	const elderlyAlone = members.length === 1 && members[0].age >= 65;
	const tags: HouseholdTag[] = [];
	if (elderlyAlone) tags.push('elderly_alone');
	if (faker.datatype.boolean(0.03)) tags.push('disabled');
	if (faker.datatype.boolean(elderlyAlone ? 0.08 : 0.025)) tags.push('low_income');
	const keyCare =
		elderlyAlone && members[0].age >= 80 ? 0.4 : tags.includes('disabled') ? 0.3 : 0.01;
	if (faker.datatype.boolean(keyCare)) tags.push('key_care');
	return tags;
}

/** Throw with the offending field when the generator produced data the API would reject. */
function assertValid(schema: z.ZodType, value: unknown, what: string): void {
	const result = schema.safeParse(value);
	if (!result.success)
		throw new Error(
			`seed-demo generated an invalid ${what}: ${describeIssue(result.error).message}`
		);
}

function generateHousehold(
	faker: Faker,
	people: PeopleFactory,
	year: number,
	gridId: string,
	flat: Flat
): { household: NewHousehold; residents: NewResident[] } {
	const members = faker.helpers.weightedArrayElement(COMPOSITIONS)(faker, () => people.surname());
	const tags = householdTags(faker, members);
	const household: NewHousehold = {
		id: faker.string.uuid(),
		gridId,
		address: flat.address,
		tags,
		lat: flat.lat,
		lng: flat.lng,
		memberCount: members.length
	};
	assertValid(householdFields, household, 'household');
	// A disabled household has one disabled member, not necessarily the first.
	const disabledIndex = tags.includes('disabled') ? int(faker, 0, members.length - 1) : -1;
	const residents = members.map((member, i) => {
		const birthYear = year - member.age;
		const resident: NewResident = {
			id: faker.string.uuid(),
			householdId: household.id,
			name: people.name(member),
			idNumber: people.idNumber(birthYear, member.sex),
			phone: people.phone(member.age),
			birthYear,
			sex: member.sex,
			tags: i === disabledIndex ? ['disabled'] : [],
			dailyCheckIn: tags.includes('elderly_alone')
		};
		assertValid(residentFields, resident, 'resident');
		return resident;
	});
	return { household, residents };
}

/**
 * The demo community's grids, households and residents for a seed: pure and deterministic
 * (ages are relative to `now`'s year). Throws when it would produce data the API rejects.
 */
export function generateDemoData(seed: number = DEFAULT_DEMO_SEED, now = new Date()): DemoGrid[] {
	const faker = demoFaker(seed);
	const year = now.getFullYear();
	const people = new PeopleFactory(faker, year);
	const gridIds = drawGridIds(faker);
	return DEMO_GRID_NAMES.map((name, index) => {
		const householdCount = int(faker, 250, 400);
		const buildings = buildingsOfGrid(faker, index, householdCount);
		const flats = occupiedFlats(faker, flatsOf(buildings), householdCount);
		const grid: DemoGrid = {
			id: gridIds[index],
			name,
			boundary: boundaryOf(buildings),
			households: [],
			residents: []
		};
		for (const flat of flats) {
			const { household, residents } = generateHousehold(faker, people, year, grid.id, flat);
			grid.households.push(household);
			grid.residents.push(...residents);
		}
		return grid;
	});
}

// ---------------------------------------------------------------- users

/**
 * username, role, display name (the person's name: screens add the role), and scope: a grid (by
 * index) or a division code.
 */
const DEMO_USERS: [string, Role, string, number | string][] = [
	['worker1', 'grid_worker', '韦丽萍', 0],
	['worker2', 'grid_worker', '黄志强', 1],
	['head', 'community_head', '覃秀梅', DEMO_COMMUNITY_CODE],
	['street', 'street_officer', '陆建华', '450102001'],
	['county', 'county_officer', '梁海燕', '450102'],
	['city', 'city_officer', '莫文博', '4501'],
	['province', 'province_officer', '蒙国平', '45'],
	['kiosk', 'kiosk', '兴宁社区服务中心自助机', DEMO_COMMUNITY_CODE],
	['volunteer', 'volunteer', '潘雨欣', DEMO_COMMUNITY_CODE],
	['admin', 'admin', '系统管理员', '45']
];

async function createDemoUsers(store: Store, gridIds: string[]): Promise<DemoSummary['users']> {
	// All demo logins share one published password: one scrypt hash (~0.1 s each) serves all.
	// DEMO_PASSWORD is deliberately weak and not put through passwordWeakness
	// (auth/password-strength.ts): the demo logins are documented in README.md for trying the app.
	const passwordHash = await hashPassword(DEMO_PASSWORD);
	for (const [username, role, displayName, scope] of DEMO_USERS) {
		await store.createUser({
			username,
			role,
			displayName,
			scope: [typeof scope === 'number' ? gridIds[scope] : scope],
			passwordHash
		});
	}
	return DEMO_USERS.map(([username, role]) => ({ username, role, password: DEMO_PASSWORD }));
}

// ---------------------------------------------------------------- seeding

async function ensureDemoDivisions(store: Store): Promise<void> {
	if (await store.getDivision(DEMO_COMMUNITY_CODE)) return;
	await importDivisions(store, DEMO_PROVINCE_CODE);
	if (!(await store.getDivision(DEMO_COMMUNITY_CODE)))
		throw new Error(
			`seed-demo: community ${DEMO_COMMUNITY_CODE} is missing from the division table`
		);
}

async function insertGrid(store: Store, grid: DemoGrid, clock: DayClock): Promise<void> {
	await store.createGrid({
		id: grid.id,
		communityCode: DEMO_COMMUNITY_CODE,
		name: grid.name,
		boundary: grid.boundary
	});
	await insertRoster(
		store,
		SYSTEM,
		{ households: grid.households, residents: grid.residents },
		clock
	);
}

/**
 * Seed the demo community on a database without users; returns null and changes nothing when
 * users exist (a second `npm start`). Users are created last, so an interrupted seed is detected
 * by its grids rather than silently skipped.
 */
export async function seedDemo(
	store: Store,
	options: SeedDemoOptions = {}
): Promise<DemoSummary | null> {
	const seed = options.seed ?? DEFAULT_DEMO_SEED;
	if (!Number.isSafeInteger(seed)) throw new Error(`seed: must be an integer, got ${seed}`);
	if ((await store.countUsers()) > 0) return null;
	await ensureDemoDivisions(store);
	const grids = generateDemoData(seed, options.now ?? new Date());
	for (const grid of grids) {
		if (await store.getGrid(grid.id))
			throw new Error(
				`seed-demo: grid ${grid.id} already exists (an earlier seed was interrupted); ` +
					'start from an empty database'
			);
	}
	const clock = { now: new Date(), timeZone: options.timeZone ?? timeZoneFromEnv() };
	for (const grid of grids) await insertGrid(store, grid, clock);
	const gridIds = grids.map((g) => g.id);
	const users = await createDemoUsers(store, gridIds);
	return {
		communityCode: DEMO_COMMUNITY_CODE,
		grids: grids.map((g) => ({
			id: g.id,
			name: g.name,
			households: g.households.length,
			residents: g.residents.length
		})),
		users
	};
}
