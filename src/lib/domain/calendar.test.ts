import { describe, expect, it } from 'vitest';
import { dayRange, inRange, monthRange } from './calendar';

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
