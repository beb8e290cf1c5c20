// SQLite driver: better-sqlite3, WAL, synchronous=FULL so an acknowledged push is on disk.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Mutex } from 'async-mutex';
import { getTableColumns, getTableName, sql, type Column } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as sqliteSchema from '../db/schema.sqlite';
import { errorFields, logLine, stdoutSink } from '../logging';
import { BackgroundCheckpointer } from './checkpointer';
import { DrizzleStore } from './drizzle-store';
import type { Db, Driver, Tables } from './driver';
import { migrationsFolder } from './paths';

/**
 * Rows per INSERT statement when writing a batch: a few dozen rows per statement take about
 * half the time of one statement per row (fewer steps through the VDBE and the native binding);
 * larger statements gain nothing more.
 */
const ROWS_PER_INSERT = 25;
/**
 * Bound parameters per statement, below SQLite's limit of 32,766 (the default since 3.32.0;
 * better-sqlite3 bundles its own, newer SQLite, so every build this runs on has it).
 */
const MAX_PARAMS = 32_000;

export function openSqliteStore(path: string): DrizzleStore {
	if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
	const client = new Database(path);
	client.pragma('journal_mode = WAL');
	client.pragma('synchronous = FULL');
	client.pragma('busy_timeout = 5000');
	client.pragma('foreign_keys = ON');
	// File databases checkpoint in the background (checkpointer.ts); back to SQLite's automatic
	// checkpoint in the COMMIT if that ever fails.
	let checkpointer: BackgroundCheckpointer | null = null;
	if (path !== ':memory:') {
		client.pragma('wal_autocheckpoint = 0');
		checkpointer = new BackgroundCheckpointer(path, (error) => {
			logLine(
				stdoutSink,
				'error',
				'background WAL checkpoint failed; checkpointing on commit again',
				errorFields(error)
			);
			client.pragma('wal_autocheckpoint = 1000');
		});
	}
	const sqliteDb = drizzle(client);
	// The query code is written once against the mirrored PostgreSQL-typed schema (see drizzle-store.ts).
	const db = sqliteDb as unknown as Db;
	const tables = sqliteSchema as unknown as Tables;
	// better-sqlite3 is one synchronous connection: async transactions are serialized by a mutex
	// and bracketed by BEGIN IMMEDIATE / COMMIT on that connection.
	const lock = new Mutex();
	const exclusiveLocks = new Map<number, Mutex>();
	const statements = new Map<string, Database.Statement>();
	const readers = new Map<
		PgTable,
		{ statement: Database.Statement; columns: [string, Column][] }
	>();
	const driver: Driver = {
		dialect: 'sqlite',
		db,
		tables,
		maxParams: MAX_PARAMS,
		// Cached multi-row statements per table, column list and row count: building INSERTs
		// through the query builder cost more than SQLite's own work on large batches.
		insertMany: async (_tx, table, rows) => {
			const keys = Object.keys(rows[0]);
			const columns = getTableColumns(table);
			const cols = keys.map((k) => columns[k]);
			const head = `insert into "${getTableName(table)}" (${cols.map((c) => `"${c.name}"`).join(', ')}) values `;
			const tuple = `(${cols.map(() => '?').join(', ')})`;
			const per = Math.max(1, Math.min(ROWS_PER_INSERT, Math.floor(MAX_PARAMS / cols.length)));
			for (let start = 0; start < rows.length; start += per) {
				const part = rows.slice(start, start + per);
				const text = head + Array(part.length).fill(tuple).join(', ');
				let statement = statements.get(text);
				if (!statement) statements.set(text, (statement = client.prepare(text)));
				const params: unknown[] = [];
				for (const row of part)
					for (let i = 0; i < keys.length; i++) {
						const value = row[keys[i]];
						params.push(value == null ? null : cols[i].mapToDriverValue(value));
					}
				statement.run(params);
			}
		},
		// A cached statement per table, its rows decoded column by column: the query builder's
		// generic row mapping cost more than reading the rows.
		selectByIds: async (_tx, table, ids) => {
			let reader = readers.get(table);
			if (!reader) {
				const columns = Object.entries(getTableColumns(table));
				const list = columns.map(([, c]) => `"${c.name}"`).join(', ');
				const text = `select ${list} from "${getTableName(table)}" where "id" in (select value from json_each(?))`;
				reader = { statement: client.prepare(text).raw(), columns };
				readers.set(table, reader);
			}
			const { statement, columns } = reader;
			return (statement.all(JSON.stringify(ids)) as unknown[][]).map((values) => {
				const row: Record<string, unknown> = {};
				for (let i = 0; i < columns.length; i++) {
					const [key, column] = columns[i];
					row[key] = values[i] === null ? null : column.mapFromDriverValue(values[i]);
				}
				return row;
			});
		},
		oneOf: (column, values) =>
			sql`${column} in (select value from json_each(${JSON.stringify(values)}))`,
		// AUTOINCREMENT follows explicit values by itself.
		afterExplicitSeq: async () => {},
		transaction: <T>(fn: (tx: Db) => Promise<T>) =>
			lock.runExclusive(async () => {
				client.exec('BEGIN IMMEDIATE');
				try {
					const result = await fn(db);
					client.exec('COMMIT');
					checkpointer?.committed();
					return result;
				} catch (error) {
					if (client.inTransaction) client.exec('ROLLBACK');
					throw error;
				}
			}),
		savepoint: async <T>(tx: Db, fn: (tx: Db) => Promise<T>) => {
			client.exec('SAVEPOINT one_mutation');
			try {
				const result = await fn(tx);
				client.exec('RELEASE one_mutation');
				return result;
			} catch (error) {
				client.exec('ROLLBACK TO one_mutation');
				client.exec('RELEASE one_mutation');
				throw error;
			}
		},
		migrate: async () => migrate(sqliteDb, { migrationsFolder: migrationsFolder('sqlite') }),
		exclusive: async (key, wait, fn) => {
			let held = exclusiveLocks.get(key);
			if (!held) exclusiveLocks.set(key, (held = new Mutex()));
			if (!wait && held.isLocked()) return null;
			return { value: await held.runExclusive(fn) };
		},
		connectionStates: async () => new Map([['open', client.open ? 1 : 0]]),
		close: async () => {
			await lock.waitForUnlock();
			await checkpointer?.close();
			client.close();
		}
	};
	return new DrizzleStore(driver);
}
