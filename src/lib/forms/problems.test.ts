import { describe, expect, it } from 'vitest';
import { idCheckChar } from '$lib/shared/id-number';
import { INSERT_FIELDS, UPDATE_FIELDS } from '$lib/shared/schemas';
import { fieldProblems, problemOfValidationError } from './problems';
import { ValidationError } from '$lib/db/local-rows';

const HOUSEHOLD = '0190f3a2-7c1e-7d3b-9a4f-1c2d3e4f5a6b';
const FIRST17 = '45010219450312002';
const resident = (fields: Record<string, unknown>) =>
	fieldProblems(INSERT_FIELDS.residents, { householdId: HOUSEHOLD, name: '蒙桂英', ...fields });

describe('fieldProblems', () => {
	it('passes a valid resident', () => {
		expect(resident({ idNumber: FIRST17 + idCheckChar(FIRST17), phone: '13812345678' })).toBeNull();
	});

	it.each([
		['checkChar', FIRST17 + (idCheckChar(FIRST17) === '1' ? '2' : '1')],
		['format', FIRST17],
		['birthDate', '45010219451332002' + idCheckChar('45010219451332002')]
	] as const)('says which ID number check failed: %s', (problem, idNumber) => {
		expect(resident({ idNumber })).toEqual({ idNumber: { kind: 'id_number', problem } });
	});

	it('reports every field at once, each by its first problem', () => {
		expect(resident({ name: '  ', phone: '1381234567', birthYear: 1800, sex: 'X' })).toEqual({
			name: { kind: 'required' },
			phone: { kind: 'phone' },
			birthYear: { kind: 'min', min: 1900 },
			sex: { kind: 'choice' }
		});
	});

	it('tells junk from a number, and a fraction from a whole number', () => {
		expect(resident({ birthYear: Number.NaN })).toEqual({ birthYear: { kind: 'not_number' } });
		expect(resident({ birthYear: 1950.5 })).toEqual({ birthYear: { kind: 'not_whole_number' } });
	});

	it('classifies the household and incident fields a person types', () => {
		expect(
			fieldProblems(INSERT_FIELDS.households, { gridId: HOUSEHOLD, address: 'x'.repeat(201) })
		).toEqual({ address: { kind: 'too_long', max: 200 } });
		expect(UPDATE_FIELDS.households.safeParse({}).success).toBe(true);
	});

	it('says when typed text holds a control character or a broken one', () => {
		expect(
			fieldProblems(INSERT_FIELDS.households, {
				gridId: HOUSEHOLD,
				address: '民生路\u00008号',
				tags: ['\ud800']
			})
		).toEqual({ address: { kind: 'control_character' }, tags: { kind: 'lone_surrogate' } });
		expect(resident({ name: '蒙桂英\n' })).toEqual({ name: { kind: 'control_character' } });
		expect(
			fieldProblems(UPDATE_FIELDS.incidents, { description: '第一行\n第二行\t完' })
		).toBeNull();
	});

	it('keeps the words of a repository error that the form did not foresee', () => {
		expect(problemOfValidationError(new ValidationError('rowId', 'rowId: no such row'))).toEqual({
			field: 'rowId',
			problem: { kind: 'invalid', detail: 'no such row' }
		});
	});
});
