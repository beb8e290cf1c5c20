// Before `gridcare serve` opens its store: is the database DATABASE_URL (and DATABASE_READ_URL)
// names there and usable? A bad value gets one line naming the variable, never a driver's stack
// trace; the URL is quoted with its password masked.
import { constants } from 'node:fs';
import { access, open, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { databaseTarget, DEFAULT_DATABASE_URL, maskDatabaseUrl } from './database-url';

/** Seconds to wait for PostgreSQL to answer at start. */
const CONNECT_TIMEOUT_S = 10;

/** Throws a one-line Error `DATABASE_URL: …` (or `variable: …`) when the database cannot be used. */
export async function probeDatabase(url: string, variable = 'DATABASE_URL'): Promise<void> {
	const target = databaseTarget(url, variable);
	if (target.kind === 'postgres') await probePostgres(target.url, variable);
	else if (target.path !== ':memory:')
		await probeSqlite(resolve(target.path), url === DEFAULT_DATABASE_URL);
}

const fail = (reason: string, url: string, variable = 'DATABASE_URL') =>
	new Error(`${variable}: ${reason} (${maskDatabaseUrl(url)})`);

/** Why a file-system call failed, in words. */
function fsReason(error: unknown): string {
	const code = (error as { code?: string }).code;
	if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
	if (code === 'EROFS') return 'read-only file system';
	return code ?? 'unknown error';
}

/**
 * The folder must exist and be writable (SQLite writes its -wal and -shm files beside the
 * database); the file, when it exists, must be a SQLite database this user may write. A missing
 * folder is an error, so that a mistyped path never starts an empty database somewhere else; only
 * the default ./data is created, for `npm start` on a fresh checkout.
 */
async function probeSqlite(path: string, isDefault: boolean): Promise<void> {
	const url = `file:${path}`;
	const folder = dirname(path);
	const folderInfo = await stat(folder).catch(() => null);
	if (!folderInfo) {
		if (!isDefault) throw fail(`folder ${folder} does not exist`, url);
		const parent = dirname(folder);
		await access(parent, constants.W_OK).catch((error: unknown) => {
			throw fail(`cannot create folder ${folder}: ${fsReason(error)}`, url);
		});
		return;
	}
	if (!folderInfo.isDirectory()) throw fail(`${folder} is not a folder`, url);
	await access(folder, constants.W_OK | constants.X_OK).catch((error: unknown) => {
		throw fail(`folder ${folder} is not writable: ${fsReason(error)}`, url);
	});
	const fileInfo = await stat(path).catch(() => null);
	if (fileInfo?.isDirectory()) throw fail(`${path} is a folder, not a database file`, url);
	if (fileInfo) {
		await access(path, constants.R_OK | constants.W_OK).catch((error: unknown) => {
			throw fail(`${path} is not writable: ${fsReason(error)}`, url);
		});
		if (fileInfo.size > 0 && !(await hasSqliteHeader(path)))
			throw fail(`${path} is not a SQLite database`, url);
	}
	// What the store does next: open it (creating it when missing) and read its schema.
	try {
		const db = new Database(path);
		try {
			db.pragma('schema_version');
		} finally {
			db.close();
		}
	} catch (error) {
		throw fail(`cannot open ${path}: ${(error as { code?: string }).code ?? 'unknown error'}`, url);
	}
}

async function hasSqliteHeader(path: string): Promise<boolean> {
	const header = new Uint8Array(16);
	const file = await open(path, 'r');
	try {
		await file.read(header, 0, 16, 0);
	} finally {
		await file.close();
	}
	return Buffer.from(header).toString('latin1') === 'SQLite format 3\0';
}

/** A network failure's code in words. */
export const NETWORK_REASONS: Record<string, string> = {
	ECONNREFUSED: 'connection refused',
	ECONNRESET: 'connection reset',
	ETIMEDOUT: `no answer within ${CONNECT_TIMEOUT_S} s`,
	CONNECT_TIMEOUT: `no answer within ${CONNECT_TIMEOUT_S} s`,
	EHOSTUNREACH: 'host unreachable',
	ENETUNREACH: 'network unreachable',
	ENOTFOUND: 'host not found',
	EAI_AGAIN: 'host name lookup failed'
};

/** Connect and ask `select 1`: the server answers, the database and the role exist, sign-in works. */
async function probePostgres(url: string, variable: string): Promise<void> {
	let sql: postgres.Sql;
	try {
		sql = postgres(url, { max: 1, connect_timeout: CONNECT_TIMEOUT_S, onnotice: () => {} });
	} catch {
		throw fail(
			'not a valid URL (characters such as @ / ? # in the password must be %-encoded)',
			url,
			variable
		);
	}
	const { host, port } = sql.options;
	const address = `${host.join(',')}:${port.join(',')}`;
	try {
		await sql`select 1`;
	} catch (error) {
		throw fail(postgresReason(error, address), url, variable);
	} finally {
		await sql.end({ timeout: 1 });
	}
}

function postgresReason(error: unknown, address: string): string {
	// Node reports a failure on every address of a name (IPv4 and IPv6) as an AggregateError.
	const first = error instanceof AggregateError && error.errors.length ? error.errors[0] : error;
	const { code, severity, message } = first as {
		code?: string;
		severity?: string;
		message?: string;
	};
	// The server's own words (database "x" does not exist, password authentication failed for
	// user "y", too many connections…): they name no value but the URL's.
	if (severity && code && message) return `${message} [${code}]`;
	const reason = code ? (NETWORK_REASONS[code] ?? code) : 'unknown error';
	return `cannot connect to ${address}: ${reason}`;
}
