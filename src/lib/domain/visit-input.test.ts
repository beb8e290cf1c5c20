import { describe, expect, it } from 'vitest';
import { parseTemperature, splitOther } from './visit-input';

describe('reading a typed temperature', () => {
	it.each([
		['', undefined],
		['  ', undefined],
		['36.5', 36.5],
		[' 37.3 ', 37.3],
		['37,5', 37.5],
		['３７．５', 37.5],
		['38', 38],
		['36.55', 36.55],
		['abc', Number.NaN],
		['36.5.1', Number.NaN],
		['365', Number.NaN],
		['-36', Number.NaN]
	])('%j → %s', (text, expected) => {
		expect(parseTemperature(text)).toBe(expected);
	});
});

describe('splitting "other" answers', () => {
	it('splits at Latin and Chinese commas, enumeration marks and semicolons, and drops blanks', () => {
		expect(splitOther(' 头痛，胸闷、 dizzy;;  ')).toEqual(['头痛', '胸闷', 'dizzy']);
		expect(splitOther('')).toEqual([]);
	});
});
