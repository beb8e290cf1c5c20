import { describe, expect, it } from 'vitest';
import { formatDay, labelledDays, valueTicks } from './trend-axes';

describe('valueTicks', () => {
	it('steps by 1, 2 or 5 × 10ⁿ from zero up to the largest value', () => {
		expect(valueTicks(0)).toEqual([0, 1]);
		expect(valueTicks(3)).toEqual([0, 1, 2, 3]);
		expect(valueTicks(7)).toEqual([0, 2, 4, 6, 8]);
		expect(valueTicks(10)).toEqual([0, 5, 10]);
		expect(valueTicks(37)).toEqual([0, 10, 20, 30, 40]);
		expect(valueTicks(1234)).toEqual([0, 500, 1000, 1500]);
	});

	it('always reaches the largest value', () => {
		for (let max = 0; max <= 500; max += 7)
			expect(valueTicks(max).at(-1)).toBeGreaterThanOrEqual(max);
	});
});

describe('labelledDays', () => {
	it('labels every day that fits, counting back from the last', () => {
		expect(labelledDays(14, 14 * 44)).toEqual([...Array(14).keys()]);
		expect(labelledDays(14, 300)).toEqual([1, 4, 7, 10, 13]);
		expect(labelledDays(1, 10)).toEqual([0]);
		expect(labelledDays(0, 300)).toEqual([]);
	});
});

describe('formatDay', () => {
	it('formats the calendar day itself, whatever the device zone', () => {
		expect(formatDay('2026-03-10', 'zh-CN')).toBe('3/10');
		expect(formatDay('2026-03-10', 'zh-CN', 'long')).toBe('3月10日');
		expect(formatDay('2026-12-31', 'en', 'long')).toBe('December 31');
		expect(formatDay('2026-01-01', 'en')).toBe('1/1');
	});
});
