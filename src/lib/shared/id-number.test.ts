import { describe, expect, it } from 'vitest';
import { idBirthDate, idCheckChar, idNumberProblem, idSex } from './id-number';

describe('GB 11643 resident ID numbers', () => {
	// Check characters computed by hand with ISO 7064 MOD 11-2.
	it.each([
		['11010519491231002', 'X'],
		['44052418800101001', '4'],
		['45010219800101123', '7'],
		['34052419800101001', 'X']
	])('check character of %s is %s', (first17, expected) => {
		expect(idCheckChar(first17)).toBe(expected);
	});

	it.each([
		['11010519491231002X', null],
		['11010519491231002x', 'format'],
		['1101051949123100', 'format'],
		['11010519490230002X', 'birthDate'],
		['11010518991231002X', 'birthDate'],
		['110105204912310029', 'birthDate'],
		['110105194912310021', 'checkChar']
	])('%s → %s', (id, problem) => {
		expect(idNumberProblem(id, new Date('2026-11-24'))).toBe(problem);
	});

	it('reads the birth date and sex', () => {
		expect(idBirthDate('11010519491231002X')).toEqual({ year: 1949, month: 12, day: 31 });
		expect(idBirthDate('110105200002290000')).toEqual({ year: 2000, month: 2, day: 29 });
		expect(idBirthDate('110105190002290000')).toBeNull();
		expect(idSex('11010519491231002X')).toBe('F');
		expect(idSex('110105194912310010')).toBe('M');
	});
});
