// Two provinces and a nation on a throwaway PostgreSQL cluster (docs/scaling.md, "The national
// federation"), set up the way an operator does it: each province's database migrated, seeded
// and published with `gridcare federation publish`; the national database migrated, given the
// division tree and a national account, subscribed to each province with `gridcare federation
// subscribe`, and served by `gridcare serve` with GRIDCARE_MODE=rollup-only. The provinces take
// pushes through their own API in this process. Used by the federation test and bench.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { hashPassword } from '../../server/auth/password';
import { openStore } from '../../server/store/index';
import type { DivisionRow, Store } from '../../server/store/types';
import { freePort, ServerProcess } from '../chaos/server-process';
import { ApiClient, testApp, type TestApp } from './api-client';
import { PASSWORD, seedFixture, TREE } from './fixtures';
import { startCluster, type PgCluster } from './pg-cluster';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/gridcare.js', import.meta.url));

/** Province 11 (Beijing): a community of one grid, its worker and its province's officer. */
export const TREE_11: DivisionRow[] = [
	{ code: '11', name: '北京市', level: 'province', parentCode: null },
	{ code: '1101', name: '市辖区', level: 'city', parentCode: '11' },
	{ code: '110101', name: '东城区', level: 'county', parentCode: '1101' },
	{ code: '110101001', name: '东华门街道', level: 'street', parentCode: '110101' },
	{ code: '110101001001', name: '多福巷社区居委会', level: 'community', parentCode: '110101001' }
];

export interface Province {
	code: string;
	url: string;
	store: Store;
	/** The grid worker who pushes, and the province's officer who reads its own figures. */
	worker: ApiClient;
	officer: ApiClient;
	/** A grid of the province the worker works in. */
	gridId: string;
}

export interface Federation {
	cluster: PgCluster;
	provinces: Province[];
	nationalUrl: string;
	/** The national server (GRIDCARE_MODE=rollup-only) and a national account signed in to it. */
	national: ServerProcess;
	nation: ApiClient;
	/** SQL on the national database. */
	nationalSql: postgres.Sql;
	stop(): Promise<void>;
}

/** `gridcare <args>` with DATABASE_URL; returns what it printed. */
export async function gridcare(databaseUrl: string, args: string[]): Promise<string> {
	const { stdout } = await run(process.execPath, [BIN, ...args], {
		env: { ...process.env, DATABASE_URL: databaseUrl }
	});
	return stdout;
}

/** An ApiClient on a server process, as on an in-process app. */
function remote(server: ServerProcess): TestApp {
	return {
		request: (path: string, init?: RequestInit) => fetch(`${server.url}${path}`, init)
	} as unknown as TestApp;
}

async function province45(cluster: PgCluster): Promise<Province> {
	const url = await cluster.createDatabase('province_45');
	const store = openStore(url);
	await store.migrate();
	const fx = await seedFixture(store);
	const app = testApp(store);
	return {
		code: '45',
		url,
		store,
		worker: await new ApiClient(app).login('worker_a1'),
		officer: await new ApiClient(app).login('province'),
		gridId: fx.grids.a1
	};
}

async function province11(cluster: PgCluster): Promise<Province> {
	const url = await cluster.createDatabase('province_11');
	const store = openStore(url);
	await store.migrate();
	await store.upsertDivisions(TREE_11);
	const grid = await store.createGrid({ communityCode: '110101001001', name: '第一网格' });
	const passwordHash = await hashPassword(PASSWORD);
	const user = (username: string, role: 'grid_worker' | 'province_officer', scope: string[]) =>
		store.createUser({ username, role, scope, passwordHash, displayName: null });
	await user('worker_11', 'grid_worker', [grid.id]);
	await user('province_11', 'province_officer', ['11']);
	const app = testApp(store);
	return {
		code: '11',
		url,
		store,
		worker: await new ApiClient(app).login('worker_11'),
		officer: await new ApiClient(app).login('province_11'),
		gridId: grid.id
	};
}

/**
 * Set up the federation; `before` runs on the provinces before they are published (figures that
 * must reach the nation by the subscriptions' first copy). The national server serves the app
 * from `appDir` (the built app, for a browser test), or from an empty folder. Null when no
 * throwaway cluster can be made here (startCluster says why).
 */
