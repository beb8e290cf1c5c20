import { resolve } from 'node:path';
import { openPostgresStore } from './postgres';
import { openSqliteStore } from './sqlite';
import type { Store } from './types';
import { databaseTarget, DEFAULT_DATABASE_URL } from './database-url';

export { DEFAULT_DATABASE_URL, maskDatabaseUrl } from './database-url';

/** Open the store named by a DATABASE_URL: `file:<path>` for SQLite, `postgres://…` for PostgreSQL. */
export function openStore(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Store {
	const target = databaseTarget(url);
	if (target.kind === 'postgres') return openPostgresStore(target.url);
	return openSqliteStore(target.path === ':memory:' ? target.path : resolve(target.path));
}

export type { Store } from './types';
