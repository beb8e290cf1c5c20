import { describe, expect, it } from 'vitest';
import { wordParts } from './words';

describe('wordParts', () => {
	it.each([
		['民生路138号1栋1单元101室', ['单元', '138', '101']],
		['覃秀梅（兴宁社区书记）', ['书记', '（']],
		['Room 101, Building 1', ['Room', ' ', '101', ',']]
	])('%s splits into words and gives the text back', (text, expected) => {
		const parts = wordParts(text);
		expect(parts.join('')).toBe(text);
		for (const part of expected) expect(parts).toContain(part);
		expect(parts.length).toBeGreaterThan(2);
	});

	it('leaves an empty text empty', () => {
		expect(wordParts('')).toEqual([]);
	});
});
