// What a dialect provides to the store (sqlite.ts, postgres.ts), and the types the store's
// query modules share. Imports nothing of the server's own, so every module may use it.
import type { SQL } from 'drizzle-orm';
import type { PgColumn, PgDatabase, PgQueryResultHKT, PgTable } from 'drizzle-orm/pg-core';
import type * as schema from '../db/schema.pg';

export type Dialect = 'sqlite' | 'postgres';

export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;
export type Tables = typeof schema;
/** A table keyed by a text `id` column (every synced table). */
export type IdTable = PgTable & { id: Tables['households']['id'] };

/** What a dialect provides: a connection, its tables, transactions and migrations. */
export interface Driver {
	readonly dialect: Dialect;
	readonly db: Db;
	readonly tables: Tables;
	/** Run `fn` in one transaction; writers are serialized so change-log order is commit order. */
	transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
	/**
	 * Inside transaction `tx`, run `fn` in a savepoint, its statements on the connection it is
	 * given: if it throws, what it wrote is rolled back, the transaction stays usable, and the
	 * error is thrown on.
	 */
	savepoint<T>(tx: Db, fn: (tx: Db) => Promise<T>): Promise<T>;
	migrate(): Promise<void>;
	/**
	 * Run `fn` holding the lock `key` for every process of the database (docs/operations.md):
	 * on PostgreSQL a session advisory lock on a connection of its own, which the server releases
	 * when the process dies; on SQLite, served by one process, a lock within it. With `wait`
	 * false, null at once when the lock is held elsewhere.
	 */
	exclusive<T>(key: number, wait: boolean, fn: () => Promise<T>): Promise<{ value: T } | null>;
	close(): Promise<void>;
	/** This process's connections by state (PostgreSQL's pg_stat_activity; SQLite: one, open). */
	connectionStates(): Promise<Map<string, number>>;
	/** Insert many rows of one table (all with the same keys) inside transaction `tx`. */
	insertMany(tx: Db, table: PgTable, rows: Record<string, unknown>[]): Promise<void>;
	/** The rows of `table` whose id is one of `ids`, every column, in no particular order. */
	selectByIds(tx: Db, table: IdTable, ids: string[]): Promise<Record<string, unknown>[]>;
	/**
	 * `column` is one of `values`, the list passed as one bound parameter: the statement text
	 * stays the same whatever the list's length, and nothing is built per value.
	 */
	oneOf(column: PgColumn, values: string[]): SQL;
	/** After change-log rows were written with explicit sequence numbers up to maxSeq. */
	afterExplicitSeq(tx: Db, maxSeq: number): Promise<void>;
	/** Largest number of bound parameters one statement may carry. */
	readonly maxParams: number;
}

/** Split rows so that one INSERT stays under the driver's parameter limit. */
export function chunk<T>(rows: T[], columns: number, maxParams: number): T[][] {
	const size = Math.max(1, Math.floor(maxParams / Math.max(1, columns)));
	const out: T[][] = [];
	for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
	return out;
}
