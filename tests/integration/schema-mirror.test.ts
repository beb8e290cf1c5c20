// The two schema modules, server/db/schema.sqlite.ts and server/db/schema.pg.ts, describe one
// database in two dialects (drizzle has no dialect-neutral schema). This reads both through
// drizzle's getTableConfig, with no database, into one neutral description and fails naming the
// table and column of every difference: tables, columns (type family, nullability, primary key,
// default), primary keys, indexes, unique constraints and foreign keys.
import { getTableName, is, sql, SQL, type Column, type Table } from 'drizzle-orm';
import {
	getTableConfig as pgTableConfig,
	PgTable,
	bigint as pgBigint,
	boolean as pgBoolean,
	index as pgIndex,
	integer as pgInteger,
	jsonb as pgJsonb,
	pgTable,
	primaryKey as pgPrimaryKey,
	text as pgText,
	timestamp as pgTimestamp,
	unique as pgUnique,
	type IndexedColumn
} from 'drizzle-orm/pg-core';
import {
	getTableConfig as sqliteTableConfig,
	SQLiteTable,
	index as sqliteIndex,
	integer as sqliteInteger,
	primaryKey as sqlitePrimaryKey,
	sqliteTable,
	text as sqliteText
} from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../server/db/schema.pg';
import * as sqliteSchema from '../../server/db/schema.sqlite';

/**
 * Differences the dialects may legitimately have, each by its exact message below and with its
 * reason. Keep it as short as possible: an entry no longer produced fails the test as well.
 */
const ALLOWED: readonly { difference: string; reason: string }[] = [];

/** What a column holds, whatever the dialect stores it as. */
type Family = 'text' | 'integer' | 'instant' | 'boolean' | 'real' | 'json' | 'bytes';

/** By drizzle column type, as the helpers at the top of each schema module build them. */
const SQLITE_FAMILY: Record<string, Family> = {
	SQLiteText: 'text',
	SQLiteInteger: 'integer',
	SQLiteTimestamp: 'instant', // integer, mode timestamp or timestamp_ms
	SQLiteBoolean: 'boolean', // integer, mode boolean
	SQLiteReal: 'real',
	SQLiteTextJson: 'json', // text, mode json
	SQLiteBlobBuffer: 'bytes'
};
const PG_FAMILY: Record<string, Family> = {
	PgText: 'text',
	PgVarchar: 'text',
	PgInteger: 'integer',
	PgBigInt53: 'integer',
	PgBigInt64: 'integer',
	PgSerial: 'integer',
	PgBigSerial53: 'integer',
	PgBigSerial64: 'integer',
	PgTimestamp: 'instant',
	PgBoolean: 'boolean',
	PgDoublePrecision: 'real',
	PgReal: 'real',
	PgJson: 'json',
	PgJsonb: 'json'
};
/** Custom column types, by their SQL type (drizzle's pg-core has no bytea builder). */
const CUSTOM_FAMILY: Record<string, Family> = { bytea: 'bytes', blob: 'bytes' };

type Dialect = 'SQLite' | 'PostgreSQL';

interface NeutralColumn {
	/** Undefined when the column's type has no family above: reported as a difference. */
	family: Family | undefined;
	columnType: string;
	/** The JS value drizzle hands the store (string, number, date, boolean, json, ...). */
	dataType: string;
	notNull: boolean;
	primaryKey: boolean;
	hasDefault: boolean;
	defaultDefined: boolean;
	/** The default value as JSON when it is a plain value (an SQL default has no comparable text). */
	defaultValue: string | undefined;
}

interface NeutralIndex {
	columns: string[];
	unique: boolean;
	partial: boolean;
	/** PostgreSQL-only options (method, operator class, order, WITH, ...): differences unless allowed. */
	pgOnly: string[];
}

interface NeutralTable {
	exportName: string;
	columns: Map<string, NeutralColumn>;
	/** Every primary key declared, column-level or composite, as its columns in order. */
	primaryKeys: string[][];
	indexes: Map<string, NeutralIndex>;
	/** Unique constraints by name: their columns, and "nulls not distinct" on PostgreSQL. */
	uniques: Map<string, string>;
	/** Foreign keys by name: columns, target and actions. */
	foreignKeys: Map<string, string>;
}

type NeutralSchema = Map<string, NeutralTable>;

