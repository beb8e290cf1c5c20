// Several `gridcare serve` processes on one PostgreSQL database (docs/operations.md): they start
// at the same moment on an empty database, share sessions, cursors, jobs and alerts through it,
// and one of them dies with SIGKILL in the middle of a push without anything lost or doubled.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, ServerProcess } from '../chaos/server-process';
import { Device } from './http-device';
import { withPostgres } from './pg';

const run = promisify(execFile);
const TOKEN = 'scrape-token-of-the-test';
const OTHER_COMMUNITY = '450102001004';
const uuid = () => crypto.randomUUID();

/** The sum over processes of one series of `GET /metrics`, label by label. */
async function metricSum(servers: ServerProcess[], series: string): Promise<number> {
	let total = 0;
	for (const server of servers) {
		const res = await fetch(`${server.url}/metrics`, {
			headers: { authorization: `Bearer ${TOKEN}` }
		});
		expect(res.status).toBe(200);
		for (const line of (await res.text()).split('\n'))
			if (line.startsWith(series)) total += Number(line.slice(line.lastIndexOf(' ') + 1));
	}
	return total;
}

const visit = (householdId: string, checks: unknown[] = []) => ({
	id: uuid(),
	table: 'visits',
	op: 'insert',
	rowId: uuid(),
	fields: { householdId, visitedAt: new Date().toISOString(), outcome: 'visited', checks }
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const db = await withPostgres();

describe.skipIf(!db)('several server processes on one PostgreSQL database', () => {
	let appDir: string;
	let servers: ServerProcess[];
	let sql: postgres.Sql;
	let started: number;
	const [a, b, c] = [0, 1, 2];

	beforeAll(async () => {
		appDir = await mkdtemp(join(tmpdir(), 'gridcare-app-'));
		const env = { GRIDCARE_JOB_INTERVAL_SECONDS: '1', GRIDCARE_METRICS_TOKEN: TOKEN };
		servers = await Promise.all(
			[0, 1, 2].map(
				async (i) =>
					new ServerProcess(db!.url, await freePort(), appDir, {
						env,
						args: i === 0 ? ['--demo'] : []
					})
			)
		);
		sql = postgres(db!.url, { max: 2, onnotice: () => {} });
		started = Date.now();
	}, 30_000);

	afterAll(async () => {
		await Promise.all((servers ?? []).map((s) => s.stop()));
		await sql?.end({ timeout: 1 });
		await db?.drop();
		if (appDir) await rm(appDir, { recursive: true, force: true });
	});

	it('start at the same moment on an empty database, migrating it once', async () => {
		// All three at once: each migrates, in turn, under one lock (the second used to crash).
		await Promise.all(servers.map((s) => s.start()));
		const [{ n }] = await sql<{ n: number }[]>`
			select count(*)::int as n from drizzle.__drizzle_migrations`;
		const journal = (await import('../../drizzle/pg/meta/_journal.json')).default;
		expect(n).toBe(journal.entries.length);
		for (const s of servers) expect(s.exitCode).toBeNull();
	}, 120_000);

	it('run each period of the periodic jobs once across the processes', async () => {
		// Let every process tick a few times (each ticks every second).
		await wait(4_000);
		const rows = await sql<{ job: string; runs: number; failures: number }[]>`
			select job, runs, failures from job_runs order by job`;
		const supervision = rows.find((r) => r.job === 'supervision')!;
		const retention = rows.find((r) => r.job === 'retention')!;
		// What the processes say they ran is what the database counted: no run unrecorded.
		expect(
			await metricSum(servers, 'gridcare_job_ticks_total{job="supervision",outcome="ran"}')
		).toBe(supervision.runs);
		// At most one run per one-second period since the first start, whatever three processes ticked.
		const ticks = await metricSum(servers, 'gridcare_job_ticks_total{job="supervision"');
		const periods = Math.ceil((Date.now() - started) / 1000) + 1;
		expect(supervision.runs).toBeGreaterThanOrEqual(2);
		expect(supervision.runs).toBeLessThanOrEqual(periods);
		expect(ticks).toBeGreaterThan(supervision.runs);
		expect(supervision.failures).toBe(0);
		// The daily purge: every process ticked it at start, one ran it.
		expect(retention.runs).toBe(1);
		expect(
			await metricSum(servers, 'gridcare_job_ticks_total{job="retention",outcome="ran"}')
		).toBe(1);
	}, 60_000);

	it('honour a session opened through another process, and continue pulls from any cursor', async () => {
		const device = await new Device().login(servers[a], 'worker1');
		// The jobs have worked out every household's due day: nothing writes meanwhile.
		const alone = await device.pullAll([servers[b]], 150);
		const alternating = await device.pullAll(servers, 150);
		expect(alone.length).toBeGreaterThan(300);
		expect(alternating).toEqual(alone);
		const seen = new Set(alternating.map((ch) => `${ch.table}/${ch.rowId}/${ch.version}`));
		expect(seen.size).toBe(alternating.length);
	}, 60_000);

	it('raise an alert once when the burst that crosses its threshold arrives through every process', async () => {
		// A grid of its own in a community with no alert yet, made by the operator's commands.
		const cli = (args: string[], input?: string) => {
			const child = run(process.execPath, ['bin/gridcare.js', ...args], {
				env: { ...process.env, DATABASE_URL: db!.url }
			});
			if (input !== undefined) child.child.stdin?.end(input);
			return child;
		};
		const gridId = (
			await cli(['grid', 'add', '--community', OTHER_COMMUNITY, '--name', '第九网格'])
		).stdout
			.trim()
			.split('\n')
			.pop()!;
		const password = 'Kapok-Bridge-Lantern-47';
		await cli(
			[
				'user',
				'add',
				'--username',
				'worker9',
				'--role',
				'grid_worker',
				'--scope',
				gridId,
				'--password-stdin'
			],
			`${password}\n`
		);
		const devices = await Promise.all(
			servers.map((s) => new Device().login(s, 'worker9', password))
		);
		const households = Array.from({ length: 6 }, () => uuid());
		const residents = Array.from({ length: 6 }, () => uuid());
		const results = await devices[a].push(servers[a], [
			...households.map((id, i) => ({
				id: uuid(),
				table: 'households',
				op: 'insert',
				rowId: id,
				fields: { gridId, address: `木棉路${i + 1}号` }
			})),
			...residents.map((id, i) => ({
				id: uuid(),
				table: 'residents',
				op: 'insert',
				rowId: id,
				fields: { householdId: households[i], name: `住户${i + 1}` }
			}))
		]);
		expect(results.every((r) => r.status === 'applied')).toBe(true);
		// Six residents with a fever (the default threshold is 5), two through each process, at once.
		const burst = await Promise.all(
			residents.map((id, i) =>
				devices[i % 3].push(servers[i % 3], [
					visit(households[i], [{ residentId: id, temperature: 39.2 }])
				])
			)
		);
		expect(burst.flat().every((r) => r.status === 'applied')).toBe(true);
		const count = async () =>
			(
				await sql<{ n: number }[]>`
					select count(*)::int as n from alerts
					where community_code = ${OTHER_COMMUNITY} and kind = 'abnormal_residents'`
			)[0].n;
		const deadline = Date.now() + 20_000;
		while ((await count()) === 0 && Date.now() < deadline) await wait(200);
		// Every process's prompt evaluation and several job runs have passed by now.
		await wait(3_000);
		expect(await count()).toBe(1);
	}, 90_000);

	it('apply every mutation once when pushes spread over the processes and one is killed mid-push', async () => {
		const devices = await Promise.all(servers.map((s) => new Device().login(s, 'worker1')));
		const households = (await devices[a].pullAll([servers[a]], 5000))
			.filter((ch) => ch.table === 'households' && ch.op === 'insert')
			.map((ch) => ch.rowId);
		const sent: { id: string; rowId: string }[] = [];
		const batch = (n: number) => {
			const mutations = Array.from({ length: n }, (_, i) =>
				visit(households[i % households.length])
			);
			sent.push(...mutations);
			return mutations;
		};
		// Three rounds over all three processes, each device pushing to a different one.
		for (let round = 0; round < 3; round++)
			await Promise.all(
				devices.map((device, i) => device.push(servers[(round + i) % 3], batch(40)))
			);
		// Two large pushes on the third process when it dies: one is being written, the other
		// waits for the writer lock.
		const doomed = [batch(1000), batch(1000)];
		const inFlight = doomed.map((mutations, i) =>
			devices[i === 0 ? c : b].push(servers[c], mutations).then(
				() => 'answered',
				() => 'failed'
			)
		);
		await wait(250);
		await servers[c].kill();
		expect(await Promise.all(inFlight)).toContain('failed');
		// The devices send the same batches again, as the app's outbox does, to a live process;
		// the others go on meanwhile.
		const resent = await Promise.all([
			devices[c].push(servers[a], doomed[0]),
			devices[b].push(servers[b], doomed[1]),
			devices[a].push(servers[b], batch(40))
		]);
		expect(resent.flat().every((r) => r.status === 'applied' || r.status === 'duplicate')).toBe(
			true
		);
		// Exactly once: one applied mutation, one visit and one insert in the change log each.
		const ids = sent.map((m) => m.id);
		const rowIds = sent.map((m) => m.rowId);
		const [{ mutations }] = await sql<{ mutations: number }[]>`
			select count(*)::int as mutations from applied_mutations where id = any(${ids}::text[])`;
		const [{ visits }] = await sql<{ visits: number }[]>`
			select count(*)::int as visits from visits where id = any(${rowIds}::text[])`;
		const [{ inserts }] = await sql<{ inserts: number }[]>`
			select count(*)::int as inserts from change_log
			where table_name = 'visits' and op = 'insert' and row_id = any(${rowIds}::text[])`;
		expect({ mutations, visits, inserts }).toEqual({
			mutations: sent.length,
			visits: sent.length,
			inserts: sent.length
		});
		// The roll-up agrees with a rebuild from the base tables after all that.
		const before = await sql`select * from rollup_figures where value <> 0 order by 1, 2, 3`;
		await run(process.execPath, ['bin/gridcare.js', 'recompute-rollups'], {
			env: { ...process.env, DATABASE_URL: db!.url }
		});
		expect(await sql`select * from rollup_figures where value <> 0 order by 1, 2, 3`).toEqual(
			before
		);
	}, 120_000);

	it('finish a push in flight on SIGTERM and exit 0', async () => {
		const device = await new Device().login(servers[b], 'worker1');
		const households = (await device.pullAll([servers[b]], 5000))
			.filter((ch) => ch.table === 'households' && ch.op === 'insert')
			.map((ch) => ch.rowId);
		const mutations = Array.from({ length: 1000 }, (_, i) =>
			visit(households[i % households.length])
		);
		const answer = device.push(servers[b], mutations);
		await wait(250);
		const stopped = Date.now();
		const exit = await servers[b].stop(35_000);
		expect(exit).toBe(0);
		expect(Date.now() - stopped).toBeLessThan(30_000);
		const results = await answer;
		expect(results.filter((r) => r.status === 'applied')).toHaveLength(1000);
		// The survivor still serves.
		expect((await fetch(`${servers[a].url}/api/v1/health/ready`)).status).toBe(200);
	}, 90_000);
});
