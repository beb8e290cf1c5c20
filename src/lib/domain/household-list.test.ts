import { describe, expect, it } from 'vitest';
import { monthRange, dayRange } from './calendar';
import { DEFAULT_VISIT_FREQUENCY } from './care';
import {
	coverageOf,
	filterHouseholds,
	summarizeHouseholds,
	type GridRows,
	type HouseholdSummary
} from './household-list';

const NOW = new Date(2024, 10, 24, 10, 0);
const MONTH = monthRange(NOW);
const at = (day: number, hour = 10) => new Date(2024, 10, day, hour).toISOString();
const LAST_MONTH = new Date(2024, 9, 30, 10).toISOString();

const collator = new Intl.Collator('zh-CN', { numeric: true });
const options = {
	month: MONTH,
	tagWords: (tag: string) => (tag === 'elderly_alone' ? ['独居老人', 'elderly living alone'] : []),
	compareAddress: collator.compare
};

function rows(): GridRows {
	return {
		households: [
			{ id: 'h12', address: '民生路12号1栋101室', tags: [], memberCount: 2 },
			{ id: 'h2', address: '民生路2号1栋101室', tags: ['elderly_alone'], memberCount: 1 },
			{ id: 'h3', address: '兴宁路3号2栋502室', tags: ['low_income'] }
		],
		residents: [
			{ householdId: 'h12', name: '黄建国' },
			{ householdId: 'h12', name: '韦秀英' },
			{ householdId: 'h2', name: '陆桂兰' },
			{ householdId: 'h3', name: 'Li Wei' }
		],
		visits: [
			{ householdId: 'h12', visitedAt: at(3), outcome: 'visited', abnormal: true },
			{ householdId: 'h12', visitedAt: at(20), outcome: 'visited', abnormal: false },
			{ householdId: 'h2', visitedAt: LAST_MONTH, outcome: 'visited', abnormal: true },
			{ householdId: 'h3', visitedAt: at(22), outcome: 'nobody_home', abnormal: false }
		],
		incidents: [
			{ householdId: 'h2', category: 'help_request', status: 'accepted' },
			{ householdId: 'h3', category: 'help_request', status: 'closed' },
			{ householdId: 'h3', category: 'health', status: 'reported' },
			{ householdId: null, category: 'help_request', status: 'reported' }
		],
		pendingVisitHouseholds: new Set(['h3'])
	};
}

const ids = (list: HouseholdSummary[]) => list.map((s) => s.id);

describe('household summaries', () => {
	const summaries = summarizeHouseholds(rows(), options);

	it('sorts by address as people read it (pinyin order of streets, numbers by value)', () => {
		expect(ids(summaries)).toEqual(['h2', 'h12', 'h3']);
	});

	it('takes the last visit, whatever order visits come in', () => {
		const h12 = summaries.find((s) => s.id === 'h12')!;
		expect(h12).toMatchObject({
			visitedThisMonth: true,
			lastVisitAt: at(20),
			lastVisitAbnormal: false,
			names: ['黄建国', '韦秀英'],
			memberCount: 2
		});
		const h2 = summaries.find((s) => s.id === 'h2')!;
		expect(h2).toMatchObject({
			visitedThisMonth: false,
			lastVisitAbnormal: true,
			openHelpRequests: 1
		});
		const h3 = summaries.find((s) => s.id === 'h3')!;
		expect(h3).toMatchObject({
			lastVisitOutcome: 'nobody_home',
			openHelpRequests: 0,
			pendingVisit: true,
			memberCount: 1
		});
	});

	it.each([
		['', [], ['h2', 'h12', 'h3']],
		['民生路', [], ['h2', 'h12']],
		['秀英', [], ['h12']],
		['li wei', [], ['h3']],
		['独居', [], ['h2']],
		['ELDERLY', [], ['h2']],
		['民生路 黄', [], ['h12']],
		['', ['not_visited'], ['h2']],
		['', ['elderly_alone'], ['h2']],
		['', ['abnormal'], ['h2']],
		['', ['help'], ['h2']],
		['', ['not_visited', 'help'], ['h2']],
		['民生路', ['abnormal', 'help'], ['h2']],
		['兴宁', ['elderly_alone'], []]
	] as const)('query %j with filters %j → %j', (query, filters, expected) => {
		expect(ids(filterHouseholds(summaries, query, filters))).toEqual(expected);
	});
});

describe('coverage', () => {
	it('counts distinct households visited this month and visit records today', () => {
		const visits = [
			...rows().visits,
			{ householdId: 'h12', visitedAt: NOW.toISOString() },
			{ householdId: 'h12', visitedAt: NOW.toISOString() },
			{ householdId: 'other-grid', visitedAt: NOW.toISOString() }
		];
		expect(coverageOf(['h12', 'h2', 'h3'], visits, MONTH, dayRange(NOW))).toEqual({
			households: 3,
			visitedHouseholds: 2,
			visitsToday: 2
		});
	});
});

describe('due and overdue filters', () => {
	const grid = rows();
	const care = {
		today: '2024-11-24',
		timeZone: 'Asia/Shanghai',
		frequency: { ...DEFAULT_VISIT_FREQUENCY }
	};
	const households = [
		// Overdue after a need-help check-in the day after its last visit (its visits are known).
		{
			...grid.households[0],
			lastVisitedOn: '2024-11-20',
			dueOn: '2024-11-22',
			dueReason: 'need_help' as const,
			careTag: 'default' as const
		},
		// Due today after a help request yesterday.
		{
			...grid.households[1],
			lastVisitedOn: '2024-10-30',
			dueOn: '2024-11-24',
			dueReason: 'help_request' as const,
			careTag: 'elderly_alone' as const
		},
		// Overdue on the server, but visited on this device today.
		{
			...grid.households[2],
			lastVisitedOn: '2024-10-01',
			dueOn: '2024-10-31',
			careTag: 'low_income' as const
		}
	];
	const visits = [
		...grid.visits,
		{
			householdId: 'h3',
			visitedAt: '2024-11-24T02:00:00.000Z',
			outcome: 'visited' as const,
			abnormal: false
		}
	];
	const summaries = summarizeHouseholds({ ...grid, households, visits }, { ...options, care });

	it('marks each household due, overdue or neither, this device’s visits counted', () => {
		expect(summaries.map((s) => [s.id, s.due])).toEqual([
			['h2', 'due'],
			['h12', 'overdue'],
			['h3', null]
		]);
	});

	it('filters due (today or earlier) and overdue (before today)', () => {
		expect(ids(filterHouseholds(summaries, '', ['due']))).toEqual(['h2', 'h12']);
		expect(ids(filterHouseholds(summaries, '', ['overdue']))).toEqual(['h12']);
		expect(ids(filterHouseholds(summaries, '民生', ['due', 'elderly_alone']))).toEqual(['h2']);
	});

	it('leaves nothing due without the care options', () => {
		expect(summarizeHouseholds(grid, options).every((s) => s.due === null)).toBe(true);
	});
});
