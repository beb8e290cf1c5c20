import { describe, expect, it } from 'vitest';
import type { ResidentRow } from '$lib/db/db';
import { INSERT_FIELDS, UPDATE_FIELDS } from '$lib/shared/schemas';
import {
	EMPTY_RESIDENT_VALUES,
	RELATION_SUGGESTIONS,
	residentChanges,
	residentInsertFields,
	residentProblems,
	valuesOf,
	type ResidentValues
} from './resident-values';

const HOUSEHOLD = '0190f3a2-7c1e-7d3b-9a4f-1c2d3e4f5a6b';
const YEAR = 2026;

const typed = (values: Partial<ResidentValues>): ResidentValues => ({
	...EMPTY_RESIDENT_VALUES,
	name: '蒙桂英',
	...values
});

const stored: ResidentRow = {
	id: '0190f3a2-7c1e-7d3b-9a4f-000000000001',
	householdId: HOUSEHOLD,
	name: '蒙桂英',
	idNumberMasked: null,
	phone: '13812345678',
	birthYear: 1948,
	sex: 'F',
	relation: '户主',
	landline: '0771-1234567',
	note: '腿脚不便',
	tags: ['advanced_age'],
	dailyCheckIn: true,
	version: 3
};

describe('a new resident', () => {
	it('sends relation, landline and note, the phones as stored', () => {
		const fields = residentInsertFields(
			HOUSEHOLD,
			typed({
				relation: ' 配偶 ',
				phone: '+86 138 1234 5678',
				landline: '(0771) 123 4567',
				note: '  独自在家，女儿每周回来  ',
				tags: ['advanced_age']
			})
		);
		expect(fields).toMatchObject({
			relation: '配偶',
			phone: '13812345678',
			landline: '0771-1234567',
			note: '独自在家，女儿每周回来',
			tags: ['advanced_age']
		});
		expect(INSERT_FIELDS.residents.safeParse(fields).success).toBe(true);
		expect(residentProblems(HOUSEHOLD, null, typed({ landline: '07711234567' }), YEAR)).toEqual({});
	});

	it('leaves empty boxes out', () => {
		const fields = residentInsertFields(HOUSEHOLD, typed({ relation: ' ', note: '\n' }));
		expect(fields).not.toHaveProperty('relation');
		expect(fields).not.toHaveProperty('landline');
		expect(fields).not.toHaveProperty('note');
	});

	it('names the landline when it is not one, and keeps what was typed', () => {
		for (const landline of ['1234567', '0771-12345', '电话0771']) {
			const v = typed({ landline });
			expect(residentProblems(HOUSEHOLD, null, v, YEAR)).toEqual({
				landline: { kind: 'landline' }
			});
			expect(residentInsertFields(HOUSEHOLD, v).landline).toBe(landline);
		}
	});

	it('names a relation or note that is too long', () => {
		const problems = residentProblems(
			HOUSEHOLD,
			null,
			typed({ relation: '户'.repeat(17), note: '备'.repeat(501) }),
			YEAR
		);
		expect(problems).toEqual({
			relation: { kind: 'too_long', max: 16 },
			note: { kind: 'too_long', max: 500 }
		});
	});

	it('suggests the usual relations, each one the schema takes', () => {
		expect(RELATION_SUGGESTIONS).toContain('户主');
		for (const relation of RELATION_SUGGESTIONS)
			expect(residentProblems(HOUSEHOLD, null, typed({ relation }), YEAR)).toEqual({});
	});
});

describe('an edit', () => {
	it('opens with the stored values and changes nothing', () => {
		const v = valuesOf(stored);
		expect(v).toMatchObject({ relation: '户主', landline: '0771-1234567', note: '腿脚不便' });
		expect(residentChanges(stored, v)).toEqual({});
	});

	it('opens a row cached before the new fields existed', () => {
		const old = { ...stored };
		delete old.relation;
		delete old.landline;
		delete old.note;
		const v = valuesOf(old);
		expect(v).toMatchObject({ relation: '', landline: '', note: '' });
		expect(residentChanges(old, v)).toEqual({});
	});

	it('sends only the fields that differ, normalised', () => {
		const changes = residentChanges(
			stored,
			typed({
				...valuesOf(stored),
				relation: '配偶',
				landline: '0771 765 4321',
				note: '已搬到女儿家'
			})
		);
		expect(changes).toEqual({ relation: '配偶', landline: '0771-7654321', note: '已搬到女儿家' });
		expect(UPDATE_FIELDS.residents.safeParse(changes).success).toBe(true);
	});

	it('treats the same landline written another way as unchanged', () => {
		const v = { ...valuesOf(stored), landline: '(0771)1234567', phone: '138 1234 5678' };
		expect(residentChanges(stored, v)).toEqual({});
	});

	it('clears a note, but not a relation or a landline', () => {
		const v = { ...valuesOf(stored), note: ' ', relation: '', landline: '' };
		expect(residentChanges(stored, v)).toEqual({ note: '' });
		expect(residentProblems(HOUSEHOLD, stored, v, YEAR)).toEqual({
			relation: { kind: 'cannot_clear' },
			landline: { kind: 'cannot_clear' }
		});
	});

	it('names a bad landline', () => {
		const v = { ...valuesOf(stored), landline: '0771-12' };
		expect(residentProblems(HOUSEHOLD, stored, v, YEAR)).toEqual({
			landline: { kind: 'landline' }
		});
	});
});
