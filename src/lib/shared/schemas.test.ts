import { describe, expect, it } from 'vitest';
import { idCheckChar } from './id-number';
import {
	describeIssue,
	mutationSchema,
	phoneSchema,
	pushRequestSchema,
	residentFields,
	temperatureSchema,
	visitFields
} from './schemas';

const HOUSEHOLD = '0b7a4f2e-3c1d-4e5f-8a9b-0c1d2e3f4a5b';
const first17 = '45010219800101123';

describe('shared schemas', () => {
	it.each([
		['13912345678', true],
		['19912345678', true],
		['12912345678', false],
		['1391234567', false],
		['139123456789', false]
	])('phone %s valid: %s', (phone, ok) => expect(phoneSchema.safeParse(phone).success).toBe(ok));

	it.each([
		[34, true],
		[43, true],
		[37.3, true],
		[33.9, false],
		[43.1, false]
	])('temperature %s valid: %s', (t, ok) =>
		expect(temperatureSchema.safeParse(t).success).toBe(ok)
	);

	it('names the offending field of a resident', () => {
		const bad = residentFields.safeParse({
			householdId: HOUSEHOLD,
			name: '王芳',
			idNumber: first17 + (idCheckChar(first17) === '0' ? '1' : '0')
		});
		expect(bad.success).toBe(false);
		expect(describeIssue(bad.error!)).toEqual({
			field: 'idNumber',
			message: 'idNumber: check character is wrong (GB 11643)'
		});
		const ok = residentFields.safeParse({
			householdId: HOUSEHOLD,
			name: '王芳',
			idNumber: first17 + idCheckChar(first17)
		});
		expect(ok.success).toBe(true);
	});

	it('names nested fields of a visit and unknown keys', () => {
		const bad = visitFields.safeParse({
			householdId: HOUSEHOLD,
			visitedAt: '2026-11-24T09:00:00+08:00',
			outcome: 'visited',
			checks: [{ residentId: HOUSEHOLD, temperature: 50 }]
		});
		expect(describeIssue(bad.error!).field).toBe('checks.0.temperature');
		const extra = visitFields.strict().safeParse({
			householdId: HOUSEHOLD,
			visitedAt: '2026-11-24T09:00:00+08:00',
			outcome: 'visited',
			checks: [],
			secret: 1
		});
		expect(describeIssue(extra.error!).field).toBe('secret');
	});

	it('accepts the push envelope and rejects a mutation of an unknown table', () => {
		const mutation = { id: HOUSEHOLD, table: 'visits', op: 'insert', rowId: HOUSEHOLD, fields: {} };
		expect(pushRequestSchema.safeParse({ deviceId: 'd', mutations: [mutation] }).success).toBe(
			true
		);
		const bad = mutationSchema.safeParse({ ...mutation, table: 'users' });
		expect(describeIssue(bad.error!).field).toBe('table');
	});
});
