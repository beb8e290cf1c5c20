// `gridcare backup` and `gridcare restore` as an operator runs them, on both databases: the real
// server in a child process keeps taking pushes from a device while the backup is taken; the
// backup restored into a fresh database holds every push acknowledged before it started, and
// serves. Restores into a database that is not empty, files that are not backups and backups of
// the other database are refused with one line, changing nothing.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	cpSync,
	existsSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index';
import { migrationsFolder } from '../../server/store/paths';
import { freePort, ServerProcess } from '../chaos/server-process';
import { ApiClient, testApp } from './api-client';
import { PASSWORD, seedFixture, type Fixture } from './fixtures';
import { withPostgres } from './pg';
import { DIALECTS, dialectAvailable, type DialectName } from './stores';

const run = promisify(execFile);
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
const uuid = () => crypto.randomUUID();
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** `gridcare <args>` on `databaseUrl`; rejects when it exits non-zero. */
function cli(databaseUrl: string, args: string[], env: NodeJS.ProcessEnv = {}) {
	return run(process.execPath, [BIN, ...args], {
		env: { ...process.env, DATABASE_URL: databaseUrl, ...env },
		timeout: 60_000
	});
}

/** The exit code and stderr of a run expected to fail. */
async function fails(databaseUrl: string, args: string[], env: NodeJS.ProcessEnv = {}) {
	try {
		await cli(databaseUrl, args, env);
	} catch (error) {
		const { code, stderr } = error as { code: number; stderr: string };
		return { code, stderr, lines: stderr.trim().split('\n') };
	}
	throw new Error(`expected "gridcare ${args.join(' ')}" to fail`);
}

const sqlitePath = (url: string) => url.slice('file:'.length);
const fileHash = (path: string) =>
	createHash('sha256').update(readFileSync(path, 'latin1'), 'latin1').digest('hex');

/** Query a database directly (SQLite read-only), outside the store. */
async function query<T>(url: string, text: string): Promise<T[]> {
	if (url.startsWith('file:')) {
		const db = new Database(sqlitePath(url), { readonly: true, fileMustExist: true });
		try {
			return db.prepare(text).all() as T[];
		} finally {
			db.close();
		}
	}
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		return (await sql.unsafe(text)) as unknown as T[];
	} finally {
		await sql.end({ timeout: 1 });
	}
}

const TABLES: Record<DialectName, string> = {
	sqlite: "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
	postgres:
		"select table_schema || '.' || table_name as name from information_schema.tables where table_schema not in ('pg_catalog', 'information_schema')"
};

/** The tables a database holds, sorted. */
async function tables(dialect: DialectName, url: string): Promise<string[]> {
	return (await query<{ name: string }>(url, TABLES[dialect])).map((r) => r.name).sort();
}

/** What a refused command must leave as it was: the tables, the pushes held, and the file. */
async function snapshot(dialect: DialectName, url: string): Promise<string> {
	const [{ n }] = await query<{ n: number }>(
		url,
		`select count(*)${dialect === 'postgres' ? '::int' : ''} as n from applied_mutations`
	);
	const file = dialect === 'sqlite' ? fileHash(sqlitePath(url)) : null;
	return JSON.stringify({ tables: await tables(dialect, url), applied: n, file });
}

