import { describe, expect, it } from 'vitest';
import {
	byAttention,
	byUrgency,
	chartPoints,
	coverageBand,
	coveragePercent,
	isOverdue,
	isStaleSync,
	parseRound,
	parseSettings,
	sumMetrics
} from './supervise-attention';
import type { Metrics } from './supervise-types';

function metrics(overrides: Partial<Metrics> = {}): Metrics {
	return {
		households: 100,
		visitedHouseholds: 50,
		visits: 60,
		abnormalResidents: 0,
		openIncidents: 0,
		overdueIncidents: 0,
		checkinsExpected: 10,
		checkinsDone: 10,
		missedCheckins: 0,
		visitsDue: 0,
		visitsOverdue: 0,
		...overrides
	};
}

describe('byAttention', () => {
	it('puts overdue incidents first, then low coverage, then missed check-ins, then name', () => {
		const rows = [
			{ name: '丁', metrics: metrics() },
			{ name: '丙', metrics: metrics({ missedCheckins: 3 }) },
			{ name: '乙', metrics: metrics({ visitedHouseholds: 10 }) },
			{ name: '甲', metrics: metrics({ overdueIncidents: 1, visitedHouseholds: 100 }) },
			{ name: '戊', metrics: metrics({ overdueIncidents: 4, visitedHouseholds: 100 }) },
			{ name: '己', metrics: metrics({ missedCheckins: 5 }) }
		];
		expect(byAttention(rows).map((r) => r.name)).toEqual(['戊', '甲', '乙', '己', '丙', '丁']);
	});

	it('counts a node without households as fully covered and does not mutate its input', () => {
		const rows = [
			{ name: 'empty', metrics: metrics({ households: 0, visitedHouseholds: 0 }) },
			{ name: 'half', metrics: metrics() }
		];
		const copy = [...rows];
		expect(byAttention(rows).map((r) => r.name)).toEqual(['half', 'empty']);
		expect(rows).toEqual(copy);
	});
});

describe('coveragePercent and sumMetrics', () => {
	it('rounds the visited share and never exceeds 100', () => {
		expect(coveragePercent(metrics({ visitedHouseholds: 1, households: 3 }))).toBe(33);
		expect(coveragePercent(metrics({ visitedHouseholds: 5, households: 4 }))).toBe(100);
	});

	it('adds every metric', () => {
		const total = sumMetrics([metrics(), metrics({ overdueIncidents: 2, missedCheckins: 1 })]);
		expect(total).toEqual(
			metrics({
				households: 200,
				visitedHouseholds: 100,
				visits: 120,
				overdueIncidents: 2,
				checkinsExpected: 20,
				checkinsDone: 20,
				missedCheckins: 1
			})
		);
	});
});

describe('isStaleSync', () => {
	const now = new Date('2026-11-24T12:00:00Z');
	it.each([
		[null, true],
		['2026-11-23T11:59:59Z', true],
		['2026-11-23T12:30:00Z', false],
		['not a date', true]
	])('%s → %s', (lastSyncAt, stale) => {
		expect(isStaleSync(lastSyncAt, now)).toBe(stale);
	});
});

describe('byUrgency', () => {
	const now = new Date('2026-11-24T12:00:00Z');
	const incidents = [
		{ id: 'a', status: 'accepted', severity: 'low', dueAt: '2026-11-25T00:00:00Z' },
		{ id: 'b', status: 'reported', severity: 'urgent', dueAt: '2026-11-24T14:00:00Z' },
		{ id: 'c', status: 'reported', severity: 'low', dueAt: '2026-11-24T10:00:00Z' },
		{ id: 'd', status: 'reported', severity: 'high', dueAt: '2026-11-25T12:00:00Z' },
		{ id: 'e', status: 'reported', severity: 'high', dueAt: '2026-11-24T18:00:00Z' },
		{ id: 'f', status: 'closed', severity: 'urgent', dueAt: '2026-11-20T00:00:00Z' }
	] as const;

	it('lists overdue first, then by severity, then by due time', () => {
		expect(byUrgency(incidents, now).map((i) => i.id)).toEqual(['c', 'f', 'b', 'e', 'd', 'a']);
	});

	it('never calls a closed incident overdue', () => {
		expect(isOverdue(incidents[5], now)).toBe(false);
		expect(isOverdue(incidents[2], now)).toBe(true);
	});
});

