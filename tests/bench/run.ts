// `npm run bench`: sync throughput and pull cost, side by side in one run.
//   1. push ingest on SQLite and PostgreSQL through the real HTTP server,
//   2. the same visits replicated from PouchDB into pouchdb-server, side by side with 1,
//   3. pull cost at 10,000 and 1,000,000 change-log rows on both databases.
// Progress on stderr, the tables on stdout, results in bench-results/sync.{md,json}.
// `--only download` (not in the default set): a worker's first download into IndexedDB in
// Chromium, at full speed and on a modest tablet (4× CPU) over a 4G and a 3G link, each with and
// without compression, side by side; results in bench-results/download.{md,json}
// (tests/bench/download.ts). --download-runs 3 sets the runs per variant, --download-variants
// direct,4g,4g-identity,3g,3g-identity picks the variants (all by default).
// `--only rollup` (not in the default set): the five-level roll-up on province 45's real tree —
// read latency, ingest cost of roll-up maintenance, freshness, each also with check templates
// (a round's question figures); results in
// bench-results/rollup.{md,json} (tests/bench/rollup.ts), also with care tiers' due figures, their
// ingest cost and the day's first job run. --rollup-households 100000,10000000
// picks the sizes (the default is 100,000 and 1,000,000).
// `--only import` (not in the default set): the roster import (read + write) of a street's and a
// community's generated .xlsx roster on SQLite; results in bench-results/import.{md,json}
// (tests/bench/import.ts). --import-runs 3 sets the runs per size.
// `--only compression` (not in the default set): the API with on-the-fly gzip on and off side by
// side — a first download's pull pages, pushes, roll-up reads — on the chosen databases; results
// in bench-results/compression.md (tests/bench/compression.ts). --compression-rounds 6.
// `--only lighthouse` (not in the default set): Lighthouse on /login and the worker's home under
// mobile emulation, --lighthouse-runs 3 per route (the median kept; --lighthouse-routes login,worker), and installability; results
// in bench-results/lighthouse.{md,json} and the median runs' reports (tests/bench/lighthouse.ts).
// `--only servers` (not in the default set): one `gridcare serve` process against three on one
// PostgreSQL database, writes and reads side by side, --servers-rounds 3 of --servers-seconds 10
// per phase; results in bench-results/servers.{md,json} (tests/bench/servers.ts).
// `--only federation` (not in the default set): two provinces and a nation on a throwaway
// PostgreSQL cluster joined by logical replication; --federation-pushes 50 single pushes per
// phase timed to the national figure; results in bench-results/federation.{md,json}
// (tests/bench/federation.ts).
// Options (for quick or partial runs): --only push,pouch,pull,download  --dialects sqlite,postgres
//   (`push` runs GridCare and the PouchDB peer side by side, as the ratio needs both; `pouch` alone
//   runs only the PouchDB peer, `--dialects` picks the GridCare databases)
//   --batches 40  --batch-size 500  --warmup-batches 4  --rounds 4  --pull-sizes 10000,1000000
//   --pull-requests 200  --download-runs 3  --out bench-results
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { now, progress, round } from './common';
import type { Dialect } from './gridcare';
import { benchDownload, DOWNLOAD_VARIANTS, writeDownloadReport } from './download';
import { openFloorPeer } from './floor';
import { openPouchPeer, POUCHDB_SERVER_VERSION, POUCHDB_VERSION } from './pouch';
import { benchPull, type PullResult } from './pull';
import {
	ingestResult,
	openGridCarePeer,
	type IngestPeer,
	type Ingested,
	type IngestResult,
	type PushWorkload
} from './push';
import {
	pullTable,
	pushTable,
	ratioTable,
	renderMarkdown,
	type BenchReport,
	type Machine
} from './report';
import { batches, makeHouseholds, makeVisits } from './visits';
import { benchRollup, renderRollupMarkdown, type RollupResult } from './rollup';
import { benchImport, IMPORT_CASES, renderImportMarkdown, type ImportResult } from './import';
import { messyRosterFile } from './roster-file';
import { benchCompression, renderCompressionMarkdown, type CompressionResult } from './compression';
import { benchLighthouse, writeLighthouseReport } from './lighthouse';
import { benchServers, renderServersMarkdown } from './servers';
import { benchFederation, renderFederationMarkdown } from './federation';

