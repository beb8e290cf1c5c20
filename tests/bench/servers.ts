// `npm run bench -- --only servers`: what extra `gridcare serve` processes on one PostgreSQL
// database add (docs/operations.md). Three processes run on the demo community; each round
// sends the same load through one of them, then spread over all three, in alternating order:
//   - writes: 6 devices pushing batches of 200 visits back to back for a fixed time;
//   - reads: 8 clients downloading worker1's grid again and again (pull pages of 1,000).
// Writers serialize on one advisory lock wherever they arrive, so the writes should not gain;
// reads are served by each process's own CPU.
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, ServerProcess } from '../chaos/server-process';
import { Device } from '../integration/http-device';
import { withPostgres } from '../integration/pg';
import { progress, summarize, type Summary } from './common';

export interface ServersResult {
	date: string;
	rounds: number;
	secondsPerPhase: number;
	/** Visits per second, per round. */
	writes: { one: number[]; three: number[] };
	/** Pull pages per second, per round. */
	reads: { one: number[]; three: number[] };
	summary: {
		writes: { one: Summary; three: Summary; ratio: number };
		reads: { one: Summary; three: Summary; ratio: number };
	};
	machine: string[];
}

const WRITERS = 6;
const READERS = 8;
const BATCH = 200;

/** Run `work` for each client until `ms` have passed; what they did, per second. */
async function during(ms: number, clients: number, work: (i: number) => Promise<number>) {
	const end = Date.now() + ms;
	const started = performance.now();
	const done = await Promise.all(
		Array.from({ length: clients }, async (_, i) => {
			let count = 0;
			while (Date.now() < end) count += await work(i);
			return count;
		})
	);
	return done.reduce((a, b) => a + b, 0) / ((performance.now() - started) / 1000);
}

export async function benchServers(options: {
	rounds: number;
	secondsPerPhase: number;
}): Promise<ServersResult | null> {
	const db = await withPostgres();
	if (!db) return null;
	const appDir = await mkdtemp(join(tmpdir(), 'gridcare-app-'));
	const servers = await Promise.all(
		[0, 1, 2].map(
			async (i) =>
				new ServerProcess(db.url, await freePort(), appDir, { args: i === 0 ? ['--demo'] : [] })
		)
	);
	try {
		await servers[0].start();
		await Promise.all(servers.slice(1).map((s) => s.start()));
		progress('servers: three processes ready on the demo community');
		// One after another: sign-ins of one account at once count against its throttle.
		const signIn = async (count: number, username: string) => {
			const devices: Device[] = [];
			for (let i = 0; i < count; i++)
				devices.push(await new Device().login(servers[i % 3], username));
			return devices;
		};
		const writers = await signIn(WRITERS, 'worker1');
		const readers = await signIn(READERS, 'worker2');
		const households = (await writers[0].pullAll([servers[0]], 5000))
			.filter((ch) => ch.table === 'households' && ch.op === 'insert')
			.map((ch) => ch.rowId);
		const result: ServersResult = {
			date: new Date().toISOString(),
			rounds: options.rounds,
			secondsPerPhase: options.secondsPerPhase,
			writes: { one: [], three: [] },
			reads: { one: [], three: [] },
			summary: undefined as unknown as ServersResult['summary'],
			machine: [
				`CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; PostgreSQL on the same machine`,
				`Node.js: ${process.version}`,
				`Load average (1 min) at the start: ${loadavg()[0].toFixed(2)}`
			]
		};
		const ms = options.secondsPerPhase * 1000;
		let next = 0;
		const push = (target: () => ServerProcess) => async (i: number) => {
			const mutations = Array.from({ length: BATCH }, () => ({
				id: crypto.randomUUID(),
				table: 'visits',
				op: 'insert',
				rowId: crypto.randomUUID(),
				fields: {
					householdId: households[next++ % households.length],
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: []
				}
			}));
			await writers[i].push(target(), mutations);
			return BATCH;
		};
		const pull = (target: () => ServerProcess) => async (i: number) => {
			const res = await readers[i].request(target(), '/sync/pull?limit=1000');
			if (res.status !== 200) throw new Error(`pull: ${res.status}`);
			await res.arrayBuffer();
			return 1;
		};
		let turn = 0;
		const spread = () => servers[turn++ % 3];
		for (let round = 0; round < options.rounds; round++) {
			const order = round % 2 === 0 ? (['one', 'three'] as const) : (['three', 'one'] as const);
			for (const variant of order) {
				const target = variant === 'one' ? () => servers[0] : spread;
				result.writes[variant].push(await during(ms, WRITERS, push(target)));
				result.reads[variant].push(await during(ms, READERS, pull(target)));
				progress(
					`servers: round ${round + 1} ${variant}: ${result.writes[variant].at(-1)!.toFixed(0)} visits/s, ${result.reads[variant].at(-1)!.toFixed(1)} pages/s`
				);
			}
		}
		const pair = (values: { one: number[]; three: number[] }) => {
			const one = summarize(values.one);
			const three = summarize(values.three);
			return { one, three, ratio: three.median / one.median };
		};
		result.summary = { writes: pair(result.writes), reads: pair(result.reads) };
		return result;
	} finally {
		await Promise.all(servers.map((s) => s.stop()));
		await db.drop();
		await rm(appDir, { recursive: true, force: true });
	}
}

export function renderServersMarkdown(result: ServersResult, command: string): string {
	const row = (name: string, unit: string, s: ServersResult['summary']['writes']) =>
		`| ${name} | ${s.one.median.toFixed(1)} ${unit} | ${s.three.median.toFixed(1)} ${unit} | ${s.ratio.toFixed(2)}× |`;
	return [
		'# Several app servers on one PostgreSQL database',
		'',
		`- Date: ${result.date}`,
		`- Command: \`${command}\``,
		...result.machine.map((line) => `- ${line}`),
		`- ${result.rounds} rounds of ${result.secondsPerPhase} s per phase, one process and three in alternating order;` +
			' three `gridcare serve` processes on one fresh database with the demo community, clients on the same machine.',
		'',
		`Writes: ${WRITERS} devices pushing batches of ${BATCH} visits back to back. Reads: ${READERS} clients`,
		"downloading a grid worker's grid (pull pages of 1,000 changes) again and again.",
		'',
		'| load | through one process (median) | spread over three (median) | three / one |',
		'| --- | --- | --- | --- |',
		row('writes', 'visits/s', result.summary.writes),
		row('reads', 'pages/s', result.summary.reads),
		'',
		'Per round (visits/s; pages/s):',
		'',
		...result.writes.one.map(
			(_, i) =>
				`- round ${i + 1}: one ${result.writes.one[i].toFixed(0)}; ${result.reads.one[i].toFixed(1)} — three ${result.writes.three[i].toFixed(0)}; ${result.reads.three[i].toFixed(1)}`
		),
		''
	].join('\n');
}