/** Sign in over HTTP as the tablet `deviceId` does; the bearer token. */
async function login(serverUrl: string, username: string, deviceId: string): Promise<string> {
	const response = await fetch(`${serverUrl}/api/v1/auth/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password: PASSWORD, deviceId })
	});
	if (response.status !== 200) throw new Error(`login ${username}: ${response.status}`);
	return ((await response.json()) as { token: string }).token;
}

interface PushResult {
	status: number;
	results: { id: string; status: string; reason?: string }[];
}

async function push(
	serverUrl: string,
	token: string,
	deviceId: string,
	mutations: unknown[]
): Promise<PushResult> {
	const response = await fetch(`${serverUrl}/api/v1/sync/push`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
		body: JSON.stringify({ deviceId, mutations })
	});
	const body = response.status === 200 ? ((await response.json()) as PushResult) : null;
	return { status: response.status, results: body?.results ?? [] };
}

/**
 * A device pushing batches of visits to one household, one request after another, until
 * stopped. `acked` holds the mutation ids the server answered 200 and "applied" for, in order.
 */
function startPushing(serverUrl: string, token: string, deviceId: string, householdId: string) {
	const acked = new Set<string>();
	/** Mutation id → the visit it inserts and when its request was sent, for every one sent. */
	const sent = new Map<string, { rowId: string; sentAt: number }>();
	const problems: string[] = [];
	let stopped = false;
	const loop = (async () => {
		while (!stopped) {
			const batch = Array.from({ length: 3 }, () => ({
				id: uuid(),
				table: 'visits',
				op: 'insert',
				rowId: uuid(),
				fields: {
					householdId,
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: []
				}
			}));
			const sentAt = performance.now();
			for (const m of batch) sent.set(m.id, { rowId: m.rowId, sentAt });
			const answer = await push(serverUrl, token, deviceId, batch).catch(
				(error: Error) => ({ status: 0, results: [], error }) as PushResult
			);
			if (answer.status !== 200) problems.push(`push answered ${answer.status}`);
			for (const r of answer.results)
				if (r.status === 'applied') acked.add(r.id);
				else problems.push(`${r.id}: ${r.status} ${r.reason ?? ''}`);
		}
	})();
	return {
		acked,
		sent,
		problems,
		async stop() {
			stopped = true;
			await loop;
		}
	};
}

async function waitFor(what: string, condition: () => boolean, ms = 30_000): Promise<void> {
	const deadline = Date.now() + ms;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await sleep(20);
	}
}

let dir: string;
/** The backups the first tests took under load, by database, for the refusals after them. */
const backups: Partial<Record<DialectName, string>> = {};
const drops: (() => Promise<void>)[] = [];

beforeAll(() => {
	dir = mkdtempSync(join(tmpdir(), 'gridcare-backup-'));
});
afterAll(async () => {
	for (const drop of drops) await drop();
	rmSync(dir, { recursive: true, force: true });
});

/** A fresh, empty database of the dialect (a path not yet created, for SQLite). */
async function freshDatabase(dialect: DialectName, name: string): Promise<string> {
	if (dialect === 'sqlite') return `file:${join(dir, `${name}.db`)}`;
	const pg = await withPostgres();
	if (!pg) throw new Error('PostgreSQL is not reachable');
	drops.push(pg.drop);
	return pg.url;
}

/** A URL with a password in it (the test server trusts local connections and ignores it). */
function withPassword(url: string, password: string): string {
	const parsed = new URL(url);
	parsed.password = password;
	return parsed.toString();
}

/** No temporary file is left beside a backup or a restored database. */
function leftovers(): string[] {
	return readdirSync(dir).filter((name) => name.endsWith('.partial'));
}

describe.each(DIALECTS)('gridcare backup and restore (%s)', (dialect) => {
	const available = dialectAvailable(dialect);
	const ext = dialect === 'sqlite' ? 'db' : 'dump';
	let source: string;
	let fx: Fixture;
	let backupFile: string;

	beforeAll(async () => {
		if (!available) return;
		source = await freshDatabase(dialect, 'source');
		const store = openStore(source);
		try {
			await store.migrate();
			fx = await seedFixture(store);
		} finally {
			await store.close();
		}
	});

	it.skipIf(!available)(
		'backs up while the server takes pushes; the restore holds every push acknowledged before',
		async () => {
			backupFile = join(dir, `${dialect}-backup.${ext}`);
			const deviceId = `backup-tablet-${dialect}`;
			const household = uuid();
			const householdMutation = uuid();
			const server = new ServerProcess(source, await freePort(), dir);
			await server.start();
			const pushing = (async () => {
				const token = await login(server.url, 'worker_a1', deviceId);
				const first = await push(server.url, token, deviceId, [
					{
						id: householdMutation,
						table: 'households',
						op: 'insert',
						rowId: household,
						fields: { gridId: fx.grids.a1, address: '民生路1号', tags: [] }
					}
				]);
				expect(first.results.map((r) => r.status)).toEqual(['applied']);
				return startPushing(server.url, token, deviceId, household);
			})();
			let pusher: Awaited<typeof pushing> | undefined;
			try {
				pusher = await pushing;
				const device = pusher;
				await waitFor('pushes before the backup', () => device.acked.size >= 60);
				// What the server has acknowledged when the backup command starts.
				const before = new Set(device.acked);
				const backup = await cli(source, ['backup', '--out', backupFile]);
				const ended = performance.now();
				const during = device.acked.size - before.size;
				// A few more after it, then the device stops.
				const after = device.acked.size;
				await waitFor('pushes after the backup', () => device.acked.size >= after + 6);
				await device.stop();
				await server.stop();

				expect(backup.stdout.trim().split('\n')).toHaveLength(1);
				expect(backup.stdout).toMatch(/^backed up .+ to .+: [\d.]+ (B|KiB|MiB) in [\d.]+ s$/m);
				// The server kept answering pushes, and kept writing, while the backup was taken.
				expect(device.problems).toEqual([]);
				expect(during).toBeGreaterThan(0);
				expect(leftovers()).toEqual([]);

				backups[dialect] = backupFile;
				const target = await freshDatabase(dialect, 'restored');
				const restore = await cli(target, ['restore', '--from', backupFile]);
				expect(restore.stdout).toMatch(/^restored .+ and migrated it in [\d.]+ s$/m);

				// Straight from the server's table of applied mutations in the restored database.
				const restored = new Set(
					(await query<{ id: string }>(target, 'select id from applied_mutations')).map((r) => r.id)
				);
				expect([...before].filter((id) => !restored.has(id))).toEqual([]);
				expect(restored.has(householdMutation)).toBe(true);
				// Nothing but what the device sent; and one moment: nothing sent after the backup ended.
				expect(
					[...restored].filter((id) => id !== householdMutation && !device.sent.has(id))
				).toEqual([]);
				const later = [...device.acked].filter((id) => device.sent.get(id)!.sentAt > ended);
				expect(later.length).toBeGreaterThan(0);
				expect(later.filter((id) => restored.has(id))).toEqual([]);
				// The device sends one request at a time: what the backup holds is what it sent first.
				const held = restored.size - 1;
				expect([...device.sent.keys()].slice(0, held).filter((id) => !restored.has(id))).toEqual(
					[]
				);

				// Where a tablet that synced after the backup stands: past the restored change log.
				const sourceStore = openStore(source);
				let cursor: string;
				try {
					const tablet = await new ApiClient(testApp(sourceStore)).login('worker_a1');
					cursor = (await tablet.pullAll()).cursor;
				} finally {
					await sourceStore.close();
				}

				// The restored database serves: the store opens and migrates, the worker signs in and
				// downloads the household and every visit acknowledged before the backup.
				const store = openStore(target);
				try {
					await store.migrate();
					// That tablet is told to download its scope again, not left past what comes next.
					const tablet = await new ApiClient(testApp(store)).login('worker_a1');
					const stale = await tablet.request(`/sync/pull?cursor=${cursor}`);
					expect(stale.status).toBe(409);
					expect(await stale.json()).toMatchObject({ error: 'scope_changed' });
					expect(await store.getGrid(fx.grids.a1)).toMatchObject({ name: '第一网格' });
					const worker = await new ApiClient(testApp(store)).login('worker_a1');
					const rows = new Set((await worker.pullAll()).changes.map((c) => c.rowId));
					expect(rows.has(household)).toBe(true);
					const visits = [...before].map((id) => device.sent.get(id)!.rowId);
					expect(visits.filter((rowId) => !rows.has(rowId))).toEqual([]);
				} finally {
					await store.close();
				}
			} finally {
				await pusher?.stop();
				await server.stop();
			}
		},
		// About 10 s alone; a loaded 2-core machine takes several times that.
		120_000
	);

	it.skipIf(!available)(
		'refuses a non-empty database, an existing --out and a file that is not a backup, changing nothing',
		async () => {
			expect(backupFile).toBeDefined();
			const secret = 's3cret-pw';
			const sourceWithPassword = dialect === 'sqlite' ? source : withPassword(source, secret);
			const empty = await freshDatabase(dialect, 'empty');
			const notABackup = join(dir, `${dialect}-notes.txt`);
			writeFileSync(notABackup, 'not a backup\n');
			const existing = fileHash(backupFile);
			const sourceBefore = await snapshot(dialect, source);

			const [nonEmpty, outExists, notBackup] = await Promise.all([
				fails(sourceWithPassword, ['restore', '--from', backupFile]),
				fails(sourceWithPassword, ['backup', '--out', backupFile]),
				fails(empty, ['restore', '--from', notABackup])
			]);

			expect(nonEmpty.code).toBe(1);
			expect(nonEmpty.lines).toHaveLength(1);
			expect(nonEmpty.stderr).toMatch(/^gridcare: DATABASE_URL: .+ is not empty/);
			expect(outExists.code).toBe(1);
			expect(outExists.lines).toHaveLength(1);
			expect(outExists.stderr).toMatch(/^gridcare: --out: .+ already exists/);
			expect(notBackup.code).toBe(1);
			expect(notBackup.lines).toHaveLength(1);
			expect(notBackup.stderr).toMatch(/^gridcare: --from: .+ is not a GridCare backup/);
			if (dialect === 'postgres') {
				for (const { stderr } of [nonEmpty, outExists]) expect(stderr).not.toContain(secret);
				expect(nonEmpty.stderr).toContain(':***@');
			}

			expect(await snapshot(dialect, source)).toBe(sourceBefore);
			expect(fileHash(backupFile)).toBe(existing);
			if (dialect === 'sqlite') expect(existsSync(sqlitePath(empty))).toBe(false);
			else expect(await tables(dialect, empty)).toEqual([]);
			expect(leftovers()).toEqual([]);
		},
		120_000
	);
});

describe('gridcare backup and restore (sqlite only)', () => {
	it('copies what is still in the WAL, into one self-contained file', async () => {
		// A writer that never checkpoints: its commits are only in the -wal file while it is open.
		const url = `file:${join(dir, 'wal-only.db')}`;
		const store = openStore(url);
		await store.migrate();
		await store.close();
		const writer = new Database(sqlitePath(url));
		const out = join(dir, 'wal-only-backup.db');
		const ids = Array.from({ length: 50 }, () => uuid());
		try {
			writer.pragma('journal_mode = WAL');
			writer.pragma('wal_autocheckpoint = 0');
			const insert = writer.prepare(
				"insert into applied_mutations (id, device_id, user_id, status, applied_at) values (?, 'd', 'u', 'applied', ?)"
			);
			for (const id of ids) insert.run(id, Date.now());
			expect(readdirSync(dir)).toContain('wal-only.db-wal');
			await cli(url, ['backup', '--out', out]);
		} finally {
			writer.close();
		}
		expect(readdirSync(dir).filter((name) => name.startsWith('wal-only-backup'))).toEqual([
			'wal-only-backup.db'
		]);
		const copy = new Database(out, { readonly: true, fileMustExist: true });
		try {
			expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
			const held = copy.prepare('select id from applied_mutations').pluck().all();
			expect(held.sort()).toEqual(ids.sort());
		} finally {
			copy.close();
		}
	});

	it('brings an older backup up to date with the migrations', async () => {
		// A database as an older release left it: every migration but the last.
		const folder = join(dir, 'older-migrations');
		cpSync(migrationsFolder('sqlite'), folder, { recursive: true });
		const journalPath = join(folder, 'meta', '_journal.json');
		const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
		const all = journal.entries.length;
		journal.entries = journal.entries.slice(0, -1);
		writeFileSync(journalPath, JSON.stringify(journal));
		const older = join(dir, 'older.db');
		const client = new Database(older);
		migrate(drizzle(client), { migrationsFolder: folder });
		client.close();

		const target = `file:${join(dir, 'older-restored.db')}`;
		await cli(target, ['restore', '--from', older]);
		const applied = await query<{ n: number }>(
			target,
			'select count(*) as n from __drizzle_migrations'
		);
		expect(applied[0].n).toBe(all);
	});
});

describe.skipIf(!dialectAvailable('postgres'))(
	'gridcare backup and restore (postgres only)',
	() => {
		it('refuses a backup of the other database, naming --from', async () => {
			expect(backups.sqlite).toBeDefined();
			expect(backups.postgres).toBeDefined();
			const pgTarget = await freshDatabase('postgres', 'pg-target');
			const sqliteTarget = `file:${join(dir, 'never.db')}`;
			const [sqliteForPg, pgForSqlite] = await Promise.all([
				fails(pgTarget, ['restore', '--from', backups.sqlite!]),
				fails(sqliteTarget, ['restore', '--from', backups.postgres!])
			]);
			expect(sqliteForPg.lines).toHaveLength(1);
			expect(sqliteForPg.stderr).toMatch(
				/^gridcare: --from: .+ is a SQLite backup but DATABASE_URL is a PostgreSQL database/
			);
			expect(pgForSqlite.lines).toHaveLength(1);
			expect(pgForSqlite.stderr).toMatch(
				/^gridcare: --from: .+ is a PostgreSQL backup but DATABASE_URL is a SQLite database/
			);
			expect(await tables('postgres', pgTarget)).toEqual([]);
			expect(existsSync(sqlitePath(sqliteTarget))).toBe(false);
		});

		it('without pg_dump on PATH, says what to run, the password masked', async () => {
			const source = withPassword(await freshDatabase('postgres', 'no-tools'), 's3cret-pw');
			const out = join(dir, 'no-tools.dump');
			const emptyPath = mkdtempSync(join(dir, 'path-'));
			const refused = await fails(source, ['backup', '--out', out], { PATH: emptyPath });
			expect(refused.lines).toHaveLength(1);
			expect(refused.stderr).toMatch(
				/^gridcare: pg_dump: not found on PATH; .*run: pg_dump --format=custom --file \S+ 'postgres:\/\/postgres:\*\*\*@/
			);
			expect(refused.stderr).not.toContain('s3cret-pw');
			expect(existsSync(out)).toBe(false);
			expect(leftovers()).toEqual([]);
		});
	}
);