export async function startFederation(
	before: (provinces: Province[]) => Promise<void> = async () => {},
	options: { appDir?: string } = {}
): Promise<Federation | null> {
	const cluster = await startCluster();
	if (!cluster) return null;
	const provinces = [await province45(cluster), await province11(cluster)];
	await before(provinces);
	for (const p of provinces) await gridcare(p.url, ['federation', 'publish']);

	const nationalUrl = await cluster.createDatabase('nation');
	const nationalStore = openStore(nationalUrl);
	await nationalStore.migrate();
	// The national server's own division tree (an operator imports the national list) and a
	// national account, whose scope is everything.
	await nationalStore.upsertDivisions([...TREE, ...TREE_11]);
	await nationalStore.close();
	await gridcare(nationalUrl, [
		'user',
		'add',
		'--username',
		'nation',
		'--role',
		'admin',
		'--scope',
		'*',
		'--password',
		PASSWORD
	]);
	for (const p of provinces)
		await gridcare(nationalUrl, ['federation', 'subscribe', '--from', p.url]);

	const appDir = options.appDir ?? (await mkdtemp(join(tmpdir(), 'gridcare-app-')));
	const national = new ServerProcess(nationalUrl, await freePort(), appDir, {
		env: { GRIDCARE_MODE: 'rollup-only', GRIDCARE_JOB_INTERVAL_SECONDS: '1' }
	});
	await national.start();
	const nation = await new ApiClient(remote(national)).login('nation');
	const nationalSql = cluster.sql('nation');
	return {
		cluster,
		provinces,
		nationalUrl,
		national,
		nation,
		nationalSql,
		async stop() {
			await national.stop();
			for (const p of provinces) await p.store.close();
			await cluster.stop();
			if (!options.appDir) await rm(appDir, { recursive: true, force: true });
		}
	};
}

/** Poll `read` until `done` says its value is right; the value, or an error after `timeoutMs`. */
export async function until<T>(
	read: () => Promise<T>,
	done: (value: T) => boolean,
	timeoutMs = 30_000,
	everyMs = 5
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (done(value)) return value;
		if (Date.now() > deadline)
			throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

/** A stored figure of the national database (0 when absent). */
export async function nationalFigure(
	sql: postgres.Sql,
	node: string,
	period: string,
	metric: string
): Promise<number> {
	const [row] = await sql<{ value: string }[]>`
		select value from rollup_figures
		where node_code = ${node} and period = ${period} and metric = ${metric}`;
	return row ? Number(row.value) : 0;
}

/**
 * One push's timing: its round trip; from its sending to the national figure showing it; and
 * replication's own part, from the province's commit to the national database applying it
 * (both instants taken by PostgreSQL on the same clock: the province's commit timestamp, and
 * the national's clock when its apply worker wrote the row).
 */
export interface Lag {
	pushMs: number;
	sentToNational: number;
	commitToApplied: number;
}

/**
 * On the national database, for measuring: a trigger that fires on the replication apply
 * (ENABLE ALWAYS) and notes when each value of one figure row was written.
 */
async function noteApplies(sql: postgres.Sql, node: string): Promise<void> {
	await sql.unsafe(`
		create table if not exists lag_applied (value bigint primary key, at timestamptz not null);
		-- The apply worker runs with an empty search_path: names are schema-qualified.
		create or replace function lag_note() returns trigger language plpgsql as $$
		begin
			if new.node_code = '${node}' and new.period = 'now' and new.metric = 'households' then
				insert into public.lag_applied values (new.value, clock_timestamp()) on conflict do nothing;
			end if;
			return new;
		end $$;
		drop trigger if exists lag_note on rollup_figures;
		create trigger lag_note after insert or update on rollup_figures
			for each row execute function lag_note();
		alter table rollup_figures enable always trigger lag_note;`);
}

/**
 * The lag from a push to its figure stored on the national database: `n` pushes of one household
 * each to `province`, one at a time, each timed from its sending until the national `households`
 * figure of the province shows it (polled every millisecond), and from its commit on the
 * province to its apply on the national database, in push order.
 */
export async function measureLag(fed: Federation, province: Province, n: number): Promise<Lag[]> {
	await noteApplies(fed.nationalSql, province.code);
	const provinceSql = fed.cluster.sql(`province_${province.code}`);
	const lags: Lag[] = [];
	let expected = await nationalFigure(fed.nationalSql, province.code, 'now', 'households');
	for (let i = 0; i < n; i++) {
		const sent = performance.now();
		const [result] = await province.worker.push([
			{
				id: crypto.randomUUID(),
				table: 'households',
				op: 'insert',
				rowId: crypto.randomUUID(),
				fields: { gridId: province.gridId, address: `测量路${i + 1}号` }
			}
		]);
		const pushMs = performance.now() - sent;
		if (result.status !== 'applied') throw new Error(`push: ${result.reason ?? result.status}`);
		expected++;
		await until(
			() => nationalFigure(fed.nationalSql, province.code, 'now', 'households'),
			(v) => v === expected,
			30_000,
			1
		);
		const sentToNational = performance.now() - sent;
		// As text: a JavaScript date would drop the microseconds.
		const [committed] = await provinceSql<{ at: string }[]>`
			select pg_xact_commit_timestamp(xmin)::text as at from rollup_figures
			where node_code = ${province.code} and period = 'now' and metric = 'households'`;
		const [{ ms }] = await fed.nationalSql<{ ms: number }[]>`
			select extract(epoch from at - ${committed.at}::timestamptz)::float8 * 1000 as ms
			from lag_applied where value = ${expected}`;
		lags.push({ pushMs, sentToNational, commitToApplied: Number(ms) });
	}
	return lags;
}
