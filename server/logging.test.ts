import { DrizzleQueryError } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { errorFields, errorSummary } from './logging';

const PHONE = '13812345678';

/** A driver error as postgres.js builds one: SQLSTATE, identifiers, and values in message and detail. */
function postgresError(): Error {
	return Object.assign(
		new Error(`duplicate key value violates unique constraint, phone ${PHONE}`),
		{
			name: 'PostgresError',
			code: '23505',
			detail: `Key (phone)=(${PHONE}) already exists.`,
			constraint_name: 'residents_phone_key',
			table_name: 'residents',
			query: `insert into residents (phone) values ($1)`,
			parameters: [PHONE]
		}
	);
}

describe('errorFields', () => {
	it("keeps class, code, identifiers and drizzle's statement; drops params, messages and detail", () => {
		// A value that tries to pass for a stack frame on its own line.
		const forged = `${PHONE}\n    at evil (/srv/${PHONE}.js:1:1)`;
		const error = new DrizzleQueryError(
			'insert into "residents" ("phone") values ($1)',
			[forged],
			postgresError()
		);
		const fields = errorFields(error);
		expect(fields).toMatchObject({
			error: 'DrizzleQueryError',
			cause: 'PostgresError',
			code: '23505',
			constraint: 'residents_phone_key',
			table: 'residents',
			query: 'insert into "residents" ("phone") values ($1)'
		});
		expect(fields.stack).toMatch(/^ {4}at .*logging\.test\.ts:\d+:\d+/);
		expect(JSON.stringify(fields)).not.toMatch(new RegExp(`${PHONE}|params|Key \\(|evil`));
	});

	it('blanks literals and long numbers a statement might hold', () => {
		const error = new DrizzleQueryError(
			`select * from residents where phone = '${PHONE}' or id = ${PHONE}`,
			[],
			undefined
		);
		expect(errorFields(error).query).toBe("select * from residents where phone = '?' or id = #");
	});

	it('keeps only frames of a stack in an unexpected shape', () => {
		const error = new Error('x');
		error.stack = `Something else: ${PHONE}\n${PHONE}\n    at run (/srv/app.js:3:7)`;
		expect(errorFields(error)).toEqual({ error: 'Error', stack: '    at run (/srv/app.js:3:7)' });
	});

	it('never takes a code or an identifier that could be a value', () => {
		const error = Object.assign(new Error(PHONE), {
			code: `bad code ${PHONE}`,
			table_name: `t ${PHONE}`
		});
		expect(errorFields(error)).not.toHaveProperty('code');
		expect(errorFields(error)).not.toHaveProperty('table');
		expect(errorFields(`thrown ${PHONE}`)).toEqual({ error: 'string' });
	});

	it('sums an error up in one line for a person', () => {
		const error = new DrizzleQueryError(
			'insert into "users" ("name") values ($1)',
			['张三丰'],
			postgresError()
		);
		expect(errorSummary(error)).toBe(
			'DrizzleQueryError (23505) on residents_phone_key in: insert into "users" ("name") values ($1)'
		);
	});
});