interface TableConfigLike {
	name: string;
	columns: Column[];
	primaryKeys: { columns: Column[] }[];
	uniqueConstraints: { columns: Column[]; getName(): string | undefined }[];
	foreignKeys: {
		reference(): { columns: Column[]; foreignTable: Table; foreignColumns: Column[] };
		getName(): string;
		onDelete?: string;
		onUpdate?: string;
	}[];
}

function neutralColumn(column: Column, family: Family | undefined): NeutralColumn {
	const value: unknown = column.default;
	return {
		family,
		columnType: column.columnType,
		dataType: column.dataType,
		notNull: column.notNull,
		primaryKey: false, // set from the table's primary keys below
		hasDefault: column.hasDefault,
		defaultDefined: value !== undefined,
		defaultValue: value === undefined || is(value, SQL) ? undefined : JSON.stringify(value)
	};
}

function neutralTable(
	exportName: string,
	config: TableConfigLike,
	family: (c: Column) => Family | undefined
) {
	const table: NeutralTable = {
		exportName,
		columns: new Map(config.columns.map((c) => [c.name, neutralColumn(c, family(c))])),
		primaryKeys: [
			...config.columns.filter((c) => c.primary).map((c) => [c.name]),
			...config.primaryKeys.map((pk) => pk.columns.map((c) => c.name))
		],
		indexes: new Map(),
		uniques: new Map([
			...config.columns
				.filter((c) => c.isUnique)
				.map((c): [string, string] => [c.uniqueName ?? '?', `(${c.name})`]),
			...config.uniqueConstraints.map((u): [string, string] => [
				u.getName() ?? '?',
				`(${u.columns.map((c) => c.name).join(', ')})`
			])
		]),
		foreignKeys: new Map(
			config.foreignKeys.map((fk) => {
				const ref = fk.reference();
				const target = getTableName(ref.foreignTable);
				const names = (cs: Column[]) => cs.map((c) => c.name).join(', ');
				return [
					fk.getName(),
					`(${names(ref.columns)}) → ${target}(${names(ref.foreignColumns)}) ` +
						`on delete ${fk.onDelete ?? 'no action'} on update ${fk.onUpdate ?? 'no action'}`
				];
			})
		)
	};
	for (const key of table.primaryKeys.flat()) {
		const column = table.columns.get(key);
		if (column) column.primaryKey = true;
	}
	return table;
}

function customFamily(column: Column & { getSQLType(): string }): Family | undefined {
	return CUSTOM_FAMILY[column.getSQLType().toLowerCase()];
}

function readSqlite(module: Record<string, unknown>): NeutralSchema {
	const schema: NeutralSchema = new Map();
	for (const [exportName, value] of Object.entries(module)) {
		if (!is(value, SQLiteTable)) continue;
		const config = sqliteTableConfig(value);
		const table = neutralTable(exportName, config, (c) =>
			c.columnType === 'SQLiteCustomColumn' ? customFamily(c) : SQLITE_FAMILY[c.columnType]
		);
		for (const { config: ix } of config.indexes) {
			table.indexes.set(ix.name, {
				columns: ix.columns.map((c) => (is(c, SQL) ? '<expression>' : c.name)),
				unique: ix.unique,
				partial: ix.where !== undefined,
				pgOnly: []
			});
		}
		schema.set(config.name, table);
	}
	return schema;
}

function readPg(module: Record<string, unknown>): NeutralSchema {
	const schema: NeutralSchema = new Map();
	for (const [exportName, value] of Object.entries(module)) {
		if (!is(value, PgTable)) continue;
		const config = pgTableConfig(value);
		const table = neutralTable(exportName, config, (c) =>
			c.columnType === 'PgCustomColumn' ? customFamily(c) : PG_FAMILY[c.columnType]
		);
		for (const c of config.columns) {
			if (c.isUnique && c.uniqueType === 'not distinct') {
				table.uniques.set(c.uniqueName ?? '?', `(${c.name}) nulls not distinct`);
			}
		}
		for (const u of config.uniqueConstraints) {
			if (u.nullsNotDistinct) {
				const columns = u.columns.map((c) => c.name).join(', ');
				table.uniques.set(u.getName() ?? '?', `(${columns}) nulls not distinct`);
			}
		}
		for (const { config: ix } of config.indexes) {
			const pgOnly: string[] = [];
			if (ix.method !== undefined && ix.method !== 'btree') pgOnly.push(`using ${ix.method}`);
			if (ix.with !== undefined) pgOnly.push(`with ${JSON.stringify(ix.with)}`);
			if (ix.concurrently) pgOnly.push('concurrently');
			const columns = ix.columns.map((c) => {
				if (is(c, SQL)) return '<expression>';
				const { name, indexConfig } = c as IndexedColumn;
				if (indexConfig.order === 'desc') pgOnly.push(`${name} desc`);
				if (indexConfig.nulls === 'first') pgOnly.push(`${name} nulls first`);
				if (indexConfig.opClass !== undefined) pgOnly.push(`${name} ${indexConfig.opClass}`);
				return name ?? '?';
			});
			table.indexes.set(ix.name ?? '?', {
				columns,
				unique: ix.unique,
				partial: ix.where !== undefined,
				pgOnly
			});
		}
		schema.set(config.name, table);
	}
	return schema;
}

