import { describe, expect, it } from 'vitest';
import { idCheckChar } from '$lib/shared/id-number';
import { applyIdNumber, prefillShown, type PrefillFields } from './id-prefill';

const FIRST17 = '45010219501025032'; // born 25 October 1950; 2 is even: female
const ID_1950_F = FIRST17 + idCheckChar(FIRST17);
const OTHER17 = '45010219620101001'; // born 1 January 1962; 1 is odd: male
const ID_1962_M = OTHER17 + idCheckChar(OTHER17);
const TODAY = new Date('2026-12-06T00:00:00Z');

const empty: PrefillFields = {
	birthYear: '',
	sex: '',
	ownBirthYear: false,
	ownSex: false,
	last: null
};

describe('applyIdNumber', () => {
	it('fills birth year and sex of an untouched form from a valid number', () => {
		expect(applyIdNumber(ID_1950_F, empty, TODAY)).toEqual({
			birthYear: '1950',
			sex: 'F',
			prefill: { birthYear: 1950, sex: 'F' }
		});
	});

	it('fills a birth year the person typed and then cleared', () => {
		// Typed 1850 (refused), cleared the box, then typed the ID number.
		const next = applyIdNumber(ID_1950_F, { ...empty, ownBirthYear: true }, TODAY);
		expect(next.birthYear).toBe('1950');
		expect(prefillShown(next.prefill, next.birthYear, next.sex)).toEqual({
			birthYear: 1950,
			sex: 'F'
		});
	});

	it('keeps a birth year and a sex the person typed', () => {
		const next = applyIdNumber(
			ID_1950_F,
			{ ...empty, birthYear: '1951', sex: 'M', ownBirthYear: true, ownSex: true },
			TODAY
		);
		expect(next).toMatchObject({ birthYear: '1951', sex: 'M' });
		// The note names nothing: neither field shows what the number says.
		expect(prefillShown(next.prefill, next.birthYear, next.sex)).toBeNull();
	});

	it('replaces its own earlier prefill when the number is corrected', () => {
		const first = applyIdNumber(ID_1950_F, empty, TODAY);
		const second = applyIdNumber(
			ID_1962_M,
			{ ...first, ownBirthYear: true, ownSex: true, last: first.prefill },
			TODAY
		);
		expect(second).toEqual({
			birthYear: '1962',
			sex: 'M',
			prefill: { birthYear: 1962, sex: 'M' }
		});
	});

	it('changes nothing for an incomplete or wrong number', () => {
		const fields = { ...empty, birthYear: '1940', sex: 'M' as const };
		expect(applyIdNumber(FIRST17, fields, TODAY)).toEqual({
			birthYear: '1940',
			sex: 'M',
			prefill: null
		});
		const wrongCheck = FIRST17 + (idCheckChar(FIRST17) === '1' ? '2' : '1');
		expect(applyIdNumber(wrongCheck, fields, TODAY).prefill).toBeNull();
	});
});

describe('prefillShown', () => {
	const prefill = { birthYear: 1950, sex: 'F' as const };

	it('names only the fields still holding the prefill', () => {
		expect(prefillShown(prefill, '1950', 'F')).toEqual({ birthYear: 1950, sex: 'F' });
		expect(prefillShown(prefill, '', 'F')).toEqual({ birthYear: null, sex: 'F' });
		expect(prefillShown(prefill, '1950', 'M')).toEqual({ birthYear: 1950, sex: null });
		expect(prefillShown(prefill, '1949', 'M')).toBeNull();
		expect(prefillShown(null, '1950', 'F')).toBeNull();
	});
});
