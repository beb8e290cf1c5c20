// The workload: households with 1–3 residents in the worker's grid, and visit records as a tablet
// queues them (a `visits` insert as `mutationSchema` in src/lib/shared/schemas.ts takes it).
// Generated once from a fixed seed, so every database and the PouchDB peer receive exactly the same
// visits.
import type { Store } from '../../server/store/types';
import { SYSTEM } from '../../server/write';
import { insertRoster } from '../../server/write/roster';
import { pick, seededRandom, seededUuid7 } from './common';

export interface BenchHousehold {
	id: string;
	address: string;
	residents: { id: string; name: string; birthYear: number; sex: 'F' | 'M' }[];
}

export interface VisitCheck {
	residentId: string;
	temperature: number;
	symptoms?: string[];
	healthCode?: 'green' | 'yellow';
}

export interface VisitFields {
	householdId: string;
	visitedAt: string;
	outcome: 'visited';
	checks: VisitCheck[];
	needs: string[];
	note: string;
}

export interface VisitMutation {
	id: string;
	table: 'visits';
	op: 'insert';
	rowId: string;
	fields: VisitFields;
}

const SURNAMES = [
	'王',
	'李',
	'张',
	'刘',
	'陈',
	'杨',
	'黄',
	'赵',
	'吴',
	'周',
	'徐',
	'孙',
	'马',
	'朱'
];
const GIVEN = [
	'秀英',
	'桂兰',
	'建国',
	'志强',
	'丽',
	'伟',
	'芳',
	'军',
	'敏',
	'静',
	'磊',
	'洋',
	'勇'
];
const NEEDS = ['买药', '送菜', '就医陪同', '心理疏导', '代缴水电费', '助浴', '理发'];
const NOTES = [
	'老人独居，精神状态良好，已提醒按时服药。',
	'家中有慢性病患者，药品充足，下周复查。',
	'住户反映楼道灯损坏，已记录报修。',
	'体温正常，已登记健康码，无外出计划。',
	'子女在外地工作，约定每日电话联系。',
	'一切正常，提醒近期注意防暑降温。'
];
const SYMPTOMS = ['咳嗽', '乏力', '咽痛'];

/** Households and residents were registered in the weeks before the visits. */
const REGISTERED_FROM = Date.parse('2026-04-01T01:00:00Z');
/** Visits start here; visit i is recorded ~17 s after visit i - 1. */
const VISITS_FROM = Date.parse('2026-05-04T00:30:00Z');

export function makeHouseholds(count: number, seed = 20_260_501): BenchHousehold[] {
	const random = seededRandom(seed);
	return Array.from({ length: count }, (_, i) => ({
		id: seededUuid7(random, REGISTERED_FROM + i * 60_000),
		address: `民生街道幸福路${1 + Math.floor(i / 24)}号${1 + ((i >> 3) % 3)}单元${101 + (i % 8)}室`,
		residents: Array.from({ length: 1 + Math.floor(random() * 3) }, (_, k) => ({
			id: seededUuid7(random, REGISTERED_FROM + i * 60_000 + 1000 * (k + 1)),
			name: pick(random, SURNAMES) + pick(random, GIVEN),
			birthYear: 1935 + Math.floor(random() * 80),
			sex: random() < 0.5 ? ('F' as const) : ('M' as const)
		}))
	}));
}

/** Put the households and their residents into a grid (the write path's bulk insert). */
export async function seedHouseholds(
	store: Store,
	gridId: string,
	households: BenchHousehold[]
): Promise<void> {
	const clock = { now: new Date(), timeZone: 'Asia/Shanghai' };
	await insertRoster(
		store,
		SYSTEM,
		{
			households: households.map((h) => ({ id: h.id, gridId, address: h.address, tags: [] })),
			residents: households.flatMap((h) =>
				h.residents.map((r) => ({
					id: r.id,
					householdId: h.id,
					name: r.name,
					birthYear: r.birthYear,
					sex: r.sex,
					tags: [],
					dailyCheckIn: r.birthYear < 1960
				}))
			)
		},
		clock
	);
}

/** `count` visit inserts over the households; checks for every resident (1–3) of the household. */
export function makeVisits(
	households: BenchHousehold[],
	count: number,
	seed: number
): VisitMutation[] {
	const random = seededRandom(seed);
	// Each seed gets its own stretch of time, so warm-up and measured visits never share ids.
	const start = VISITS_FROM + seed * 30 * 86_400_000;
	return Array.from({ length: count }, (_, i) => {
		const household = households[i % households.length];
		const visitedAt = new Date(start + i * 17_000 + Math.floor(random() * 9000));
		const checks = household.residents.map((r): VisitCheck => {
			const fever = random() < 0.03;
			const temperature = Math.round((fever ? 37.4 + random() * 1.5 : 36 + random()) * 10) / 10;
			return {
				residentId: r.id,
				temperature,
				...(fever ? { symptoms: [pick(random, SYMPTOMS)], healthCode: 'yellow' as const } : {})
			};
		});
		// The tablet makes the row id, then the outbox entry's id, as it saves the visit.
		const rowId = seededUuid7(random, visitedAt.getTime() + 60_000);
		return {
			id: seededUuid7(random, visitedAt.getTime() + 60_001),
			table: 'visits',
			op: 'insert',
			rowId,
			fields: {
				householdId: household.id,
				// The tablet's local time with its offset, as the app records it.
				visitedAt: `${new Date(visitedAt.getTime() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`,
				outcome: 'visited',
				checks,
				needs: random() < 0.3 ? [pick(random, NEEDS)] : [],
				note: pick(random, NOTES)
			}
		};
	});
}

export function batches<T>(items: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
	return out;
}
