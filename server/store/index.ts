import { resolve } from 'node:path';
import { openPostgresStore } from './postgres';
import { openSqliteStore } from './sqlite';
import type { Store } from './types';

export const DEFAULT_DATABASE_URL = 'file:./data/gridcare.db';

/** Open the store named by a DATABASE_URL: `file:<path>` for SQLite, `postgres://…` for PostgreSQL. */
export function openStore(url: string = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): Store {
	if (url.startsWith('postgres://') || url.startsWith('postgresql://'))
		return openPostgresStore(url);
	if (url.startsWith('file:')) {
		const path = url.slice('file:'.length);
		return openSqliteStore(path === ':memory:' ? path : resolve(path));
	}
	throw new Error(`DATABASE_URL: expected file:<path> or postgres://…, got "${url}"`);
}

export type { Store } from './types';
