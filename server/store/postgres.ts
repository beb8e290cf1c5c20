// PostgreSQL driver: postgres.js. Writers take one transaction-scoped advisory lock so that
// change-log sequence numbers become visible in order (a puller never skips a late commit).
import postgres from 'postgres';
import { getTableColumns, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import * as pgSchema from '../db/schema.pg';
import { DrizzleStore } from './drizzle-store';
import type { Db, Driver } from './driver';
import { migrationsFolder } from './paths';
import { PROCESS_NAME } from '../process-name';

const CHANGE_LOG_LOCK = 7_210_451;
/** The first half of every two-key advisory lock of `exclusive` (jobs, migrations). */
const EXCLUSIVE_LOCKS = 7_210_452;

const oneOf = (column: PgColumn, values: string[]) =>
	sql`${column} = any(${sql.param(values)}::text[])`;

/** A column's value as PostgreSQL's text input for its type (null stays null). */
function asText(value: unknown): string | null {
	if (value == null) return null;
	if (typeof value === 'string') return value;
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/** The type a column's text is cast back to: serial columns hold plain integers. */
const castType = (sqlType: string) =>
	sqlType.replace(/^(big|small)?serial$/, (_, size = '') => (size ? `${size}int` : 'integer'));

/**
 * One `INSERT … SELECT … FROM unnest($1::text[], $2::text[], …)` for any number of rows: one
 * array parameter per column, so the statement text (prepared once per connection) and the
 * work to build it do not grow with the rows, unlike a multi-row VALUES list.
 */
async function insertUnnest(tx: Db, table: PgTable, rows: Record<string, unknown>[]) {
	const columns = getTableColumns(table);
	const keys = Object.keys(rows[0]);
	const cols = keys.map((k) => columns[k]);
	const arrays = keys.map((k, i) =>
		rows.map((row) => (row[k] == null ? null : asText(cols[i].mapToDriverValue(row[k]))))
	);
	const names = sql.raw(cols.map((c) => `"${c.name}"`).join(', '));
	const casts = sql.raw(cols.map((c, i) => `c${i}::${castType(c.getSQLType())}`).join(', '));
	const aliases = sql.raw(cols.map((_, i) => `c${i}`).join(', '));
	const params = sql.join(
		arrays.map((values) => sql`${sql.param(values)}::text[]`),
		sql.raw(', ')
	);
	await tx.execute(
		sql`insert into ${table} (${names}) select ${casts} from unnest(${params}) as u(${aliases})`
	);
}

export function openPostgresStore(
	url: string,
	options: { max?: number; connectTimeoutS?: number } = {}
): DrizzleStore {
	// Named so that pg_stat_activity tells this process's connections apart (metrics.ts).
	const applicationName = `gridcare ${PROCESS_NAME}`.slice(0, 63);
	const client = postgres(url, {
		max: options.max ?? 10,
		...(options.connectTimeoutS ? { connect_timeout: options.connectTimeoutS } : {}),
		onnotice: () => {},
		connection: { application_name: applicationName }
	});
	const pgDb = drizzle(client);
	const db = pgDb as unknown as Db;
	const driver: Driver = {
		dialect: 'postgres',
		db,
		tables: pgSchema,
		maxParams: 65_000,
		insertMany: insertUnnest,
		oneOf,
		selectByIds: (tx, table, ids) => tx.select().from(table).where(oneOf(table.id, ids)),
		// Keep the serial sequence ahead of explicitly numbered rows (writers hold the lock).
		afterExplicitSeq: async (tx, maxSeq) => {
			await tx.execute(sql`select setval(pg_get_serial_sequence('change_log', 'seq'), ${maxSeq})`);
		},
		transaction: <T>(fn: (tx: Db) => Promise<T>) =>
			pgDb.transaction(async (tx) => {
				await tx.execute(sql`select pg_advisory_xact_lock(${CHANGE_LOG_LOCK})`);
				return fn(tx as unknown as Db);
			}),
		// A nested drizzle transaction is a postgres.js savepoint: its statements must go through
		// the nested handle, since postgres.js fails the whole transaction on an error seen by the
		// outer one, caught or not.
		savepoint: <T>(tx: Db, fn: (tx: Db) => Promise<T>) =>
			tx.transaction((inner) => fn(inner as unknown as Db)),
		migrate: async () => migrate(pgDb, { migrationsFolder: migrationsFolder('pg') }),
		exclusive: async (key, wait, fn) => {
			const connection = await client.reserve();
			try {
				if (wait) await connection`select pg_advisory_lock(${EXCLUSIVE_LOCKS}, ${key})`;
				else {
					const [row] = await connection<{ got: boolean }[]>`
						select pg_try_advisory_lock(${EXCLUSIVE_LOCKS}, ${key}) as got`;
					if (!row.got) return null;
				}
				try {
					return { value: await fn() };
				} finally {
					// Released with the connection anyway if this fails (the connection is gone).
					await connection`select pg_advisory_unlock(${EXCLUSIVE_LOCKS}, ${key})`.catch(() => {});
				}
			} finally {
				connection.release();
			}
		},
		connectionStates: async () => {
			const rows = await client<{ state: string | null; n: number }[]>`
				select coalesce(state, 'unknown') as state, count(*)::int as n
				from pg_stat_activity where application_name = ${applicationName} group by 1`;
			return new Map(rows.map((r) => [r.state ?? 'unknown', r.n]));
		},
		close: () => client.end({ timeout: 5 })
	};
	return new DrizzleStore(driver);
}