/** Keys on one side only, reported as "<what> only on <dialect>". */
function sidesOf<T>(
	label: (key: string) => string,
	sqlite: Map<string, T>,
	pg: Map<string, T>,
	out: string[]
): [string, T, T][] {
	const both: [string, T, T][] = [];
	for (const [key, s] of sqlite) {
		const p = pg.get(key);
		if (p === undefined) out.push(`${label(key)} only on SQLite`);
		else both.push([key, s, p]);
	}
	for (const key of pg.keys()) if (!sqlite.has(key)) out.push(`${label(key)} only on PostgreSQL`);
	return both;
}

function differ(out: string[], where: string, what: string, s: unknown, p: unknown) {
	const [a, b] = [JSON.stringify(s), JSON.stringify(p)];
	if (a !== b) out.push(`${where}: ${what} ${a} on SQLite, ${b} on PostgreSQL`);
}

function compareSchemas(sqlite: NeutralSchema, pg: NeutralSchema): string[] {
	const out: string[] = [];
	for (const [name, s, p] of sidesOf((t) => `table ${t}`, sqlite, pg, out)) {
		differ(out, name, 'exported as', s.exportName, p.exportName);
		for (const [column, sc, pc] of sidesOf(
			(c) => `${name}.${c}: column`,
			s.columns,
			p.columns,
			out
		)) {
			const where = `${name}.${column}`;
			for (const [dialect, c] of [
				['SQLite', sc],
				['PostgreSQL', pc]
			] as [Dialect, NeutralColumn][]) {
				if (c.family === undefined) {
					out.push(
						`${where}: ${dialect} column type ${c.columnType} has no type family in this test`
					);
				}
			}
			if (sc.family && pc.family) differ(out, where, 'type family', sc.family, pc.family);
			differ(out, where, 'JS value type', sc.dataType, pc.dataType);
			differ(out, where, 'notNull', sc.notNull, pc.notNull);
			differ(out, where, 'in the primary key', sc.primaryKey, pc.primaryKey);
			differ(out, where, 'hasDefault', sc.hasDefault, pc.hasDefault);
			differ(out, where, 'default defined', sc.defaultDefined, pc.defaultDefined);
			if (sc.defaultValue !== undefined && pc.defaultValue !== undefined) {
				differ(out, where, 'default', sc.defaultValue, pc.defaultValue);
			}
		}
		differ(out, name, 'primary keys', s.primaryKeys, p.primaryKeys);
		for (const [index, si, pi] of sidesOf(
			(i) => `${name}: index ${i}`,
			s.indexes,
			p.indexes,
			out
		)) {
			const where = `${name}: index ${index}`;
			differ(out, where, 'columns', si.columns, pi.columns);
			differ(out, where, 'unique', si.unique, pi.unique);
			differ(out, where, 'partial (WHERE)', si.partial, pi.partial);
			if (pi.pgOnly.length > 0)
				out.push(`${where}: PostgreSQL-only options ${pi.pgOnly.join(', ')}`);
		}
		for (const [unique, su, pu] of sidesOf(
			(u) => `${name}: unique ${u}`,
			s.uniques,
			p.uniques,
			out
		)) {
			differ(out, `${name}: unique ${unique}`, 'columns', su, pu);
		}
		for (const [fk, sf, pf] of sidesOf(
			(f) => `${name}: foreign key ${f}`,
			s.foreignKeys,
			p.foreignKeys,
			out
		)) {
			differ(out, `${name}: foreign key ${fk}`, 'reference', sf, pf);
		}
	}
	return out;
}

