// `gridcare backup` and `gridcare restore` (README, "Backups"). A backup is one file: for SQLite a
// database file written by SQLite's online backup API, for PostgreSQL a pg_dump custom archive.
// Both are taken while the server keeps writing and hold one consistent moment: every push
// acknowledged before the backup started is in it. A restore goes into an empty database only,
// and the store's migrations run after it so an older backup is brought up to date.
//
// Reasons are plain one-line Errors naming the option (`--out`, `--from`) or DATABASE_URL, as the
// CLI prints them; URLs in them have their password masked.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	closeSync,
	constants,
	copyFileSync,
	existsSync,
	fsyncSync,
	linkSync,
	openSync,
	readSync,
	renameSync,
	rmSync,
	statSync,
	unlinkSync
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { databaseTarget, maskDatabaseUrl } from '../store/database-url';
import { openStore } from '../store/index';

export type Dialect = 'sqlite' | 'postgres';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const PG_DUMP_HEADER = Buffer.from('PGDMP', 'latin1');
/** Pages per backup step: everything in one step, so the copy is one read transaction. */
const ALL_PAGES = 0x7fffffff;
const DIALECT_NAMES: Record<Dialect, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL' };

/** The database a DATABASE_URL names, as openStore reads it. */
export function dialectOf(url: string): Dialect {
	return databaseTarget(url).kind;
}

/** The SQLite file of a `file:` URL, resolved as openStore resolves it. */
function sqlitePath(url: string): string {
	const path = url.slice('file:'.length);
	if (path === ':memory:' || path === '')
		throw new Error('DATABASE_URL: an in-memory database has no file to back up or restore into');
	return resolve(path);
}

/** Size in B, KiB, MiB or GiB with one decimal. */
export function formatSize(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}
	return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A name beside `target` for the file being written, so a partial file never has its name. */
function tempBeside(target: string): string {
	const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
	return join(dirname(target), `.${basename(target)}.${suffix}.partial`);
}

/** Remove a temporary file and any journal SQLite left beside it. */
function removeTemp(temp: string): void {
	for (const path of [temp, `${temp}-journal`, `${temp}-wal`, `${temp}-shm`])
		rmSync(path, { force: true });
}

function syncFile(path: string): void {
	const fd = openSync(path, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/** Sync a directory so a rename in it survives a power cut (not possible everywhere). */
function syncDirectory(path: string): void {
	try {
		syncFile(path);
	} catch {
		// Some platforms and file systems cannot open or sync a directory; the rename still holds.
	}
}

/**
 * Give the finished temporary file its final name. Without `replace`, an existing `target` is
 * never overwritten (a hard link fails if the name is taken), and the reason names `option`.
 */
function publish(temp: string, target: string, option: string, replace: boolean): void {
	syncFile(temp);
	if (replace) renameSync(temp, target);
	else {
		try {
			linkSync(temp, target);
			unlinkSync(temp);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code === 'EEXIST') throw new Error(`${option}: ${target} already exists`);
			// File systems without hard links: check, then rename.
			if (existsSync(target)) throw new Error(`${option}: ${target} already exists`);
			renameSync(temp, target);
		}
	}
	syncDirectory(dirname(target));
}

/** `--out`: not there yet, in a directory that is. */
function checkOut(out: string): string {
	const path = resolve(out);
	if (existsSync(path))
		throw new Error(
			`--out: ${out} already exists; give a new file name (a backup never overwrites)`
		);
	if (!existsSync(dirname(path)))
		throw new Error(`--out: the directory ${dirname(out)} does not exist`);
	return path;
}

/** One argument as a POSIX shell would need it written. */
function shellWord(word: string): string {
	return /^[\w@%+=:,./-]+$/u.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The line of a PostgreSQL tool's stderr that says what went wrong. */
function reasonLine(stderr: string): string {
	const lines = stderr
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);
	return lines.find((line) => /\berror:/iu.test(line)) ?? lines[0] ?? '';
}

/**
 * Run a PostgreSQL client tool (no shell) on `url`. The password goes in PGPASSWORD, not on the
 * command line where process lists show it. `shown` is the command line to print (password
 * masked) when the tool is not installed.
 */
async function runPgTool(
	tool: 'pg_dump' | 'pg_restore',
	args: string[],
	url: string,
	shown: string[]
): Promise<void> {
	const parsed = new URL(url);
	const password = decodeURIComponent(parsed.password);
	parsed.password = '';
	const env = { ...process.env };
	if (password) env.PGPASSWORD = password;
	const argv = args.map((arg) => (arg === url ? parsed.toString() : arg));
	const { code, stderr, missing } = await new Promise<{
		code: number | null;
		stderr: string;
		missing: boolean;
	}>((done, fail) => {
		const child = spawn(tool, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(0, 64_000)));
		child.once('error', (error: NodeJS.ErrnoException) => {
			if (error.code === 'ENOENT') done({ code: null, stderr: '', missing: true });
			else fail(error);
		});
		child.once('close', (code) => done({ code, stderr, missing: false }));
	});
	if (missing)
		throw new Error(
			`${tool}: not found on PATH; install the PostgreSQL client tools (the server's major ` +
				`version or newer), or run: ${shown.map(shellWord).join(' ')}`
		);
	if (code !== 0) {
		let line = reasonLine(stderr) || `${tool} exited with code ${code}`;
		if (password) line = line.split(password).join('***');
		if (!line.startsWith(`${tool}:`)) line = `${tool}: ${line}`;
		throw new Error(line);
	}
}