const TARGET_SQLITE_PER_SEC = 20_000;
const TARGET_RATIO = 10;
const PG_URL = process.env.GRIDCARE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const { values: args } = parseArgs({
	options: {
		only: { type: 'string', default: 'push,pouch,pull,download' },
		dialects: { type: 'string', default: 'sqlite,postgres' },
		batches: { type: 'string', default: '40' },
		'batch-size': { type: 'string', default: '500' },
		'warmup-batches': { type: 'string', default: '4' },
		rounds: { type: 'string', default: '4' },
		'pull-sizes': { type: 'string', default: '10000,1000000' },
		'pull-requests': { type: 'string', default: '200' },
		'download-runs': { type: 'string', default: '3' },
		'download-variants': {
			type: 'string',
			default: DOWNLOAD_VARIANTS.map((v) => v.key).join(',')
		},
		out: { type: 'string', default: 'bench-results' },
		'rollup-households': { type: 'string', default: '100000,1000000' },
		'rollup-requests': { type: 'string', default: '200' },
		'rollup-batches': { type: 'string', default: '20' },
		'import-runs': { type: 'string', default: '3' },
		'compression-rounds': { type: 'string', default: '6' },
		'lighthouse-runs': { type: 'string', default: '3' },
		'lighthouse-routes': { type: 'string', default: 'login,worker' },
		'servers-rounds': { type: 'string', default: '3' },
		'servers-seconds': { type: 'string', default: '10' },
		'federation-pushes': { type: 'string', default: '50' }
	}
});

