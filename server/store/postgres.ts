// PostgreSQL driver: postgres.js. Writers take one transaction-scoped advisory lock so that
// change-log sequence numbers become visible in order (a puller never skips a late commit).
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import * as pgSchema from '../db/schema.pg';
import { DrizzleStore, insertChunked, type Db, type Driver } from './drizzle-store';
import { migrationsFolder } from './paths';

const CHANGE_LOG_LOCK = 7_210_451;

export function openPostgresStore(url: string, options: { max?: number } = {}): DrizzleStore {
	const client = postgres(url, { max: options.max ?? 10, onnotice: () => {} });
	const pgDb = drizzle(client);
	const db = pgDb as unknown as Db;
	const driver: Driver = {
		dialect: 'postgres',
		db,
		tables: pgSchema,
		maxParams: 65_000,
		insertMany: (tx, table, rows) => insertChunked(tx, table, rows, 65_000),
		oneOf: (column, values) => sql`${column} = any(${sql.param(values)}::text[])`,
		// Keep the serial sequence ahead of explicitly numbered rows (writers hold the lock).
		afterExplicitSeq: async (tx, maxSeq) => {
			await tx.execute(sql`select setval(pg_get_serial_sequence('change_log', 'seq'), ${maxSeq})`);
		},
		transaction: <T>(fn: (tx: Db) => Promise<T>) =>
			pgDb.transaction(async (tx) => {
				await tx.execute(sql`select pg_advisory_xact_lock(${CHANGE_LOG_LOCK})`);
				return fn(tx as unknown as Db);
			}),
		migrate: async () => migrate(pgDb, { migrationsFolder: migrationsFolder('pg') }),
		close: () => client.end({ timeout: 5 })
	};
	return new DrizzleStore(driver);
}
