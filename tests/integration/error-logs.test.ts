// A write that fails at the database is logged without the values it carried: no phone, name or
// address in any log line, whichever database, whatever the route answers.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

const PHONE = '13812345678';
const NAME = '张三丰';
const ADDRESS = '解放路99号3栋1单元601室';
// Every form a value could be logged in: as typed, masked, and JSON-escaped.
const SECRETS = [PHONE, '138****5678', NAME, '张*丰', ADDRESS, '解放路99号'].flatMap((s) => [
	s,
	JSON.stringify(s).slice(1, -1)
]);

/** Run DDL on the test database through a connection of its own. */
async function ddl(db: TestStore, dialect: string, statements: string[]): Promise<void> {
	if (dialect === 'sqlite') {
		const client = new Database(db.url.replace(/^file:/, ''));
		try {
			for (const s of statements) client.exec(s);
		} finally {
			client.close();
		}
		return;
	}
	const client = postgres(db.url, { max: 1, onnotice: () => {} });
	try {
		for (const s of statements) await client.unsafe(s);
	} finally {
		await client.end();
	}
}

/**
 * A trigger that refuses every insert into `table`, as a failing database would, with the row's
 * values in its message on a second line (the shape of drizzle's "params: …" line) and, on
 * PostgreSQL, in the detail too.
 */
