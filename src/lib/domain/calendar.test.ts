import { describe, expect, it } from 'vitest';
import { coveragePeriodAt, dayRange, inRange, monthRange } from './calendar';

describe('calendar ranges', () => {
	it('the month runs from the first local midnight to the next month', () => {
		const now = new Date(2024, 10, 24, 16, 20);
		const range = monthRange(now);
		expect(new Date(range.from)).toEqual(new Date(2024, 10, 1));
		expect(new Date(range.to)).toEqual(new Date(2024, 11, 1));
	});

	it('December runs into January of the next year', () => {
		const range = monthRange(new Date(2024, 11, 31, 23, 59));
		expect(new Date(range.to)).toEqual(new Date(2025, 0, 1));
	});

	it('a day is local midnight to midnight; the end is excluded', () => {
		const range = dayRange(new Date(2024, 10, 24, 0, 0));
		expect(inRange(new Date(2024, 10, 24, 0, 0).toISOString(), range)).toBe(true);
		expect(inRange(new Date(2024, 10, 24, 23, 59, 59).toISOString(), range)).toBe(true);
		expect(inRange(new Date(2024, 10, 25, 0, 0).toISOString(), range)).toBe(false);
		expect(inRange(new Date(2024, 10, 23, 23, 59).toISOString(), range)).toBe(false);
	});
});

describe('coverage period', () => {
	const NOW = new Date(2025, 5, 15, 10, 0).getTime();
	const round = (name: string, startDate: string, dueDate: string) => ({
		name,
		startDate,
		dueDate
	});

	it('is the round running today, the one started last of several', () => {
		const period = coveragePeriodAt(NOW, [
			round('五月排查', '2025-05-01', '2025-05-31'),
			round('上半年排查', '2025-06-01', '2025-06-30'),
			round('汛期排查', '2025-06-10', '2025-06-15'),
			round('七月排查', '2025-07-01', '2025-07-31')
		]);
		expect(period).toEqual({
			kind: 'round',
			name: '汛期排查',
			dueDate: '2025-06-15',
			range: {
				from: new Date(2025, 5, 10).toISOString(),
				to: new Date(2025, 5, 16).toISOString()
			}
		});
	});

	it('falls back to the calendar month when no round is running', () => {
		const period = coveragePeriodAt(NOW, [
			round('五月排查', '2025-05-01', '2025-06-14'),
			round('七月排查', '2025-06-16', '2025-07-31')
		]);
		expect(period).toEqual({ kind: 'month', range: monthRange(new Date(NOW)) });
		expect(coveragePeriodAt(NOW, [])).toEqual({ kind: 'month', range: monthRange(new Date(NOW)) });
	});
});
