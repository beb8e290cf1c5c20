// DATABASE_URL (and DATABASE_READ_URL): which database it names, and how to show it without its
// password.

export const DEFAULT_DATABASE_URL = 'file:./data/gridcare.db';

export type DatabaseTarget = { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string };

/** The database a DATABASE_URL names; throws a one-line reason naming the variable. */
export function databaseTarget(url: string, variable = 'DATABASE_URL'): DatabaseTarget {
	if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
		return { kind: 'postgres', url };
	if (url.startsWith('file:') && url.length > 'file:'.length)
		return { kind: 'sqlite', path: url.slice('file:'.length) };
	throw new Error(
		`${variable}: expected file:<path>, postgres://… or postgresql://…, got "${maskDatabaseUrl(url)}"`
	);
}

/**
 * DATABASE_READ_URL, when set: a PostgreSQL streaming replica of DATABASE_URL, which must then be
 * PostgreSQL too (docs/operations.md, "Read replica"). Throws a one-line reason naming it.
 */
export function readReplicaUrl(value: string | undefined, primaryUrl: string): string | undefined {
	if (!value) return undefined;
	if (databaseTarget(value, 'DATABASE_READ_URL').kind !== 'postgres')
		throw new Error(
			`DATABASE_READ_URL: a read replica is a PostgreSQL standby (postgres://… or postgresql://…), got "${maskDatabaseUrl(value)}"`
		);
	if (databaseTarget(primaryUrl).kind !== 'postgres')
		throw new Error(
			`DATABASE_READ_URL: needs DATABASE_URL on PostgreSQL, whose replica it is; DATABASE_URL is SQLite ("${maskDatabaseUrl(primaryUrl)}")`
		);
	return value;
}

/**
 * The URL with its password replaced by "***", to be quoted in messages and logs. The user
 * information is taken to end at the last "@", so that a password holding an unescaped "@", "/",
 * "?" or "#" is masked whole (at worst more is masked than needed); a `password=` query parameter
 * is masked too.
 */
export function maskDatabaseUrl(url: string): string {
	const start = url.indexOf('://');
	if (start < 0) return url;
	const at = url.lastIndexOf('@');
	let masked = url;
	if (at > start) {
		const userInfo = url.slice(start + 3, at);
		const colon = userInfo.indexOf(':');
		if (colon >= 0)
			masked = `${url.slice(0, start + 3)}${userInfo.slice(0, colon)}:***${url.slice(at)}`;
	}
	return masked.replace(/([?&]password=)[^&#]*/gi, '$1***');
}
