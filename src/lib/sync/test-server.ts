// The real sync server for the device-side tests (imported by *.test.ts only): the Hono app of
// server/app.ts over a store on a temporary SQLite file, reached in process through its own
// routes (POST /sync/push, GET /sync/pull) with real session tokens and the app's HTTP transport.
// Refusals and other devices' edits are the server's own; what stays in the test are the faults
// of the network between a device and the server: a request lost before it reaches the server,
// an answer lost after the server applied the request, a failed pull.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createApp } from '../../../server/app';
import { LoginThrottle } from '../../../server/auth/throttle';
import { newToken, tokenHash } from '../../../server/auth/tokens';
import { loadConfig, type Config } from '../../../server/config';
import { openStore } from '../../../server/store/index';
import type { ChangeRow } from '../../../server/store/rows';
import type { DivisionRow, HouseholdRow, Store, UserRow } from '../../../server/store/types';
import type { Mutation } from '$lib/shared/schemas';
import { HttpSyncTransport } from './http-transport';
import { TEST_EPOCH } from './test-support';
import type { PullPage, PushResult, SyncTransport } from './transport';

/** The grid the tests' worker keeps (see `TestServer.users`). */
export const TEST_GRID = '0196f1d2-0000-7000-8000-000000000001';
/** Another grid of the same community, outside the worker's scope. */
export const OTHER_GRID = '0196f1d2-0000-7000-8000-000000000002';
const COMMUNITY = '450102001003';

const TREE: DivisionRow[] = [
	{ code: '45', name: '广西壮族自治区', level: 'province', parentCode: null },
	{ code: '4501', name: '南宁市', level: 'city', parentCode: '45' },
	{ code: '450102', name: '兴宁区', level: 'county', parentCode: '4501' },
	{ code: '450102001', name: '民生街道', level: 'street', parentCode: '450102' },
	{ code: COMMUNITY, name: '兴宁社区居委会', level: 'community', parentCode: '450102001' }
];

/**
 * The seeded users: `worker` keeps TEST_GRID, `colleague` is a second worker of the same grid.
 * They never sign in with a password: sessions are opened for them directly (`connect`), as the
 * login route would.
 */
export type TestUser = 'worker' | 'colleague';
const TEST_USERS: TestUser[] = ['worker', 'colleague'];

/** Not a hash any password has: these users' sessions are opened directly. */
const NO_PASSWORD = 'none';

async function seed(store: Store): Promise<void> {
	await store.upsertDivisions(TREE);
	await store.createGrid({ id: TEST_GRID, communityCode: COMMUNITY, name: '第一网格' });
	await store.createGrid({ id: OTHER_GRID, communityCode: COMMUNITY, name: '第二网格' });
	for (const username of TEST_USERS)
		await store.createUser({
			username,
			role: 'grid_worker',
			scope: [TEST_GRID],
			passwordHash: NO_PASSWORD,
			displayName: null
		});
}

/**
 * Where the databases go: memory-backed where the system has such a directory, since the server
 * syncs every commit to disk (synchronous=FULL) and these files are thrown away.
 */
const TEMP = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** The bytes of a migrated, seeded database: made once per test file, written for every server. */
let template: Promise<Uint8Array> | null = null;

