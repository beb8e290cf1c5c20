// `npm run chaos -- [--devices <n>] [--mutations <n>] [--seed <n>] [--db sqlite|postgres]
// [--fault-rate <0..1>] [--kills <n>] [--no-report]`: one chaos run (docs/chaos.md). Progress
// goes to stderr; the last line of stdout is the JSON summary. Exit code 1 when an invariant
// failed, after the fault log and what failed. Without --no-report the figures are written to
// bench-results/chaos.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { DEFAULTS, runChaos, type ChaosDatabase, type ChaosReport } from './harness';

const integer = (value: string) => {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
	return n;
};
const share = (value: string) => {
	const n = Number(value);
	if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a number from 0 to 1');
	return n;
};

const program = new Command('chaos')
	.option('--devices <n>', 'simulated devices', integer, DEFAULTS.devices)
	.option('--mutations <n>', 'operations per device', integer, DEFAULTS.mutations)
	.option('--seed <n>', 'fixes the operations and the fault schedule', integer, DEFAULTS.seed)
	.option('--db <dialect>', 'sqlite or postgres', 'sqlite')
	.option('--fault-rate <share>', 'share of requests given a fault', share, DEFAULTS.faultRate)
	.option('--kills <n>', 'SIGKILLs of the server', integer, DEFAULTS.kills)
	.option('--no-report', 'do not write bench-results/chaos.md')
	.option('--fault-log <file>', 'write the fault log to this file, failed or not')
	.parse();
const opts = program.opts<{
	devices: number;
	mutations: number;
	seed: number;
	db: string;
	faultRate: number;
	kills: number;
	report: boolean;
	faultLog?: string;
}>();
if (opts.db !== 'sqlite' && opts.db !== 'postgres') program.error('--db: sqlite or postgres');

const stamp = () => new Date().toISOString().slice(11, 19);
const load = () =>
	loadavg()
		.map((n) => n.toFixed(2))
		.join(' ');
const loadBefore = load();
const report = await runChaos({
	...DEFAULTS,
	devices: opts.devices,
	mutations: opts.mutations,
	seed: opts.seed,
	db: opts.db as ChaosDatabase,
	faultRate: opts.faultRate,
	kills: opts.kills,
	log: (line) => process.stderr.write(`[chaos ${stamp()}] ${line}\n`)
});
const loadAfter = load();

const faultLines = report.faults.map(
	(e) => `${e.at} ms ${e.device} #${e.n} ${e.request}: ${e.fault}: ${e.outcome}\n`
);
if (opts.faultLog) writeFileSync(opts.faultLog, faultLines.join(''));
if (!report.ok) {
	process.stderr.write(`\nfault log (${report.faults.length} events):\n`);
	for (const line of faultLines) process.stderr.write(line);
	const show = (title: string, lines: string[]) => {
		if (!lines.length) return;
		process.stderr.write(`\n${title} (${lines.length}):\n`);
		for (const line of lines.slice(0, 50)) process.stderr.write(`  ${line}\n`);
	};
	show('lost', report.checks.lost);
	show('doubled', report.checks.doubled);
	show('divergent', report.checks.divergent);
	show('violations', report.checks.violations);
	show('roll-up differs from recompute-rollups', report.checks.rollupDiff);
	if (report.checks.integrity !== 'ok' && report.checks.integrity !== 'n/a')
		process.stderr.write(`\nintegrity_check: ${report.checks.integrity}\n`);
	process.stderr.write(`\nserver output:\n${report.serverOutput}\n`);
}

if (opts.report) {
	const path = fileURLToPath(new URL('../../bench-results/chaos.md', import.meta.url));
	mkdirSync(fileURLToPath(new URL('../../bench-results', import.meta.url)), { recursive: true });
	// One section per database, each from its latest run: a run on one keeps the other's.
	const sectionsPath = path.replace(/\.md$/, '.json');
	const sections = (
		existsSync(sectionsPath) ? JSON.parse(readFileSync(sectionsPath, 'utf8')) : {}
	) as Partial<Record<ChaosDatabase, string>>;
	sections[report.options.db] = section(report, `${loadBefore} before, ${loadAfter} after`);
	writeFileSync(sectionsPath, `${JSON.stringify(sections, null, '\t')}\n`);
	writeFileSync(path, markdown(sections));
	process.stderr.write(`[chaos ${stamp()}] figures written to bench-results/chaos.md\n`);
}

console.log(JSON.stringify(report.summary));
process.exitCode = report.ok ? 0 : 1;

function markdown(sections: Partial<Record<ChaosDatabase, string>>): string {
	const runs = (['sqlite', 'postgres'] as const).flatMap((db) => sections[db] ?? []);
	return `# Chaos runs (\`npm run chaos\`)

Written by \`tests/chaos/run.ts\` (docs/chaos.md): the latest run on each database.

${runs.join('\n')}`;
}

function section(r: ChaosReport, load: string): string {
	const o = r.options;
	const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
	const c = r.checks;
	const rows = (pairs: [string, string | number][]) =>
		['| | |', '| --- | --- |', ...pairs.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
	return `## ${o.db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}

Rerun with
\`npm run chaos -- --devices ${o.devices} --mutations ${o.mutations} --seed ${o.seed} --db ${o.db}\`;
run on ${new Date().toISOString().slice(0, 10)}.

Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version};
load average (1, 5, 15 min) ${load} (the run itself keeps about two cores busy).

### Run

${rows([
	['database', o.db],
	['devices × operations', `${o.devices} × ${o.mutations}`],
	['devices per grid (same households edited)', o.devicesPerGrid],
	['seed', o.seed],
	['requests through the proxy', r.requests],
	[
		'requests given a fault',
		`${Object.values(r.injected).reduce((a, b) => a + b, 0)} (rate ${o.faultRate})`
	],
	[
		'server SIGKILLs',
		`${r.kills.length} (restart to healthy: ${r.restartMs.map((ms) => `${ms} ms`).join(', ')})`
	],
	['reloads mid-sync', r.reloads],
	['offline spells', r.offlineSpells],
	['setup (sign-ins, first downloads)', s(r.timings.setup)],
	['operations under faults', s(r.timings.operations)],
	['healing (deliver and pull)', s(r.timings.heal)],
	['checks (incl. recompute-rollups)', s(r.timings.checks)],
	['total', s(r.timings.total)]
])}

### Faults injected

| fault | requests |
| --- | --- |
${Object.entries(r.injected)
	.sort()
	.map(([k, v]) => `| ${k} | ${v} |`)
	.join('\n')}

### Invariants

${rows([
	['changes recorded by the devices', c.recorded],
	['applied exactly once', c.applied],
	['of which folded into a later edit before sending', c.folded],
	['refused, shown with the reason on /worker/outbox', c.rejected],
	['lost', c.lost.length],
	['doubled', c.doubled.length],
	['mutation sends (distinct ids)', `${c.sends} (${c.sentIds})`],
	[
		'devices converged to the server',
		r.summary.converged ? 'yes' : `no (${c.divergent.length} rows differ)`
	],
	['other violations', c.violations.length],
	[
		'roll-up equals recompute-rollups',
		c.rollupDiff.length === 0
			? `yes (${c.rollupFigures} figures)`
			: `no (${c.rollupDiff.length} differ)`
	],
	['SQLite integrity_check', c.integrity],
	['all invariants held', r.ok ? 'yes' : 'no']
])}

Summary line: \`${JSON.stringify(r.summary)}\`
`;
}