const mirrorDifferences = (sqlite: Record<string, unknown>, pg: Record<string, unknown>) =>
	compareSchemas(readSqlite(sqlite), readPg(pg));

describe('schema mirror: schema.sqlite.ts and schema.pg.ts', () => {
	const differences = mirrorDifferences(sqliteSchema, pgSchema);
	const allowed = new Set(ALLOWED.map((a) => a.difference));

	it('reads what the modules declare', () => {
		const sqlite = readSqlite(sqliteSchema);
		const pg = readPg(pgSchema);
		expect(sqlite.size).toBeGreaterThanOrEqual(20);
		for (const schema of [sqlite, pg]) {
			expect(schema.get('incidents')?.indexes.get('incidents_open_due_idx')).toMatchObject({
				columns: ['community_code', 'due_at'],
				partial: true
			});
			expect(schema.get('rollup_figures')?.primaryKeys).toEqual([
				['node_code', 'period', 'metric']
			]);
			expect(schema.get('users')?.uniques.get('users_username_unique')).toBe('(username)');
			expect(schema.get('users')?.columns.get('disabled')).toMatchObject({
				family: 'boolean',
				defaultValue: 'false'
			});
			expect(schema.get('change_log')?.columns.get('seq')).toMatchObject({
				family: 'integer',
				primaryKey: true,
				hasDefault: true
			});
		}
	});

	it('has no differences but the allowed ones', () => {
		expect(differences.filter((d) => !allowed.has(d))).toEqual([]);
	});

	it('allows only differences that exist, each with its reason', () => {
		expect(ALLOWED.filter((a) => !differences.includes(a.difference))).toEqual([]);
		for (const entry of ALLOWED) expect(entry.reason.trim()).not.toBe('');
	});
});