function templateBytes(): Promise<Uint8Array> {
	template ??= (async () => {
		const dir = mkdtempSync(join(TEMP, 'gridcare-sync-'));
		try {
			const path = join(dir, 'template.db');
			const store = openStore(`file:${path}`);
			await store.migrate();
			await seed(store);
			// Closing the last connection checkpoints the WAL into the file.
			await store.close();
			if (existsSync(`${path}-wal`)) throw new Error('the template database kept a WAL');
			// A plain Uint8Array: the app's DOM typings and Node's disagree on Buffer.
			return Uint8Array.from(readFileSync(path));
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	})();
	return template;
}

export interface TestServerOptions {
	/** The server's clock, epoch milliseconds (default: TEST_EPOCH). */
	now?: () => number;
}

export class TestServer {
	private constructor(
		readonly store: Store,
		private readonly app: ReturnType<typeof createApp>,
		private readonly config: Config,
		readonly users: Record<TestUser, UserRow>,
		private readonly now: () => number,
		private readonly dir: string
	) {}

	/** Grids made by `newGrid`. */
	private grids = 0;

	/** A fresh server on its own temporary SQLite file; `close` removes it. */
	static async open(options: TestServerOptions = {}): Promise<TestServer> {
		const dir = mkdtempSync(join(TEMP, 'gridcare-sync-'));
		const path = join(dir, 'server.db');
		writeFileSync(path, await templateBytes());
		const store = openStore(`file:${path}`);
		const users = {} as Record<TestUser, UserRow>;
		for (const name of TEST_USERS) {
			const user = await store.findUserByUsername(name);
			if (!user) throw new Error(`the template database has no user ${name}`);
			users[name] = user;
		}
		const now = options.now ?? (() => TEST_EPOCH);
		// No built app to serve: an empty directory stands in for it.
		const config = { ...loadConfig({}), appDir: dir };
		const app = createApp({
			store,
			config,
			throttle: new LoginThrottle(),
			version: 'test',
			now: () => new Date(now()),
			log: () => {}
		});
		return new TestServer(store, app, config, users, now, dir);
	}

	/**
	 * A grid of its own with a worker who keeps it: rows a test writes there are apart from
	 * everything else on this server, and so is what that worker's devices pull.
	 */
	async newGrid(): Promise<{ grid: string; worker: UserRow }> {
		this.grids += 1;
		const grid = await this.store.createGrid({
			communityCode: COMMUNITY,
			name: `网格 ${this.grids}`
		});
		const worker = await this.store.createUser({
			username: `worker-${this.grids}`,
			role: 'grid_worker',
			scope: [grid.id],
			passwordHash: NO_PASSWORD,
			displayName: null
		});
		return { grid: grid.id, worker };
	}

	/** A device of `user` signed in (a real session), with its network link to this server. */
	async connect(
		user: TestUser | UserRow = 'worker',
		deviceId: string = crypto.randomUUID()
	): Promise<Connection> {
		const token = newToken();
		const created = new Date(this.now());
		const session = await this.store.createSession({
			id: crypto.randomUUID(),
			tokenHash: tokenHash(token),
			userId: typeof user === 'string' ? this.users[user].id : user.id,
			deviceId,
			createdAt: created,
			expiresAt: new Date(created.getTime() + this.config.sessionTtlMs)
		});
		const http = new HttpSyncTransport({
			getToken: () => token,
			fetch: async (input, init) => this.app.request(input, init)
		});
		return new Connection(deviceId, session.id, http);
	}

	/**
	 * Give `user` these grids, raising their scope version as the people administration does
	 * (docs/administration.md): their devices' cursors are then of an older scope.
	 */
	setScope(user: UserRow, scope: string[]): void {
		const db = new Database(join(this.dir, 'server.db'));
		try {
			db.prepare('UPDATE users SET scope = ?, scope_version = scope_version + 1 WHERE id = ?').run(
				JSON.stringify(scope),
				user.id
			);
		} finally {
			db.close();
		}
	}

	/** `count` households recorded in TEST_GRID by a colleague's device in one push: a change each. */
	async seedHouseholds(count: number): Promise<void> {
		const colleague = await this.connect('colleague');
		const results = await colleague.push(
			Array.from({ length: count }, (_, i) => ({
				id: crypto.randomUUID(),
				table: 'households' as const,
				op: 'insert' as const,
				rowId: crypto.randomUUID(),
				fields: { gridId: TEST_GRID, address: `addr ${i}`, tags: [] }
			}))
		);
		const refused = results.find((r) => r.status !== 'applied');
		if (refused) throw new Error(`seeding households: ${JSON.stringify(refused)}`);
	}

	/** A live household as the server holds it. */
	async household(id: string): Promise<HouseholdRow | undefined> {
		const grid = await this.store.gridOfRow('households', id);
		if (!grid) return undefined;
		return (await this.store.householdsOfGrid(grid)).find((h) => h.id === id);
	}

	/** Every change the server logged (of one grid, when given), in order. */
	changeLog(grid?: string): Promise<ChangeRow[]> {
		return this.store.pullChanges({
			...(grid ? { gridIds: [grid] } : { communityCodes: [COMMUNITY] }),
			after: 0,
			limit: Number.MAX_SAFE_INTEGER
		});
	}

	async close(): Promise<void> {
		await this.store.close();
		rmSync(this.dir, { recursive: true, force: true });
	}
}

type Hook = (mutations: Mutation[]) => void;

/**
 * A device's network link to the server: every call goes through the app's routes, and the
 * hooks are the network's faults (throw from one to fail the call at that point).
 */
export class Connection {
	/** Every push batch that reached the server (after `beforePush` let it through). */
	readonly pushes: Mutation[][] = [];
	/** The cursor of every pull that reached the server. */
	readonly pulls: (string | null)[] = [];
	/** Runs before a push leaves the device: throw to lose the request. */
	beforePush: Hook | null = null;
	/** Runs after the server applied a push: throw to lose the answer. */
	afterPush: Hook | null = null;
	/** Runs before a pull leaves the device: throw to fail it. */
	beforePull: ((cursor: string | null) => void) | null = null;

	constructor(
		readonly deviceId: string,
		/** The session this device signed in with. */
		readonly sessionId: string,
		private readonly http: SyncTransport
	) {}

	/** What the device's sync engine is given. */
	readonly transport: SyncTransport = {
		push: (deviceId, mutations) => this.push(mutations, deviceId),
		pull: (cursor, limit) => this.pull(cursor, limit)
	};

	/** Push as this device (the server answers 400 to a device id other than the session's). */
	async push(mutations: Mutation[], deviceId = this.deviceId): Promise<PushResult[]> {
		const sent = structuredClone(mutations);
		this.beforePush?.(sent);
		this.pushes.push(sent);
		const results = await this.http.push(deviceId, sent);
		this.afterPush?.(sent);
		return results;
	}

	async pull(cursor: string | null, limit: number): Promise<PullPage> {
		this.beforePull?.(cursor);
		this.pulls.push(cursor);
		return this.http.pull(cursor, limit);
	}
}
