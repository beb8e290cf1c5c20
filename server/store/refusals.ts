// Telling a value the database refused from a database (or server) that is broken. A refusal is
// about the data a statement carried: retrying the same data fails the same way, retrying
// without it succeeds. Everything else (connection lost, disk full, a bug) is not one.

/** A value the database refused, with the table and column when the driver names them. */
export interface ValueRefusal {
	table: string | null;
	column: string | null;
}

/**
 * PostgreSQL SQLSTATE classes of refused data: 22 data exception (NUL in text, an invalid
 * Unicode escape in JSON, a year out of range…), 23 integrity constraint violation, P0 raised
 * by a trigger, 54 program limit exceeded (a value too large to index).
 */
const PG_REFUSAL_CLASSES = new Set(['22', '23', 'P0', '54']);

/** SQLite result codes of refused data (extended codes start with these). */
const SQLITE_REFUSALS = ['SQLITE_CONSTRAINT', 'SQLITE_MISMATCH', 'SQLITE_TOOBIG'];

/** better-sqlite3 names the column of NOT NULL, UNIQUE and similar failures in the message. */
const SQLITE_COLUMN = /constraint failed: (\w+)\.(\w+)/;

interface DriverError {
	name?: unknown;
	code?: unknown;
	message?: unknown;
	table_name?: unknown;
	column_name?: unknown;
	cause?: unknown;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** The refusal `error` carries (drizzle wraps driver errors in `cause`), or null. */
export function valueRefusal(error: unknown): ValueRefusal | null {
	for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
		const d = e as DriverError;
		const code = text(d.code);
		if (d.name === 'PostgresError' && code)
			return PG_REFUSAL_CLASSES.has(code.slice(0, 2))
				? { table: text(d.table_name), column: text(d.column_name) }
				: null;
		if (d.name === 'SqliteError' && code) {
			if (!SQLITE_REFUSALS.some((c) => code.startsWith(c))) return null;
			const named = SQLITE_COLUMN.exec(text(d.message) ?? '');
			return { table: named?.[1] ?? null, column: named?.[2] ?? null };
		}
		e = d.cause;
	}
	return null;
}