export interface BackupResult {
	dialect: Dialect;
	/** The backup file written. */
	path: string;
	bytes: number;
	ms: number;
}

/** A consistent backup of the database at `url` into the new file `out`, while it is in use. */
export async function backupDatabase(url: string, out: string): Promise<BackupResult> {
	const dialect = dialectOf(url);
	const started = performance.now();
	const path = checkOut(out);
	const temp = tempBeside(path);
	try {
		if (dialect === 'sqlite') await backupSqlite(sqlitePath(url), temp, url);
		else
			await runPgTool('pg_dump', ['--format=custom', '--file', temp, url], url, [
				'pg_dump',
				'--format=custom',
				'--file',
				out,
				maskDatabaseUrl(url)
			]);
		publish(temp, path, '--out', false);
	} catch (error) {
		removeTemp(temp);
		throw error;
	}
	return { dialect, path, bytes: statSync(path).size, ms: performance.now() - started };
}

/**
 * SQLite's online backup API from a read-only connection of its own, in one step: one read
 * transaction, so one consistent moment; in WAL mode the server's writes go on meanwhile. The
 * copy is then turned from WAL to a rollback journal so that it is a single self-contained file.
 */
async function backupSqlite(path: string, temp: string, url: string): Promise<void> {
	if (!existsSync(path)) throw new Error(`DATABASE_URL: no database at ${path} (${url})`);
	const source = new Database(path, { readonly: true, fileMustExist: true, timeout: 5_000 });
	try {
		await source.backup(temp, { progress: () => ALL_PAGES });
	} catch (error) {
		throw new Error(`DATABASE_URL: cannot back up ${path}: ${(error as Error).message}`);
	} finally {
		source.close();
	}
	const copy = new Database(temp, { fileMustExist: true });
	try {
		copy.pragma('journal_mode = DELETE');
	} finally {
		copy.close();
	}
}

/** What a backup file holds, from its first bytes; else a reason naming `--from`. */
export function backupDialect(from: string): Dialect {
	let head = Buffer.alloc(0);
	try {
		if (!statSync(from).isFile()) throw new Error(`--from: ${from} is not a file`);
		const fd = openSync(from, 'r');
		try {
			head = Buffer.alloc(SQLITE_HEADER.length);
			head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
		} finally {
			closeSync(fd);
		}
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') throw new Error(`--from: ${from} does not exist`);
		if (code) throw new Error(`--from: cannot read ${from} (${code})`);
		throw error;
	}
	if (head.equals(SQLITE_HEADER)) return 'sqlite';
	if (head.subarray(0, PG_DUMP_HEADER.length).equals(PG_DUMP_HEADER)) return 'postgres';
	throw new Error(
		`--from: ${from} is not a GridCare backup (neither a SQLite database nor a pg_dump custom archive)`
	);
}

export interface RestoreResult {
	dialect: Dialect;
	ms: number;
}

/**
 * Restore the backup `from` into the empty database at `url`, run the migrations, and make every
 * device download its data again (PeopleQueries.afterRestore).
 */
