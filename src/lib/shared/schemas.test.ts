import { describe, expect, it } from 'vitest';
import { idCheckChar } from './id-number';
import {
	calendarDateSchema,
	describeIssue,
	INSERT_FIELDS,
	instantSchema,
	loginSchema,
	textProblem,
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

	it.each([
		['平安', false, null],
		['民生路8号 1栋', false, null],
		['a\u0000b', false, 'control_character'],
		['a\u001fb', false, 'control_character'],
		['a\u007fb', false, 'control_character'],
		['第一行\n第二行', false, 'control_character'],
		['第一行\n第二行\t完', true, null],
		['回车\r换行', true, 'control_character'],
		['\ud800', false, 'lone_surrogate'],
		['x\udfff', true, 'lone_surrogate'],
		['\udc00\ud800', false, 'lone_surrogate'],
		['\ud83d\ude00 笑', false, null],
		['\u0080\u2028', false, null]
	])('text %j (multiline %s): %s', (value, multiline, problem) =>
		expect(textProblem(value, multiline)).toBe(problem)
	);

	it('refuses control characters in every text field, allowing tab and newline only in notes', () => {
		const problem = (schema: typeof INSERT_FIELDS.households, value: unknown) => {
			const result = schema.safeParse(value);
			return result.success ? null : describeIssue(result.error).message;
		};
		const household = { gridId: HOUSEHOLD, address: '民生路8号' };
		expect(problem(INSERT_FIELDS.households, { ...household, address: '民生路\t8号' })).toBe(
			'address: must not contain control characters'
		);
		expect(problem(INSERT_FIELDS.households, { ...household, tags: ['ok', '\ud800'] })).toBe(
			'tags.1: must not contain invalid Unicode (a lone surrogate)'
		);
		const visit = {
			householdId: HOUSEHOLD,
			visitedAt: '2026-11-24T09:00:00+08:00',
			outcome: 'visited',
			checks: [{ residentId: HOUSEHOLD, symptoms: ['咳嗽\n'] }],
			note: '第一行\n\t第二行'
		};
		const visitResult = INSERT_FIELDS.visits.safeParse(visit);
		expect(describeIssue(visitResult.error!).message).toBe(
			'checks.0.symptoms.0: must not contain control characters'
		);
		expect(INSERT_FIELDS.visits.safeParse({ ...visit, checks: [] }).success).toBe(true);
		const login = loginSchema.safeParse({ username: 'a\u0000', password: 'x', deviceId: 'd' });
		expect(describeIssue(login.error!).field).toBe('username');
		const push = pushRequestSchema.safeParse({ deviceId: 'd\u001b', mutations: [] });
		expect(describeIssue(push.error!).field).toBe('deviceId');
	});

	it('bounds instants by 2000-01-01T00:00Z and, given a clock, now + 24 h', () => {
		const now = new Date('2026-11-24T00:00:00Z');
		const bounded = instantSchema(() => now);
		const ok = (value: string) => bounded.safeParse(value).success;
		expect(ok('2000-01-01T00:00:00Z')).toBe(true);
		expect(ok('2000-01-01T07:59:59+08:00')).toBe(false);
		expect(ok('0000-01-01T00:00:00Z')).toBe(false);
		expect(ok('2026-11-25T00:00:00Z')).toBe(true);
		expect(ok('2026-11-25T00:00:01Z')).toBe(false);
		expect(ok('9999-12-31T00:00:00Z')).toBe(false);
		expect(ok('2026-11-24')).toBe(false);
		// Without a clock only the earliest bound holds (the receiver checks the latest).
		expect(instantSchema().safeParse('9999-12-31T00:00:00Z').success).toBe(true);
		expect(instantSchema().safeParse('1999-12-31T23:59:59Z').success).toBe(false);
	});

	it.each([
		['2026-02-28', true],
		['2028-02-29', true],
		['2000-01-01', true],
		['9999-12-31', true],
		['2026-02-30', false],
		['2027-02-29', false],
		['2026-13-01', false],
		['2026-04-31', false],
		['0000-01-01', false],
		['1999-12-31', false],
		['2026-2-3', false]
	])('calendar date %s valid: %s', (date, ok) =>
		expect(calendarDateSchema.safeParse(date).success).toBe(ok)
	);
});
