// The results as Markdown (bench-results/sync.md) and JSON (bench-results/sync.json).
import { round } from './common';
import { FLOOR_LABEL } from './floor';
import { CALLER_EVERY, type PullResult } from './pull';
import type { IngestResult } from './push';

export interface Machine {
	cores: number;
	cpuModel: string;
	memoryGiB: number;
	os: string;
	node: string;
	sqlite: string;
	postgres: string | null;
	pouchdbServer: string;
	pouchdb: string;
	/** 1-minute load average when the run started and when it ended (other work on the machine). */
	loadAvgStart: number;
	loadAvgEnd: number;
	/** `git describe --always --dirty` of the code measured. */
	revision: string;
}

export interface BenchReport {
	date: string;
	command: string;
	durationSeconds: number;
	machine: Machine;
	push: {
		targetSqlitePerSec: number;
		targetRatio: number;
		/** The measured visits go to the peers in this many interleaved rounds. */
		rounds: number;
		results: IngestResult[];
		ratios: { label: string; medianBatch: number; overall: number }[];
	};
	pull: { changes: number; requests: number; warmup: number; results: PullResult[] };
}

const int = (n: number) => Math.round(n).toLocaleString('en');
const ms = (n: number, digits = 1) => round(n, digits).toFixed(digits);
const ratio = (n: number) => `${round(n, 2).toFixed(2)}×`;

/** Markdown table from a header row and body rows. */
function table(head: string[], rows: string[][]): string {
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

export function pushTable(report: BenchReport): string {
	const { results } = report.push;
	return table(
		[
			'peer',
			'docs (measured)',
			'batch',
			'median batch ms',
			'p95 batch ms',
			'median-batch docs/s',
			'overall docs/s'
		],
		results.map((r) => [
			r.label,
			int(r.docs),
			String(r.batchSize),
			ms(r.batchMs.median),
			ms(r.batchMs.p95),
			int(r.medianBatchPerSec),
			int(r.overallPerSec)
		])
	);
}

export function ratioTable(report: BenchReport): string {
	return table(
		['ratio', 'median batch', 'overall'],
		report.push.ratios.map((r) => [r.label, ratio(r.medianBatch), ratio(r.overall)])
	);
}

export function pullTable(report: BenchReport): string {
	const rows: string[][] = [];
	for (const r of report.pull.results) {
		for (const p of r.points)
			rows.push([
				r.label,
				int(p.logRows),
				int(p.callerRows),
				ms(p.httpMs.median, 2),
				ms(p.httpMs.p95, 2),
				ms(p.storeMs.median, 3),
				ms(p.storeMs.p95, 3),
				ms(p.fillMs / 1000, 1)
			]);
		rows.push([
			`**${r.label}: ratio largest/smallest log**`,
			'',
			'',
			`**${ratio(r.httpRatio)}**`,
			'',
			`**${ratio(r.storeRatio)}**`,
			'',
			''
		]);
	}
	return table(
		[
			'database',
			'change_log rows',
			"caller's grid rows",
			'HTTP median ms',
			'HTTP p95 ms',
			'store median ms',
			'store p95 ms',
			'fill s'
		],
		rows
	);
}

export function renderMarkdown(report: BenchReport): string {
	const m = report.machine;
	const tail = report.pull.changes * CALLER_EVERY;
	const sqlite = report.push.results.find((r) => r.label === 'GridCare SQLite');
	const floor = report.push.results.find((r) => r.label === FLOOR_LABEL);
	const floorRatio = report.push.ratios.find((r) => r.label.startsWith(FLOOR_LABEL));
	const target = report.push.targetSqlitePerSec;
	const sqliteLine = sqlite
		? `GridCare on SQLite ingested **${int(sqlite.medianBatchPerSec)} visits/s** (median batch) and ` +
			`**${int(sqlite.overallPerSec)} visits/s** overall: ` +
			`${round((sqlite.overallPerSec / target) * 100)} % of the ${int(target)} visits/s target ` +
			`(${sqlite.overallPerSec >= target ? 'met' : 'not met'}).`
		: 'GridCare on SQLite was not measured.';
	const floorLine =
		floor && floorRatio && sqlite
			? `For scale: the floor, writing the same rows and doing nothing else, took ` +
				`${floor.batchMs.median} ms per batch (**${int(floor.medianBatchPerSec)} visits/s**, ` +
				`**${ratio(floorRatio.medianBatch)}** the PouchDB peer); GridCare's own work on top of ` +
				`those rows (HTTP, validation, scope, merge, roll-up) took the other ` +
				`${round(sqlite.batchMs.median - floor.batchMs.median, 1)} ms of its median batch.`
			: '';
	const notes = report.push.results.map((r) => `- ${r.label}: ${r.notes.join('; ')}.`);
	return `# Sync benchmark

- Date: ${report.date}
- Command: \`${report.command}\` (whole run: ${int(report.durationSeconds)} s)
- Machine: ${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB RAM, ${m.os}; 1-min load
  average ${m.loadAvgStart} at the start, ${m.loadAvgEnd} at the end
- Code: ${m.revision}
- Node ${m.node}; SQLite ${m.sqlite} (better-sqlite3); ${m.postgres ?? 'PostgreSQL not reachable'}
- PouchDB peer: pouchdb-core ${m.pouchdb} (memory adapter) → pouchdb-server ${m.pouchdbServer} (LevelDB)
- All traffic on 127.0.0.1. GridCare server in the bench process (real HTTP server, \`fetch\`
  client, real bearer token); pouchdb-server in a child process.

## 1–2. Push ingest: visit inserts, GridCare vs the PouchDB peer

Each visit: an existing household, \`visitedAt\`, outcome \`visited\`, checks for the household's
1–3 residents with temperatures (3 % with fever, symptom and yellow code), needs, a note; ids are
time-ordered UUIDv7 as the tablet makes them. The same ${int(sqlite?.docs ?? 0)} visits (after
${int(sqlite?.warmupDocs ?? 0)} warm-up visits) go to every peer, one batch at a time: \`POST /sync/push\` for GridCare, \`replicate.to\` (bulk:
\`_revs_diff\` + \`_bulk_docs\` per batch) for PouchDB. The peers take turns in
${report.push.rounds} interleaved rounds (rotating order), so other load on the machine falls on
every peer alike; "overall" is the visits over the summed wall time of a peer's rounds.

${pushTable(report)}

${ratioTable(report)}

${sqliteLine} Target for GridCare SQLite / PouchDB: ≥ ${report.push.targetRatio}×.

${floorLine}

${notes.join('\n')}

## 3. Pull cost vs change-log size

\`GET /sync/pull?cursor=<recent cursor>\` as \`worker_a1\` (scope: one grid). The log holds
realistic visit changes spread over ~1,000 grids in 100 communities; the caller's grid holds 1 %
of them. The device first downloads everything but the last ${int(tail)} rows (pages of 5,000) and
keeps the cursor the server returns; then ${int(tail)} more rows arrive,
${report.pull.changes} of them in its grid, and the timed pull with that cursor returns those
${report.pull.changes} changes. Each size is its own database; ${report.pull.requests} timed
requests per size after ${report.pull.warmup} warm-up ones, the sizes taking turns request by
request. "Store" is \`store.pullChanges\` alone (same filter), "HTTP" the whole request through the
server; "fill" is the time to bulk-insert the rows. PostgreSQL: \`ANALYZE change_log\` after each
fill, as autovacuum would do.

${pullTable(report)}
`;
}
