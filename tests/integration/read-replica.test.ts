// DATABASE_READ_URL (docs/operations.md, "Read replica"): the real server on a throwaway cluster
// whose streaming hot standby serves the roll-up, trend and report reads, while pushes, pulls and
// sign-in stay on the primary. Measures how long a pushed figure takes to show through the
// replica, and what the server answers once the replica is gone.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_COMMUNITY_CODE } from '../../server/seed/demo';
import { freePort, ServerProcess } from '../chaos/server-process';
import { Device, type Change } from './http-device';
import { startCluster, type PgCluster } from './pg-cluster';

const uuid = () => crypto.randomUUID();
const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** How long a figure may take to reach the replica before the test gives up. */
const REPLAY_BOUND_MS = 10_000;
const PUSHES = 20;
const STREET_CODE = DEMO_COMMUNITY_CODE.slice(0, 9);

const visit = (householdId: string) => ({
	id: uuid(),
	table: 'visits',
	op: 'insert',
	rowId: uuid(),
	fields: { householdId, visitedAt: new Date().toISOString(), outcome: 'visited', checks: [] }
});

const cluster = await startCluster();

describe.skipIf(!cluster)('a streaming read replica serving the figure reads', () => {
	let replica: PgCluster;
	let appDir: string;
	let server: ServerProcess;
	let primarySql: postgres.Sql;
	let replicaSql: postgres.Sql;
	let worker: Device;
	let head: Device;
	let street: Device;
	let households: string[];
	let cursor: string | undefined;

	/** Visits of the demo community today, as the roll-up answers them through the server. */
	const visitsToday = async () => {
		const res = await head.request(server, `/rollup/${DEMO_COMMUNITY_CODE}`);
		expect(res.status, await res.clone().text()).toBe(200);
		return ((await res.json()) as { metrics: { visits: number } }).metrics.visits;
	};

	/** The worker's changes since the last call (from the start the first time). */
	const pull = async (): Promise<Change[]> => {
		const changes: Change[] = [];
		for (;;) {
			const query = new URLSearchParams({ limit: '1000', ...(cursor ? { cursor } : {}) });
			const res = await worker.request(server, `/sync/pull?${query}`);
			expect(res.status).toBe(200);
			const body = (await res.json()) as { changes: Change[]; cursor: string; hasMore: boolean };
			changes.push(...body.changes);
			cursor = body.cursor;
			if (!body.hasMore) return changes;
		}
	};

	beforeAll(async () => {
		appDir = await mkdtemp(join(tmpdir(), 'gridcare-app-'));
		const primaryUrl = await cluster!.createDatabase('gridcare');
		// The server migrates the primary and seeds the demo community first: the standby is a
		// copy of the cluster as it is then, and replays everything written afterwards.
		const first = new ServerProcess(primaryUrl, await freePort(), appDir, { args: ['--demo'] });
		await first.start();
		expect(await first.stop()).toBe(0);
		replica = await cluster!.replica();
		server = new ServerProcess(primaryUrl, await freePort(), appDir, {
			env: { DATABASE_READ_URL: replica.url('gridcare') }
		});
		await server.start();
		primarySql = postgres(primaryUrl, { max: 1, onnotice: () => {} });
		replicaSql = postgres(replica.url('gridcare'), { max: 1, onnotice: () => {} });
		worker = await new Device().login(server, 'worker1');
		head = await new Device().login(server, 'head');
		street = await new Device().login(server, 'street');
		households = (await pull())
			.filter((ch) => ch.table === 'households' && ch.op === 'insert')
			.map((ch) => ch.rowId);
	}, 180_000);

	afterAll(async () => {
		await server?.stop();
		await primarySql?.end({ timeout: 1 });
		await replicaSql?.end({ timeout: 1 });
		await replica?.stop();
		await cluster?.stop();
		if (appDir) await rm(appDir, { recursive: true, force: true });
	});

	it('reads the figures from the hot standby, on connections of the server', async () => {
		const [{ standby }] = await replicaSql<{ standby: boolean }[]>`
			select pg_is_in_recovery() as standby`;
		expect(standby).toBe(true);
		expect(server.output()).toMatch(/figures read from postgres:\/\/postgres@127\.0\.0\.1:\d+/);
		const report = await head.request(server, `/communities/${DEMO_COMMUNITY_CODE}/summary.xlsx`);
		expect(report.status).toBe(200);
		const streetReport = await street.request(server, `/divisions/${STREET_CODE}/summary.xlsx`);
		expect(streetReport.status).toBe(200);
		const trend = await head.request(server, `/rollup/${DEMO_COMMUNITY_CODE}/trend?days=7`);
		expect(trend.status).toBe(200);
		expect(await visitsToday()).toBeGreaterThanOrEqual(0);
		// The server's own connections to the standby (named by host and pid), and the figure
		// queries they ran there last.
		const connections = await replicaSql<{ query: string }[]>`
			select query from pg_stat_activity
			where datname = 'gridcare' and application_name like 'gridcare %'`;
		expect(connections.length).toBeGreaterThan(0);
		expect(connections.some((c) => /from "(rollup_figures|incidents)"/.test(c.query))).toBe(true);
	});

	it('shows a pushed figure once the standby has replayed it; a pull sees the row at once', async () => {
		// Per push: from its answer to the end of the first roll-up read showing it, how long one
		// read takes, and whether the first read after it was still stale.
		const lags: number[] = [];
		const readTimes: number[] = [];
		let staleFirstReads = 0;
		let mostReads = 0;
		let expected = await visitsToday();
		for (let i = 0; i < PUSHES; i++) {
			const mutation = visit(households[i % households.length]);
			const [result] = await worker.push(server, [mutation]);
			expect(result.status).toBe('applied');
			const pushed = performance.now();
			expected += 1;
			// The figure through the replica: polled until it shows, within a bound.
			for (let reads = 1; ; reads++) {
				const started = performance.now();
				const visits = await visitsToday();
				readTimes.push(performance.now() - started);
				if (visits === expected) {
					mostReads = Math.max(mostReads, reads);
					break;
				}
				expect(visits).toBe(expected - 1);
				if (reads === 1) staleFirstReads += 1;
				if (performance.now() - pushed > REPLAY_BOUND_MS)
					throw new Error(`the replica did not show push ${i} within ${REPLAY_BOUND_MS} ms`);
			}
			lags.push(performance.now() - pushed);
			// The device's own pull reads the primary: its row is there at once, every time.
			const mine = (await pull()).filter((ch) => ch.rowId === mutation.rowId);
			expect(mine.map((ch) => ch.op)).toEqual(['insert']);
		}
		// Pure replay: the primary's WAL position just after a push, reached by the standby.
		const replays: number[] = [];
		for (let i = 0; i < PUSHES; i++) {
			await worker.push(server, [visit(households[i % households.length])]);
			const [{ lsn }] = await primarySql<{ lsn: string }[]>`select pg_current_wal_lsn() as lsn`;
			const flushed = performance.now();
			for (;;) {
				const [{ behind }] = await replicaSql<{ behind: boolean }[]>`
					select pg_last_wal_replay_lsn() < ${lsn}::pg_lsn as behind`;
				if (!behind) break;
				if (performance.now() - flushed > REPLAY_BOUND_MS) throw new Error('replay too slow');
			}
			replays.push(performance.now() - flushed);
		}
		const ms = (v: number) => `${v.toFixed(1)} ms`;
		console.log(
			[
				`read replica, ${PUSHES} pushes: push answered → roll-up read showing it:`,
				`median ${ms(median(lags))}, max ${ms(Math.max(...lags))}`,
				`(one roll-up read: median ${ms(median(readTimes))});`,
				`first read after the push still stale: ${staleFirstReads}/${PUSHES},`,
				`most reads until it showed: ${mostReads};`,
				"WAL replay (the primary's position after a push reached by the standby):",
				`median ${ms(median(replays))}, max ${ms(Math.max(...replays))}`
			].join(' ')
		);
		expect(lags).toHaveLength(PUSHES);
	}, 120_000);

	it('answers figure reads 503 naming the replica while it is stopped; pushes and pulls go on', async () => {
		const before = await visitsToday();
		await replica.stop();
		const reads: [Device, string][] = [
			[head, `/rollup/${DEMO_COMMUNITY_CODE}`],
			[head, `/rollup/${DEMO_COMMUNITY_CODE}/trend?days=7`],
			[head, `/communities/${DEMO_COMMUNITY_CODE}/summary.xlsx`],
			[street, `/divisions/${STREET_CODE}/summary.xlsx`]
		];
		for (const [device, path] of reads) {
			const res = await device.request(server, path);
			expect(res.status, path).toBe(503);
			expect(res.headers.get('retry-after')).toBe('30');
			const body = (await res.json()) as { error: string; message: string };
			expect(body.error).toBe('unavailable');
			expect(body.message).toMatch(/^read replica: no answer \(/);
		}
		const mutation = visit(households[0]);
		const [result] = await worker.push(server, [mutation]);
		expect(result.status).toBe('applied');
		expect((await pull()).map((ch) => ch.rowId)).toContain(mutation.rowId);
		// Sign-in, the supervision views and readiness use the primary alone.
		await new Device().login(server, 'worker2');
		const grids = await head.request(server, `/communities/${DEMO_COMMUNITY_CODE}/grids`);
		expect(grids.status).toBe(200);
		expect((await fetch(`${server.url}/api/v1/health/ready`)).status).toBe(200);

		// Back: the standby catches up on what it missed, and the reads come back by themselves.
		await replica.restart();
		const deadline = Date.now() + REPLAY_BOUND_MS;
		for (;;) {
			const res = await head.request(server, `/rollup/${DEMO_COMMUNITY_CODE}`);
			const visits =
				res.status === 200
					? ((await res.json()) as { metrics: { visits: number } }).metrics.visits
					: null;
			if (visits === before + 1) break;
			if (Date.now() > deadline) throw new Error(`no fresh figure after the restart: ${visits}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		expect(server.exitCode).toBeNull();
	}, 60_000);
});
