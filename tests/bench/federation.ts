// `npm run bench -- --only federation`: how fresh the national figures are (docs/scaling.md).
// Two provinces and a nation on a throwaway PostgreSQL cluster joined by logical replication
// (tests/integration/federation-setup.ts); single-household pushes to province 45, one at a
// time, each timed from its sending until the national database's figure for province 45 shows
// it: first with nothing else going on, then while another device of the province pushes batches
// of 200 visits back to back. Replication's own part is timed by PostgreSQL on both sides: from
// the province's commit timestamp to the national apply worker's write of the row.
import { cpus, loadavg } from 'node:os';
import { measureLag, startFederation, type Lag } from '../integration/federation-setup';
import { progress, summarize, type Summary } from './common';

export interface FederationResult {
	date: string;
	pushes: number;
	idle: { lags: Lag[]; push: Summary; sentToNational: Summary; commitToApplied: Summary };
	loaded: {
		lags: Lag[];
		push: Summary;
		sentToNational: Summary;
		commitToApplied: Summary;
		/** Visits the loading device wrote meanwhile, per second. */
		visitsPerSecond: number;
	};
	machine: string[];
}

const BATCH = 200;

function summaries(lags: Lag[]) {
	return {
		push: summarize(lags.map((l) => l.pushMs)),
		sentToNational: summarize(lags.map((l) => l.sentToNational)),
		commitToApplied: summarize(lags.map((l) => l.commitToApplied))
	};
}

export async function benchFederation(options: {
	pushes: number;
}): Promise<FederationResult | null> {
	const loadStart = loadavg()[0];
	const fed = await startFederation();
	if (!fed) return null;
	try {
		const [p45] = fed.provinces;
		progress('federation: idle');
		// The first lag includes the subscriptions' first copy: one push not counted.
		await measureLag(fed, p45, 1);
		const idle = await measureLag(fed, p45, options.pushes);

		progress('federation: with a device pushing batches of 200 visits');
		const household = crypto.randomUUID();
		await p45.worker.push([
			{
				id: crypto.randomUUID(),
				table: 'households',
				op: 'insert',
				rowId: household,
				fields: { gridId: p45.gridId, address: '负载路1号' }
			}
		]);
		let stop = false;
		let visits = 0;
		const started = performance.now();
		const load = (async () => {
			while (!stop) {
				const batch = Array.from({ length: BATCH }, () => ({
					id: crypto.randomUUID(),
					table: 'visits',
					op: 'insert',
					rowId: crypto.randomUUID(),
					fields: {
						householdId: household,
						visitedAt: new Date().toISOString(),
						outcome: 'visited',
						checks: []
					}
				}));
				await p45.worker.push(batch);
				visits += BATCH;
			}
		})();
		const loaded = await measureLag(fed, p45, options.pushes);
		stop = true;
		await load;
		const visitsPerSecond = Math.round(visits / ((performance.now() - started) / 1000));
		return {
			date: new Date().toISOString(),
			pushes: options.pushes,
			idle: { lags: idle, ...summaries(idle) },
			loaded: { lags: loaded, ...summaries(loaded), visitsPerSecond },
			machine: [
				`CPU: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; one PostgreSQL cluster (two province databases and the national one) on the same machine`,
				`Node.js: ${process.version}`,
				`Load average (1 min) at the start / end: ${loadStart.toFixed(2)} / ${loadavg()[0].toFixed(2)}`
			]
		};
	} finally {
		await fed.stop();
	}
}

const ms = (v: number) => v.toFixed(1);

export function renderFederationMarkdown(result: FederationResult, command: string): string {
	const row = (label: string, s: Summary) =>
		`| ${label} | ${ms(s.median)} | ${ms(s.p95)} | ${ms(s.max)} |`;
	return [
		'# National federation: from a province push to the national figure',
		'',
		`\`${command}\` (${result.date}); ${result.pushes} single-household pushes per phase, one at a time.`,
		'Each push is timed from its sending until the national database (a subscriber of the',
		"province's publication) holds the province's new `households` figure, polled every",
		"millisecond; and replication's own part from the province's commit timestamp",
		'(`track_commit_timestamp`) to the national apply worker writing the row (a trigger',
		'enabled for replication notes `clock_timestamp()`), one clock on one machine.',
		'',
		'| Idle, milliseconds | median | p95 | max |',
		'| --- | ---: | ---: | ---: |',
		row('push answered', result.idle.push),
		row('sent → national figure', result.idle.sentToNational),
		row('commit on the province → applied on the national database', result.idle.commitToApplied),
		'',
		`| While another device writes ${result.loaded.visitsPerSecond} visits/s, milliseconds | median | p95 | max |`,
		'| --- | ---: | ---: | ---: |',
		row('push answered', result.loaded.push),
		row('sent → national figure', result.loaded.sentToNational),
		row('commit on the province → applied on the national database', result.loaded.commitToApplied),
		'',
		'Machine:',
		...result.machine.map((line) => `- ${line}`),
		''
	].join('\n');
}