// The comparison itself, on small tables declared here: each kind of drift is reported by name.
describe('schema mirror: the comparison', () => {
	const sqliteT = () => ({
		t: sqliteTable(
			't',
			{
				id: sqliteText('id').notNull(),
				at: sqliteInteger('at', { mode: 'timestamp_ms' }).notNull(),
				flag: sqliteInteger('flag', { mode: 'boolean' }).notNull().default(false)
			},
			(t) => [sqlitePrimaryKey({ columns: [t.id, t.at] }), sqliteIndex('t_at_idx').on(t.at, t.id)]
		)
	});
	const pgT = () => ({
		t: pgTable(
			't',
			{
				id: pgText('id').notNull(),
				at: pgTimestamp('at', { withTimezone: true }).notNull(),
				flag: pgBoolean('flag').notNull().default(false)
			},
			(t) => [pgPrimaryKey({ columns: [t.id, t.at] }), pgIndex('t_at_idx').on(t.at, t.id)]
		)
	});

	it('finds nothing between mirrored tables', () => {
		expect(mirrorDifferences(sqliteT(), pgT())).toEqual([]);
	});

	it('names tables and columns on one side only, and other export names', () => {
		expect(
			mirrorDifferences({ ...sqliteT(), u: sqliteTable('u', { id: sqliteText('id') }) }, pgT())
		).toEqual(['table u only on SQLite']);
		expect(mirrorDifferences({ t2: sqliteT().t }, pgT())).toEqual([
			't: exported as "t2" on SQLite, "t" on PostgreSQL'
		]);
		const extra = pgTable(
			't',
			{
				id: pgText('id').notNull(),
				at: pgTimestamp('at').notNull(),
				flag: pgBoolean('flag').notNull().default(false),
				note: pgText('note')
			},
			(t) => [pgPrimaryKey({ columns: [t.id, t.at] }), pgIndex('t_at_idx').on(t.at, t.id)]
		);
		expect(mirrorDifferences(sqliteT(), { t: extra })).toEqual([
			't.note: column only on PostgreSQL'
		]);
	});

	it('names a column whose type family, nullability, key or default differs', () => {
		const drifted = pgTable(
			't',
			{
				id: pgInteger('id').notNull(),
				at: pgTimestamp('at'),
				flag: pgBoolean('flag').notNull().default(true)
			},
			(t) => [pgPrimaryKey({ columns: [t.id] }), pgIndex('t_at_idx').on(t.at, t.id)]
		);
		expect(mirrorDifferences(sqliteT(), { t: drifted })).toEqual([
			't.id: type family "text" on SQLite, "integer" on PostgreSQL',
			't.id: JS value type "string" on SQLite, "number" on PostgreSQL',
			't.at: notNull true on SQLite, false on PostgreSQL',
			't.at: in the primary key true on SQLite, false on PostgreSQL',
			't.flag: default "false" on SQLite, "true" on PostgreSQL',
			't: primary keys [["id","at"]] on SQLite, [["id"]] on PostgreSQL'
		]);
		const noDefault = pgTable(
			't',
			{
				id: pgText('id').notNull(),
				at: pgTimestamp('at').notNull(),
				flag: pgBoolean('flag').notNull(),
				big: pgBigint('big', { mode: 'bigint' })
			},
			(t) => [pgPrimaryKey({ columns: [t.id, t.at] }), pgIndex('t_at_idx').on(t.at, t.id)]
		);
		const withBig = sqliteTable(
			't',
			{
				id: sqliteText('id').notNull(),
				at: sqliteInteger('at', { mode: 'timestamp_ms' }).notNull(),
				flag: sqliteInteger('flag', { mode: 'boolean' }).notNull().default(false),
				big: sqliteInteger('big')
			},
			(t) => [sqlitePrimaryKey({ columns: [t.id, t.at] }), sqliteIndex('t_at_idx').on(t.at, t.id)]
		);
		expect(mirrorDifferences({ t: withBig }, { t: noDefault })).toEqual([
			't.flag: hasDefault true on SQLite, false on PostgreSQL',
			't.flag: default defined true on SQLite, false on PostgreSQL',
			't.big: JS value type "number" on SQLite, "bigint" on PostgreSQL'
		]);
		const json = pgTable('t', { id: pgJsonb('id') });
		expect(
			mirrorDifferences(
				{ t: sqliteTable('t', { id: sqliteText('id', { mode: 'json' }) }) },
				{ t: json }
			)
		).toEqual([]);
	});

	it('names an index that differs in columns, order, uniqueness, WHERE or PostgreSQL-only options', () => {
		const drifted = pgTable(
			't',
			{
				id: pgText('id').notNull(),
				at: pgTimestamp('at').notNull(),
				flag: pgBoolean('flag').notNull().default(false)
			},
			(t) => [
				pgPrimaryKey({ columns: [t.id, t.at] }),
				pgIndex('t_at_idx')
					.on(t.id, t.at)
					.where(sql`flag`),
				pgIndex('t_flag_idx').using('brin', t.flag),
				pgUnique('t_id_unique').on(t.id)
			]
		);
		expect(mirrorDifferences(sqliteT(), { t: drifted })).toEqual([
			't: index t_flag_idx only on PostgreSQL',
			't: index t_at_idx: columns ["at","id"] on SQLite, ["id","at"] on PostgreSQL',
			't: index t_at_idx: partial (WHERE) false on SQLite, true on PostgreSQL',
			't: unique t_id_unique only on PostgreSQL'
		]);
		const options = pgTable(
			't',
			{
				id: pgText('id').notNull(),
				at: pgTimestamp('at').notNull(),
				flag: pgBoolean('flag').notNull().default(false)
			},
			(t) => [
				pgPrimaryKey({ columns: [t.id, t.at] }),
				pgIndex('t_at_idx').using('hash', t.at.desc(), t.id)
			]
		);
		expect(mirrorDifferences(sqliteT(), { t: options })).toEqual([
			't: index t_at_idx: PostgreSQL-only options using hash, at desc'
		]);
	});

	it('names a foreign key on one side only', () => {
		const parent = pgTable('p', { id: pgText('id').primaryKey() });
		const child = pgTable('c', {
			pid: pgText('pid').references(() => parent.id, { onDelete: 'cascade' })
		});
		const sqliteParent = sqliteTable('p', { id: sqliteText('id').primaryKey() });
		expect(
			mirrorDifferences(
				{ p: sqliteParent, c: sqliteTable('c', { pid: sqliteText('pid') }) },
				{ p: parent, c: child }
			)
		).toEqual(['c: foreign key c_pid_p_id_fk only on PostgreSQL']);
	});
});