describe('parseSettings', () => {
	const good = {
		checkinCutoff: '10:00',
		abnormalResidents: '3',
		missedCheckins: '2',
		coverageBehindPct: '20',
		visitsOverdue: '4',
		'visitFrequency.elderly_alone': '5',
		'visitFrequency.advanced_age': '14',
		'visitFrequency.disabled': '14',
		'visitFrequency.low_income': '30',
		'visitFrequency.key_care': '7',
		'visitFrequency.default': '365'
	};

	it('accepts a valid form and converts the numbers', () => {
		expect(parseSettings(good)).toEqual({
			ok: true,
			value: {
				checkinCutoff: '10:00',
				thresholds: {
					abnormalResidents: 3,
					missedCheckins: 2,
					coverageBehindPct: 20,
					visitsOverdue: 4
				},
				visitFrequency: {
					elderly_alone: 5,
					advanced_age: 14,
					disabled: 14,
					low_income: 30,
					key_care: 7,
					default: 365
				}
			}
		});
	});

	it('names every field with a problem', () => {
		expect(
			parseSettings({
				...good,
				checkinCutoff: '25:00',
				abnormalResidents: '',
				missedCheckins: '1.5',
				coverageBehindPct: '120',
				visitsOverdue: '-1',
				'visitFrequency.elderly_alone': '0',
				'visitFrequency.disabled': '366',
				'visitFrequency.default': ' '
			})
		).toEqual({
			ok: false,
			problems: {
				checkinCutoff: 'time',
				abnormalResidents: 'required',
				missedCheckins: 'whole_number',
				coverageBehindPct: 'percent',
				visitsOverdue: 'whole_number',
				'visitFrequency.elderly_alone': 'interval',
				'visitFrequency.disabled': 'interval',
				'visitFrequency.default': 'required'
			}
		});
	});
});

describe('chartPoints', () => {
	it('spreads the values across the width and scales them to the height', () => {
		expect(chartPoints([0, 5, 10], 100, 50)).toEqual([
			[0, 50],
			[50, 25],
			[100, 0]
		]);
		expect(chartPoints([], 100, 50)).toEqual([]);
		expect(chartPoints([0, 5], 100, 50, 10)).toEqual([
			[0, 50],
			[100, 25]
		]);
		expect(chartPoints([0, 0], 100, 50)).toEqual([
			[0, 50],
			[100, 50]
		]);
	});
});

describe('coverageBand', () => {
	it.each([
		[0, 'low'],
		[0.39, 'low'],
		[0.4, 'middle'],
		[0.79, 'middle'],
		[0.8, 'high'],
		[1, 'high']
	] as const)('%s → %s', (share, band) => {
		expect(coverageBand(share)).toBe(band);
	});
});

describe('parseRound', () => {
	it('accepts a named round whose due date is not before its start', () => {
		expect(
			parseRound({ name: ' 全面排查 ', startDate: '2026-11-24', dueDate: '2026-11-24' })
		).toEqual({
			ok: true,
			value: { name: '全面排查', startDate: '2026-11-24', dueDate: '2026-11-24' }
		});
	});

	it('names the field of each problem', () => {
		expect(parseRound({ name: '', startDate: '2026-02-30', dueDate: '' })).toEqual({
			ok: false,
			problems: { name: 'required', startDate: 'date', dueDate: 'required' }
		});
		expect(parseRound({ name: 'x', startDate: '2026-11-24', dueDate: '2026-11-20' })).toEqual({
			ok: false,
			problems: { dueDate: 'due_before_start' }
		});
	});
});
