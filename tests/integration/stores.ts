// Opens a fresh, migrated store of each dialect for a suite: a real SQLite file and, when a
// server answers (always in CI), a fresh database on the real PostgreSQL.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { postgresReachable, withPostgres } from './pg';

export interface TestStore {
	store: Store;
	url: string;
	dispose(): Promise<void>;
}

export type DialectName = 'sqlite' | 'postgres';

/** Whether suites of this dialect can run here (PostgreSQL may be absent locally, never in CI). */
export function dialectAvailable(dialect: DialectName): boolean {
	return dialect === 'sqlite' || POSTGRES_AVAILABLE;
}

export async function openTestStore(dialect: DialectName): Promise<TestStore> {
	if (dialect === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'gridcare-'));
		const url = `file:${join(dir, 'test.db')}`;
		const store = openStore(url);
		await store.migrate();
		return {
			store,
			url,
			dispose: async () => {
				await store.close();
				rmSync(dir, { recursive: true, force: true });
			}
		};
	}
	const pg = await withPostgres();
	if (!pg) throw new Error('PostgreSQL is not reachable');
	const store = openStore(pg.url);
	await store.migrate();
	return {
		store,
		url: pg.url,
		dispose: async () => {
			await store.close();
			await pg.drop();
		}
	};
}

export const DIALECTS: DialectName[] = ['sqlite', 'postgres'];
const POSTGRES_AVAILABLE = await postgresReachable();