const FAIL_ON_INSERT = (table: string, values: string) => ({
	sqlite: [
		`CREATE TRIGGER test_fail_${table} BEFORE INSERT ON ${table}
		 BEGIN SELECT RAISE(ABORT, 'boom' || char(10) || ${values}); END`
	],
	postgres: [
		`CREATE FUNCTION test_fail_${table}() RETURNS trigger LANGUAGE plpgsql AS $$
		 BEGIN RAISE EXCEPTION E'boom\n%', ${values} USING DETAIL = 'Key (v)=(' || ${values} || ')'; END $$`,
		`CREATE TRIGGER test_fail_${table} BEFORE INSERT ON ${table}
		 FOR EACH ROW EXECUTE FUNCTION test_fail_${table}()`
	]
});
const DROP = (table: string) => ({
	sqlite: [`DROP TRIGGER test_fail_${table}`],
	postgres: [`DROP TRIGGER test_fail_${table} ON ${table}`, `DROP FUNCTION test_fail_${table}()`]
});
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
const EXPECTED_CODE = { sqlite: 'SQLITE_CONSTRAINT_TRIGGER', postgres: 'P0001' };

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`error logs carry no values (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let worker: ApiClient;
		let head: ApiClient;
		const log: string[] = [];

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store, undefined, { log: (line) => log.push(line) });
			worker = await new ApiClient(app).login('worker_a1');
			head = await new ApiClient(app).login('head_a');
		});
		afterAll(async () => db.dispose());

		const assertClean = (lines: string[]) => {
			expect(lines.length).toBeGreaterThan(0);
			for (const line of lines) for (const s of SECRETS) expect(line).not.toContain(s);
		};
		const errorsOf = (lines: string[]) =>
			lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg !== 'request');

		it('a push whose resident insert fails at the database logs no phone, name or address', async () => {
			await ddl(db, dialect, FAIL_ON_INSERT('residents', "NEW.phone || ' ' || NEW.name")[dialect]);
			const from = log.length;
			try {
				const household = crypto.randomUUID();
				const res = await worker.request('/sync/push', {
					method: 'POST',
					body: JSON.stringify({
						deviceId: worker.deviceId,
						mutations: [
							{
								id: crypto.randomUUID(),
								table: 'households',
								op: 'insert',
								rowId: household,
								fields: { gridId: fx.grids.a1, address: ADDRESS }
							},
							{
								id: crypto.randomUUID(),
								table: 'residents',
								op: 'insert',
								rowId: crypto.randomUUID(),
								fields: {
									householdId: household,
									name: NAME,
									phone: PHONE,
									birthYear: 1950,
									sex: 'M'
								}
							}
						]
					})
				});
				// Whether the push answers 500 or rejects the mutation, the write did not happen.
				const body = await res.text();
				expect([200, 500]).toContain(res.status);
				if (res.status === 200) expect(body).toMatch(/"rejected"/);
				const lines = log.slice(from);
				assertClean(lines);
				if (res.status === 500) {
					expect(body).toBe('{"error":"internal","message":"internal error"}');
					const [error] = errorsOf(lines);
					expect(error).toMatchObject({
						level: 'error',
						msg: 'unhandled',
						route: '/api/v1/sync/push',
						code: EXPECTED_CODE[dialect]
					});
					expect(error.stack).toMatch(/^ {4}at /);
				}
			} finally {
				await ddl(db, dialect, DROP('residents')[dialect]);
			}
		});

		it('a failed incident move logs the statement and code, never the note', async () => {
			const incident = crypto.randomUUID();
			const household = crypto.randomUUID();
			const pushed = await worker.push([
				{
					id: crypto.randomUUID(),
					table: 'households',
					op: 'insert',
					rowId: household,
					fields: { gridId: fx.grids.a1, address: '民生路8号' }
				},
				{
					id: crypto.randomUUID(),
					table: 'incidents',
					op: 'insert',
					rowId: incident,
					fields: {
						gridId: fx.grids.a1,
						householdId: household,
						category: 'safety',
						severity: 'urgent',
						description: '燃气泄漏',
						status: 'reported'
					}
				}
			]);
			expect(pushed.map((r) => r.status)).toEqual(['applied', 'applied']);
			await ddl(db, dialect, FAIL_ON_INSERT('incident_transitions', 'NEW.note')[dialect]);
			const from = log.length;
			try {
				const res = await head.request(`/incidents/${incident}/transition`, {
					method: 'POST',
					body: JSON.stringify({
						to: 'accepted',
						note: `已联系${NAME}，电话${PHONE}，住${ADDRESS}`
					})
				});
				expect(res.status).toBe(500);
				const lines = log.slice(from);
				assertClean(lines);
				const [error] = errorsOf(lines);
				expect(error).toMatchObject({
					level: 'error',
					msg: 'unhandled',
					route: '/api/v1/incidents/:id/transition',
					code: EXPECTED_CODE[dialect]
				});
				// On PostgreSQL drizzle names the failing statement: logged without its parameters.
				if (dialect === 'postgres')
					expect(error.query).toMatch(/^insert into "incident_transitions" .*\$1/);
				expect(JSON.stringify(error)).not.toMatch(/params|boom/);
			} finally {
				await ddl(db, dialect, DROP('incident_transitions')[dialect]);
			}
			// The database works again and the move goes through.
			const again = await head.request(`/incidents/${incident}/transition`, {
				method: 'POST',
				body: JSON.stringify({ to: 'accepted', note: '已受理' })
			});
			expect(again.status).toBe(200);
		});

		it('the CLI reports a failed insert in one line, without the values of the statement', async () => {
			const password = 'Tq8#vL2m!pZx';
			await ddl(
				db,
				dialect,
				FAIL_ON_INSERT('users', "NEW.display_name || ' ' || NEW.password_hash")[dialect]
			);
			try {
				const running = promisify(execFile)(
					process.execPath,
					[
						BIN,
						'user',
						'add',
						'--username',
						'zhang_sf',
						'--role',
						'community_head',
						'--scope',
						'450102001003',
						'--display-name',
						NAME,
						'--password-stdin'
					],
					{ env: { ...process.env, DATABASE_URL: db.url }, timeout: 60_000 }
				);
				running.child.stdin!.end(`${password}\n`);
				const failure = await running.then(
					() => ({ code: 0, stderr: '' }),
					(error: { code: number; stderr: string }) => error
				);
				expect(failure.code).not.toBe(0);
				expect(failure.stderr.trim().split('\n')).toHaveLength(1);
				expect(failure.stderr).toContain(EXPECTED_CODE[dialect]);
				for (const s of [...SECRETS, password, 'scrypt$', 'boom', 'params'])
					expect(failure.stderr).not.toContain(s);
			} finally {
				await ddl(db, dialect, DROP('users')[dialect]);
			}
		});
	});
}
