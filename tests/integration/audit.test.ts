// The audit trail: unmasking, exports and permission changes write entries; nothing alters one,
// neither a route nor a direct UPDATE/DELETE on either database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index';
import { ApiClient, testApp } from './api-client';
import { seedFixture, TREE, type Fixture } from './fixtures';
import { addPerson, SHARED_ID } from './privacy-fixtures';
import { rawSql } from './raw-sql';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`audit trail (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let head: ApiClient;
		let admin: ApiClient;

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store);
			head = await new ApiClient(app).login('head_a');
			admin = await new ApiClient(app).login('admin');
			const worker = await new ApiClient(app).login('worker_a1');
			const person = await addPerson(worker, fx.grids.a1, {
				name: '黄桂英',
				idNumber: SHARED_ID,
				phone: '13877112233'
			});
			await worker.request(`/residents/${person.resident}/unmask`, {
				method: 'POST',
				body: JSON.stringify({ field: 'phone', reason: 'contact_resident' })
			});
			await head.request(`/residents/export?gridId=${fx.grids.a1}`);
			const workerB = await new ApiClient(app).login('worker_b1');
			const other = await addPerson(workerB, fx.grids.b1, { name: '李四', phone: '13911112222' });
			await workerB.request(`/residents/${other.resident}/unmask`, {
				method: 'POST',
				body: JSON.stringify({ field: 'phone', reason: 'emergency_aid' })
			});
		});
		afterAll(async () => db.dispose());

		type Entry = { action: string; communityCode: string | null; reason: string | null };
		const list = async (client: ApiClient, query = '') => {
			const res = await client.request(`/audit${query}`);
			expect(res.status).toBe(200);
			return ((await res.json()) as { entries: Entry[] }).entries;
		};

		it("shows a community head their community's entries, newest first", async () => {
			const entries = await list(head);
			expect(entries.map((e) => e.action)).toEqual(['export', 'unmask']);
			expect(entries.every((e) => e.communityCode === '450102001003')).toBe(true);
			expect((await head.request('/audit?code=450102001004')).status).toBe(403);
		});

		it('shows an administrator every community, or one', async () => {
			expect((await list(admin)).map((e) => e.action)).toEqual(['unmask', 'export', 'unmask']);
			const b = await list(admin, '?code=450102001004');
			expect(b).toHaveLength(1);
			expect(b[0]).toMatchObject({ action: 'unmask', reason: 'emergency_aid' });
			expect((await list(admin, '?limit=1')).length).toBe(1);
			const bad = await admin.request('/audit?code=45');
			expect(bad.status).toBe(400);
			expect(((await bad.json()) as { field: string }).field).toBe('code');
		});

		it('has no route that changes or removes an entry', async () => {
			const [entry] = await db.store.auditEntries({ limit: 1 });
			for (const method of ['PUT', 'PATCH', 'DELETE', 'POST'])
				for (const path of ['/audit', `/audit/${(entry as { id: string }).id}`]) {
					const res = await admin.request(path, { method, body: '{}' });
					expect([404, 405]).toContain(res.status);
				}
			expect(await db.store.auditEntries({ limit: 100 })).toHaveLength(3);
		});

		it('refuses a direct UPDATE, DELETE (and TRUNCATE) of audit entries in the database', async () => {
			await expect(rawSql(db.url, "UPDATE audit_entries SET reason = 'edited'")).rejects.toThrow(
				/append-only/
			);
			await expect(rawSql(db.url, 'DELETE FROM audit_entries')).rejects.toThrow(/append-only/);
			if (dialect === 'postgres')
				await expect(rawSql(db.url, 'TRUNCATE audit_entries')).rejects.toThrow(/append-only/);
			const entries = await db.store.auditEntries({ limit: 100 });
			expect(entries).toHaveLength(3);
			expect(entries.some((e) => e.reason === 'edited')).toBe(false);
			// Appending still works.
			await rawSql(
				db.url,
				"INSERT INTO audit_entries (id, at, user_id, role, action, subject_type, subject_id) VALUES ('x1', " +
					(dialect === 'sqlite' ? '0' : 'now()') +
					", 'u', 'admin', 'export', 'grid', 'g')"
			);
			expect(await db.store.auditEntries({ limit: 100 })).toHaveLength(4);
		});
	});
}

describe('audit trail of the command line (sqlite)', () => {
	let dir: string;
	let env: NodeJS.ProcessEnv;
	const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
	const cli = (...args: string[]) =>
		promisify(execFile)(process.execPath, [BIN, ...args], { env, timeout: 60_000 });

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'gridcare-audit-'));
		env = { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}` };
		const store = openStore(env.DATABASE_URL!);
		await store.migrate();
		await store.upsertDivisions(TREE);
		await store.close();
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('records `user add` as a permission change', async () => {
		const { stdout } = await cli(
			'user',
			'add',
			'--username',
			'head_new',
			'--role',
			'community_head',
			'--scope',
			'450102001004',
			'--password',
			'long enough 1'
		);
		const id = stdout.trim().split('\n').at(-1)!;
		const store = openStore(env.DATABASE_URL!);
		try {
			const [entry] = await store.auditEntries({ communityCode: '450102001004', limit: 5 });
			expect(entry).toMatchObject({
				action: 'user_created',
				userId: 'cli',
				subjectType: 'user',
				subjectId: id,
				details: { username: 'head_new', role: 'community_head', scope: ['450102001004'] }
			});
			expect(JSON.stringify(entry)).not.toContain('long enough');
		} finally {
			await store.close();
		}
	});
});
