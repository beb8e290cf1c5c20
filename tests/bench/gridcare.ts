// A GridCare server as deployed: a migrated store (a temp SQLite file or a fresh PostgreSQL
// database), the integration fixture, and the real HTTP server on a free loopback port.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../server/config';
import { startServer } from '../../server/serve';
import { openStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { PASSWORD, seedFixture, type Fixture } from '../integration/fixtures';
import { withPostgres } from '../integration/pg';

export type Dialect = 'sqlite' | 'postgres';

export const DIALECT_LABEL: Record<Dialect, string> = {
	sqlite: 'SQLite',
	postgres: 'PostgreSQL'
};

export interface BenchDb {
	dialect: Dialect;
	store: Store;
	/** The DATABASE_URL the store was opened with. */
	url: string;
	/** SQLite only: the database file. */
	file?: string;
	fixture: Fixture;
	dispose(): Promise<void>;
}

/** A fresh, migrated and seeded database; null when PostgreSQL is not reachable. */
export async function openBenchDb(dialect: Dialect): Promise<BenchDb | null> {
	if (dialect === 'sqlite') {
		const dir = mkdtempSync(join(tmpdir(), 'gridcare-bench-'));
		const file = join(dir, 'bench.db');
		const url = `file:${file}`;
		const store = openStore(url);
		await store.migrate();
		const fixture = await seedFixture(store);
		return {
			dialect,
			store,
			url,
			file,
			fixture,
			dispose: async () => {
				await store.close();
				rmSync(dir, { recursive: true, force: true });
			}
		};
	}
	const pg = await withPostgres();
	if (!pg) return null;
	const store = openStore(pg.url);
	await store.migrate();
	const fixture = await seedFixture(store);
	return {
		dialect,
		store,
		url: pg.url,
		fixture,
		dispose: async () => {
			await store.close();
			await pg.drop();
		}
	};
}

export interface BenchServer {
	baseUrl: string;
	/**
	 * Close idle keep-alive sockets and let the event loop see it. Call after blocking the loop
	 * (a synchronous bulk fill): otherwise the server's keep-alive timeout and the client's next
	 * request on the pooled socket race, and the request fails with ECONNRESET.
	 */
	dropIdleConnections(): Promise<void>;
	close(): Promise<void>;
}

/** The real HTTP server (server/serve.ts) on 127.0.0.1 and a port the kernel picks. */
export async function startBenchServer(
	store: Store,
	env: NodeJS.ProcessEnv = {}
): Promise<BenchServer> {
	// Port 0: the kernel assigns a free port; @hono/node-server listens on all interfaces by
	// default, so the bench only ever addresses it through 127.0.0.1.
	const running = await startServer(store, { ...loadConfig(env), port: 0 });
	const { server } = running;
	const { port } = server.address() as AddressInfo;
	return {
		baseUrl: `http://127.0.0.1:${port}/api/v1`,
		dropIdleConnections: async () => {
			if ('closeIdleConnections' in server) server.closeIdleConnections();
			await new Promise((resolve) => setTimeout(resolve, 100));
		},
		close: async () => {
			await running.shutdown({ closeStore: false });
		}
	};
}

/** A real bearer token from POST /auth/login. */
export async function login(baseUrl: string, username: string, deviceId: string): Promise<string> {
	const res = await fetch(`${baseUrl}/auth/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ username, password: PASSWORD, deviceId })
	});
	if (res.status !== 200) throw new Error(`login ${username}: HTTP ${res.status}`);
	return ((await res.json()) as { token: string }).token;
}