function positive(name: string, value: string): number {
	const n = Number(value);
	if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name}: expected a positive integer`);
	return n;
}

const only = new Set(args.only.split(','));
const dialects = args.dialects.split(',').filter((d): d is Dialect => {
	if (d !== 'sqlite' && d !== 'postgres') throw new Error(`--dialects: unknown dialect "${d}"`);
	return true;
});
const batchSize = positive('batch-size', args['batch-size']);
const measuredBatches = positive('batches', args.batches);
const warmupBatches = positive('warmup-batches', args['warmup-batches']);
const rounds = positive('rounds', args.rounds);
const pullSizes = args['pull-sizes'].split(',').map((s) => positive('pull-sizes', s));
const pullRequests = positive('pull-requests', args['pull-requests']);
const downloadRuns = positive('download-runs', args['download-runs']);
const downloadVariants = args['download-variants'].split(',').map((key) => {
	const variant = DOWNLOAD_VARIANTS.find((v) => v.key === key);
	if (!variant)
		throw new Error(
			`--download-variants: unknown variant "${key}" (${DOWNLOAD_VARIANTS.map((v) => v.key).join(', ')})`
		);
	return variant;
});

function revision(): string {
	try {
		return execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8' }).trim();
	} catch {
		return 'unknown';
	}
}

async function machine(loadAvgStart: number): Promise<Machine> {
	const memory = new Database(':memory:');
	const sqlite = (memory.prepare('select sqlite_version() as v').get() as { v: string }).v;
	memory.close();
	let pg: string | null = null;
	const sql = postgres(PG_URL, { max: 1, connect_timeout: 3, onnotice: () => {} });
	try {
		const [row] = await sql.unsafe<{ v: string }[]>('select version() as v');
		pg = row.v.split(' on ')[0];
	} catch {
		pg = null;
	} finally {
		await sql.end({ timeout: 1 });
	}
	const cpu = cpus();
	return {
		cores: cpu.length,
		cpuModel: cpu[0]?.model.trim() ?? 'unknown',
		memoryGiB: round(totalmem() / 2 ** 30),
		os: `${osType()} ${release()}`,
		node: process.version,
		sqlite,
		postgres: pg,
		pouchdbServer: POUCHDB_SERVER_VERSION,
		pouchdb: POUCHDB_VERSION,
		loadAvgStart: round(loadAvgStart, 2),
		loadAvgEnd: round(loadavg()[0], 2),
		revision: revision()
	};
}

function ratios(results: IngestResult[]): BenchReport['push']['ratios'] {
	const pouch = results.find((r) => r.label.startsWith('PouchDB'));
	if (!pouch) return [];
	return results
		.filter((r) => r !== pouch)
		.map((r) => ({
			label: `${r.label} / PouchDB`,
			medianBatch: round(r.medianBatchPerSec / pouch.medianBatchPerSec, 2),
			overall: round(r.overallPerSec / pouch.overallPerSec, 2)
		}));
}

/**
 * Push ingest on every peer in interleaved rounds: each round sends every peer its next share
 * of the measured visits, in a rotating order, so other load on the machine falls on all alike.
 */
async function benchIngest(work: PushWorkload): Promise<IngestResult[]> {
	const peers: IngestPeer[] = [];
	let closing = false;
	try {
		if (only.has('push'))
			for (const dialect of dialects) {
				const peer = await openGridCarePeer(dialect, work);
				if (peer) peers.push(peer);
			}
		if (only.has('push') && dialects.includes('sqlite')) peers.push(await openFloorPeer(work));
		if (only.has('push') || only.has('pouch')) peers.push(await openPouchPeer(work));
		const runs = peers.map((): Ingested[] => []);
		const share = batches(work.measured, Math.ceil(measuredBatches / rounds) * batchSize);
		for (const [r, visits] of share.entries())
			for (let k = 0; k < peers.length; k++) {
				const i = (r + k) % peers.length;
				progress(`round ${r + 1}/${share.length}: ${peers[i].label}, ${visits.length} visits`);
				runs[i].push(await peers[i].ingest(visits));
			}
		const results = peers.map((peer, i) => ingestResult(peer, work, runs[i]));
		for (const r of results)
			progress(
				`${r.label}: median batch ${r.batchMs.median} ms → ${r.medianBatchPerSec}/s; overall ${r.overallPerSec}/s`
			);
		closing = true;
		// close() checks that every measured visit arrived.
		const errors: unknown[] = [];
		for (const peer of peers)
			await peer.close(work.measured.length).catch((error: unknown) => errors.push(error));
		if (errors.length) throw errors[0];
		return results;
	} finally {
		// On an error, stop whatever was started without checking counts.
		if (!closing) for (const peer of peers) await peer.close(-1).catch(() => {});
	}
}

async function main(): Promise<void> {
	const started = now();
	const loadAvgStart = loadavg()[0];
	const command =
		process.argv.length > 2
			? `npm run bench -- ${process.argv.slice(2).join(' ')}`
			: 'npm run bench';
	if (only.has('compression')) {
		const results: CompressionResult[] = [];
		for (const dialect of dialects) {
			const result = await benchCompression(dialect, {
				households: 500,
				visits: 20_000,
				rounds: positive('compression-rounds', args['compression-rounds'])
			});
			if (result) results.push(result);
		}
		const m = await machine(loadAvgStart);
		const markdown = renderCompressionMarkdown(results, {
			date: new Date().toISOString(),
			command,
			machine: [
				`CPU: ${m.cores} × ${m.cpuModel}`,
				`Node.js: ${m.node}`,
				`Load average (1 min) at the start / end: ${round(loadAvgStart, 2)} / ${round(loadavg()[0], 2)}`
			]
		});
		mkdirSync(args.out, { recursive: true });
		writeFileSync(join(args.out, 'compression.md'), markdown);
		process.stdout.write(`${markdown}\nResults in ${args.out}/compression.md\n`);
		if (['push', 'pouch', 'pull', 'download', 'rollup', 'import'].every((p) => !only.has(p)))
			return;
	}
	if (only.has('servers')) {
		const result = await benchServers({
			rounds: positive('servers-rounds', args['servers-rounds']),
			secondsPerPhase: positive('servers-seconds', args['servers-seconds'])
		});
		if (!result) throw new Error('servers: PostgreSQL is not reachable');
		const markdown = renderServersMarkdown(result, command);
		mkdirSync(args.out, { recursive: true });
		writeFileSync(join(args.out, 'servers.md'), markdown);
		writeFileSync(join(args.out, 'servers.json'), `${JSON.stringify(result, null, '\t')}\n`);
		process.stdout.write(`${markdown}\nResults in ${args.out}/servers.md and servers.json\n`);
		if (['push', 'pouch', 'pull', 'download', 'lighthouse'].every((p) => !only.has(p))) return;
	}
	if (only.has('federation')) {
		const result = await benchFederation({
			pushes: positive('federation-pushes', args['federation-pushes'])
		});
		if (!result) throw new Error('federation: no throwaway PostgreSQL cluster can be made here');
		const markdown = renderFederationMarkdown(result, command);
		mkdirSync(args.out, { recursive: true });
		writeFileSync(join(args.out, 'federation.md'), markdown);
		writeFileSync(join(args.out, 'federation.json'), `${JSON.stringify(result, null, '\t')}\n`);
		process.stdout.write(`${markdown}\nResults in ${args.out}/federation.md and federation.json\n`);
		if (['push', 'pouch', 'pull', 'download', 'lighthouse'].every((p) => !only.has(p))) return;
	}
	if (only.has('lighthouse')) {
		const result = await benchLighthouse({
			runs: positive('lighthouse-runs', args['lighthouse-runs']),
			routes: args['lighthouse-routes'].split(','),
			out: args.out
		});
		process.stdout.write(
			`${writeLighthouseReport(result, args.out, command, loadAvgStart)}\n\nResults in ${args.out}/lighthouse.md and lighthouse.json\n`
		);
		if (['push', 'pouch', 'pull', 'download'].every((part) => !only.has(part))) return;
	}
	if (only.has('download')) {
		const result = await benchDownload({
			households: 500,
			residents: 1500,
			visits: 20_000,
			runs: downloadRuns,
			variants: downloadVariants
		});
		process.stdout.write(
			`${writeDownloadReport(result, args.out, command)}\n\nResults in ${args.out}/download.md and download.json\n`
		);
		if (['push', 'pouch', 'pull'].every((part) => !only.has(part))) return;
	}
	if (only.has('import')) {
		const runs = positive('import-runs', args['import-runs']);
		const results: ImportResult[] = [];
		for (const c of IMPORT_CASES) results.push(await benchImport(c, messyRosterFile, runs));
		const report = {
			date: new Date().toISOString(),
			command,
			durationSeconds: round((now() - started) / 1000),
			machine: await machine(loadAvgStart),
			runs,
			results,
			notes: [
				'The file: the seeded messy .xlsx roster of the tests (tests/fixtures/roster-files.ts): a 填表说明 sheet first, a merged title and date above the header, a hidden column, blank rows, a totals and a signature row; full-width digits, spaced and prefixed phones, 15-digit and lowercase-x ID numbers, dates as serials, 1950.3 or 1950年3月; about 1 % bad rows (reader problems) and one person in 500 written twice (the importer rejects the repeat); six grids, created by the import (--create-grids). The first import must give the summary the generator expects.',
				'read: readRoster on the bytes; write: importRoster (matching, planning, and the write path in transactions of about 1,000 rows, with change log, field history, sealed ID numbers, member counts and roll-up figures).',
				'again: the same file imported a second time into the same database (it must change nothing).'
			]
		};
		mkdirSync(args.out, { recursive: true });
		const markdown = renderImportMarkdown(report);
		writeFileSync(join(args.out, 'import.md'), markdown);
		writeFileSync(join(args.out, 'import.json'), `${JSON.stringify(report, null, '\t')}\n`);
		process.stdout.write(`${markdown}\nResults in ${args.out}/import.md and import.json\n`);
		if (['push', 'pouch', 'pull', 'rollup'].every((part) => !only.has(part))) return;
	}
	if (only.has('rollup')) {
		const results: RollupResult[] = [];
		const notes = [
			"Province 45's real division tree through import-divisions; 3 synthetic grids per community; households spread evenly over the grids, one in twenty visited today (bulk SQL), figures built by recompute-rollups' code path.",
			'Reads: the real HTTP server, one province officer, sequential requests after 20 warm-up requests per node; each response carries the node and all its children.',
			'Ingest: 500-visit batches of one worker through POST /sync/push, alternating between a server with GRIDCARE_ROLLUP on and one with it off over the same database.',
			'Freshness: one visit pushed, then GET /rollup/45 until the visit count shows it; the figure changes in the push transaction, so the first read after the acknowledgement shows it.',
			"Check templates: two rounds of province 45 span today and the ingest visits' days, one without a template and one asking the shipped 独居老人冬季关爱 (5 questions, each with an abnormal rule); today's bulk visits all answer it (one in fifty abnormal), so the template round holds 10 question figures at every node with a visit. Ingest alternates 500-visit batches without answers and batches answering the template (each member's health, four household questions) over the same 400 households, each on the server with maintenance on and the one with it off.",
			'Care tiers (docs/care-tiers.md): after the reads above, every bulk household gets a due day spread over today ± 120 days (bulk SQL), recompute counts them (visitsDue, visitsOverdue, "due:<day>" rows at every node; GET /rollup/45 checked against a count of the households), and the same nodes are read again. Ingest: 500-visit batches through the write path in process (applyPushBatch), alternating due days kept (care on) and not (`care: false`), each over its own 400 households. The day\'s first job run: freezeYesterday just past midnight on each of the 5 days after today, one after another (each freezes its yesterday and moves the due figures a day on).'
		];
		// Written after every size and database, so a long run keeps what it measured.
		let markdown = '';
		const write = async () => {
			const report = {
				date: new Date().toISOString(),
				command,
				durationSeconds: round((now() - started) / 1000),
				machine: await machine(loadAvgStart),
				results,
				notes
			};
			mkdirSync(args.out, { recursive: true });
			markdown = renderRollupMarkdown(report);
			writeFileSync(join(args.out, 'rollup.md'), markdown);
			writeFileSync(join(args.out, 'rollup.json'), `${JSON.stringify(report, null, '\t')}\n`);
		};
		for (const size of args['rollup-households']
			.split(',')
			.map((v) => positive('rollup-households', v)))
			for (const dialect of dialects) {
				const result = await benchRollup(dialect, {
					households: size,
					requests: positive('rollup-requests', args['rollup-requests']),
					ingestBatches: positive('rollup-batches', args['rollup-batches']),
					batchSize,
					freshnessSamples: 20
				});
				if (result) results.push(result);
				await write();
			}
		process.stdout.write(`${markdown}\nResults in ${args.out}/rollup.md and rollup.json\n`);
		if (['push', 'pouch', 'pull'].every((part) => !only.has(part))) return;
	}
	const households = makeHouseholds(400);
	const work: PushWorkload = {
		households,
		batchSize,
		warmup: makeVisits(households, warmupBatches * batchSize, 1),
		measured: makeVisits(households, measuredBatches * batchSize, 2)
	};

	const ingest = await benchIngest(work);

	const pulls: PullResult[] = [];
	const pullOptions = { sizes: pullSizes, changes: 50, requests: pullRequests, warmup: 20 };
	if (only.has('pull'))
		for (const dialect of dialects) {
			const result = await benchPull(dialect, pullOptions);
			if (result) pulls.push(result);
		}

	const report: BenchReport = {
		date: new Date().toISOString(),
		command,
		durationSeconds: round((now() - started) / 1000),
		machine: await machine(loadAvgStart),
		push: {
			targetSqlitePerSec: TARGET_SQLITE_PER_SEC,
			targetRatio: TARGET_RATIO,
			rounds,
			results: ingest,
			ratios: ratios(ingest)
		},
		pull: { ...pullOptions, results: pulls }
	};
	progress(`writing ${args.out}/sync.md and ${args.out}/sync.json`);
	mkdirSync(args.out, { recursive: true });
	writeFileSync(join(args.out, 'sync.md'), renderMarkdown(report));
	writeFileSync(join(args.out, 'sync.json'), `${JSON.stringify(report, null, '\t')}\n`);
	process.stdout.write(
		`${pushTable(report)}\n\n${ratioTable(report)}\n\n${pullTable(report)}\n\n` +
			`Run took ${report.durationSeconds} s; results in ${args.out}/sync.md and sync.json\n`
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
