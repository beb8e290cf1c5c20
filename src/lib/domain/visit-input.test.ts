import { describe, expect, it } from 'vitest';
import { splitOther } from './visit-input';

describe('splitting "other" answers', () => {
	it('splits at Latin and Chinese commas, enumeration marks and semicolons, and drops blanks', () => {
		expect(splitOther(' 头痛，胸闷、 dizzy;;  ')).toEqual(['头痛', '胸闷', 'dizzy']);
		expect(splitOther('')).toEqual([]);
	});
});