export async function restoreDatabase(url: string, from: string): Promise<RestoreResult> {
	const dialect = dialectOf(url);
	const started = performance.now();
	const kind = backupDialect(from);
	if (kind !== dialect)
		throw new Error(
			`--from: ${from} is a ${DIALECT_NAMES[kind]} backup but DATABASE_URL is a ` +
				`${DIALECT_NAMES[dialect]} database (${maskDatabaseUrl(url)})`
		);
	if (dialect === 'sqlite') await restoreSqlite(url, from);
	else await restorePostgres(url, from);
	const store = openStore(url);
	try {
		await store.migrate();
		// Tablets have seen more than the backup holds: each downloads its scope again.
		await store.people().afterRestore();
	} finally {
		await store.close();
	}
	return { dialect, ms: performance.now() - started };
}

function notEmpty(url: string, tables: number): Error {
	return new Error(
		`DATABASE_URL: ${maskDatabaseUrl(url)} is not empty (${tables} tables); restore only into a new or empty database`
	);
}

/** Tables in a SQLite file (SQLite's own excluded), read without changing it. */
function sqliteTables(path: string, url: string): number {
	const db = new Database(path, { fileMustExist: true, timeout: 5_000 });
	try {
		const row = db
			.prepare(
				"select count(*) as n from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\'"
			)
			.get() as { n: number };
		return row.n;
	} catch (error) {
		throw new Error(`DATABASE_URL: cannot read ${url}: ${(error as Error).message}`);
	} finally {
		db.close();
	}
}

async function restoreSqlite(url: string, from: string): Promise<void> {
	const path = sqlitePath(url);
	const existed = existsSync(path);
	if (existed) {
		const tables = sqliteTables(path, url);
		if (tables > 0) throw notEmpty(url, tables);
		// Closing the last connection empties the WAL; one still holding frames is another
		// process's, and they would be read into the restored file.
		if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0)
			throw new Error(`DATABASE_URL: ${url} is open in another process; stop it first`);
	}
	const fromWal = `${from}-wal`;
	if (existsSync(fromWal) && statSync(fromWal).size > 0)
		throw new Error(
			`--from: ${from} has a ${basename(fromWal)} beside it: a database in use, not a backup ` +
				'(take one with gridcare backup)'
		);
	await mkdir(dirname(path), { recursive: true });
	const temp = tempBeside(path);
	try {
		copyFileSync(from, temp, constants.COPYFILE_EXCL);
		checkSqliteBackup(temp, from);
		if (!existed)
			for (const stale of [`${path}-wal`, `${path}-shm`]) rmSync(stale, { force: true });
		publish(temp, path, 'DATABASE_URL', existed);
	} catch (error) {
		removeTemp(temp);
		throw error;
	}
}

/** The copy of `from` passes SQLite's integrity check and holds GridCare's migrations table. */
function checkSqliteBackup(copy: string, from: string): void {
	let problem: string | null = null;
	const db = new Database(copy, { fileMustExist: true });
	try {
		const rows = db.pragma('integrity_check') as { integrity_check: string }[];
		if (rows.length !== 1 || rows[0].integrity_check !== 'ok')
			problem = `fails SQLite's integrity check (${rows[0]?.integrity_check ?? 'no answer'})`;
		else if (
			!db
				.prepare(
					"select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'"
				)
				.get()
		)
			problem = 'is a SQLite database but not a GridCare one (no migrations table)';
	} catch (error) {
		problem = `cannot be read as a SQLite database (${(error as Error).message})`;
	} finally {
		db.close();
	}
	if (problem) throw new Error(`--from: ${from} ${problem}`);
}

async function restorePostgres(url: string, from: string): Promise<void> {
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	let tables: number;
	try {
		const [row] = await sql<{ n: number }[]>`
			select count(*)::int as n from information_schema.tables
			where table_schema not in ('pg_catalog', 'information_schema')`;
		tables = row.n;
	} catch (error) {
		throw new Error(
			`DATABASE_URL: cannot read ${maskDatabaseUrl(url)}: ${(error as Error).message.split('\n')[0]}`
		);
	} finally {
		await sql.end({ timeout: 5 });
	}
	if (tables > 0) throw notEmpty(url, tables);
	const args = ['--no-owner', '--exit-on-error', '--single-transaction', '--dbname'];
	await runPgTool('pg_restore', [...args, url, from], url, [
		'pg_restore',
		...args,
		maskDatabaseUrl(url),
		from
	]);
}
