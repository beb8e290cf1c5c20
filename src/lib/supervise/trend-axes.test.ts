import { describe, expect, it } from 'vitest';
import { labelledDays, valueTicks } from './trend-axes';

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
