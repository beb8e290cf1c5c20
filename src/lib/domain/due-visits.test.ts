import { describe, expect, it } from 'vitest';
import { DEFAULT_VISIT_FREQUENCY } from './care';
import { dueVisits, dueWhy, effectiveDue, visitDay, type DayVisit } from './due-visits';

const F = DEFAULT_VISIT_FREQUENCY;
const visited = (day: string, abnormal = false): DayVisit => ({
	day,
	outcome: 'visited',
	abnormal
});

describe('effectiveDue', () => {
	const alone = {
		tags: [],
		lastVisitedOn: '2026-11-01',
		dueOn: '2026-11-08',
		dueReason: 'elderly_alone' as const,
		careTag: 'elderly_alone' as const
	};

	it('is the server’s due day when no later visit is on the device', () => {
		expect(effectiveDue(alone, [visited('2026-11-01'), visited('2026-10-20')], F)).toEqual({
			dueOn: '2026-11-08',
			dueReason: 'elderly_alone',
			lastVisitedOn: '2026-11-01',
			careTag: 'elderly_alone'
		});
	});

	it('moves with a visit recorded here after the server’s last, by the row’s tier', () => {
		expect(effectiveDue(alone, [visited('2026-11-09'), visited('2026-11-05')], F)).toMatchObject({
			dueOn: '2026-11-16',
			dueReason: 'elderly_alone',
			lastVisitedOn: '2026-11-09'
		});
		// The community's own frequencies.
		expect(effectiveDue(alone, [visited('2026-11-09')], { ...F, elderly_alone: 3 })?.dueOn).toBe(
			'2026-11-12'
		);
	});

	it('takes only visits that found someone home', () => {
		const notHome: DayVisit = { day: '2026-11-09', outcome: 'nobody_home', abnormal: false };
		expect(effectiveDue(alone, [notHome], F)?.dueOn).toBe('2026-11-08');
	});

	it('makes an abnormal visit due the next day', () => {
		expect(effectiveDue(alone, [visited('2026-11-09', true)], F)).toMatchObject({
			dueOn: '2026-11-10',
			dueReason: 'abnormal'
		});
	});

	it('keeps the server’s signal on the visit’s own day, drops an older one', () => {
		const signalled = { ...alone, dueOn: '2026-11-05', dueReason: 'help_request' as const };
		// The help request was on 11-04: a visit on 11-04 still leaves it due the next day.
		expect(effectiveDue(signalled, [visited('2026-11-04')], F)).toMatchObject({
			dueOn: '2026-11-05',
			dueReason: 'help_request'
		});
		expect(effectiveDue(signalled, [visited('2026-11-06')], F)).toMatchObject({
			dueOn: '2026-11-13',
			dueReason: 'elderly_alone'
		});
	});

	it('resets a never-visited household, and is null without a due day or a visit', () => {
		const fresh = { tags: ['low_income'], lastVisitedOn: null, dueOn: '2026-12-01' };
		expect(effectiveDue(fresh, [visited('2026-11-03')], F)).toMatchObject({
			dueOn: '2026-12-03',
			dueReason: 'low_income',
			careTag: 'low_income'
		});
		expect(effectiveDue({ tags: [] }, [], F)).toBeNull();
		expect(effectiveDue({ tags: [] }, [visited('2026-11-03')], F)?.dueOn).toBe('2027-02-01');
	});
});

describe('visitDay', () => {
	it('uses the server’s day, else the deployment’s calendar', () => {
		expect(visitDay({ visitedAt: '2026-11-03T17:00:00.000Z', day: '2026-11-04' }, 'UTC')).toBe(
			'2026-11-04'
		);
		expect(visitDay({ visitedAt: '2026-11-03T17:00:00.000Z' }, 'Asia/Shanghai')).toBe('2026-11-04');
		expect(visitDay({ visitedAt: '2026-11-03T17:00:00.000Z' }, 'UTC')).toBe('2026-11-03');
	});
});

describe('dueWhy', () => {
	it('tells the tier and the days since the last visit, or that there was none', () => {
		const due = {
			dueOn: '2026-11-08',
			dueReason: 'elderly_alone' as const,
			careTag: 'elderly_alone' as const
		};
		expect(dueWhy({ ...due, lastVisitedOn: '2026-11-01' }, '2026-11-10')).toEqual({
			kind: 'tier',
			careTag: 'elderly_alone',
			days: 9
		});
		expect(dueWhy({ ...due, lastVisitedOn: null }, '2026-11-10')).toMatchObject({ days: null });
	});

	it('tells a signal and how long ago it was', () => {
		const due = {
			dueOn: '2026-11-10',
			dueReason: 'unwell' as const,
			careTag: 'default' as const,
			lastVisitedOn: null
		};
		expect(dueWhy(due, '2026-11-10')).toEqual({ kind: 'signal', signal: 'unwell', daysAgo: 1 });
		expect(dueWhy(due, '2026-11-12')).toMatchObject({ daysAgo: 3 });
	});
});

describe('dueVisits', () => {
	const h = (id: string, address: string, dueOn: string | null, extra = {}) => ({
		id,
		address,
		tags: [],
		lastVisitedOn: '2026-08-01',
		dueOn,
		dueReason: 'default' as const,
		careTag: 'default' as const,
		...extra
	});
	const households = [
		h('a', '2号', '2026-11-10'),
		h('b', '1号', '2026-11-10'),
		h('c', '3号', '2026-11-07'),
		h('d', '4号', '2026-11-11'),
		h('e', '5号', null),
		h('f', '6号', '2026-11-08')
	];
	const visits: Record<string, DayVisit[]> = { f: [visited('2026-11-10')] };

	it('lists the households due today or earlier, longest overdue first, then by address', () => {
		const list = dueVisits(
			households,
			(id) => visits[id] ?? [],
			F,
			'2026-11-10',
			(x, y) => x.address.localeCompare(y.address)
		);
		expect(list.map((d) => [d.household.id, d.state, d.overdueDays])).toEqual([
			['c', 'overdue', 3],
			['b', 'due', 0],
			['a', 'due', 0]
		]);
		expect(list[0].why).toEqual({ kind: 'tier', careTag: 'default', days: 101 });
	});
});
