// Roster import benchmark (`npm run bench -- --only import`): generated messy .xlsx rosters (a
// street's 50,000 people in about 20,000 households, and a 2,000-person community) imported
// into a fresh SQLite file as `npx gridcare import-households` does it: readRoster, then
// importRoster through the write path. Reading and writing are timed apart; each size runs three
// times on a new database, and the figures are the medians. A second import of the same file
// (which must change nothing) is timed too.
import { importRoster } from '../../server/imports/engine';
import { readRoster } from '../../server/imports/read';
import type { ImportSummary } from '../../server/imports/types';
import { SYSTEM } from '../../server/write';
import { now, progress, round, summarize, type Summary } from './common';
import { openBenchDb } from './gridcare';

/** The community every roster is imported into (tests/integration/fixtures.ts). */
const COMMUNITY = '450102001003';

export interface ImportCase {
	label: string;
	people: number;
	/** Seconds the whole import (read + write) may take. */
	targetSeconds: number;
}

export const IMPORT_CASES: ImportCase[] = [
	{ label: "a street's roster", people: 50_000, targetSeconds: 20 },
	{ label: 'a community roster', people: 2_000, targetSeconds: 2 }
];

/** A generated roster file, and the summary a first import of it must give. */
export interface RosterFile {
	bytes: Uint8Array;
	fileName: string;
	expected: ImportSummary;
}

export interface ImportResult {
	label: string;
	people: number;
	fileBytes: number;
	dataRows: number;
	summary: ImportSummary;
	/** The second import of the same file (households, residents, updated must be 0). */
	again: ImportSummary;
	targetSeconds: number;
	/** Seconds per run. */
	readSeconds: Summary;
	writeSeconds: Summary;
	totalSeconds: Summary;
	againSeconds: Summary;
	meetsTarget: boolean;
}

export async function benchImport(
	c: ImportCase,
	makeFile: (people: number) => Promise<RosterFile>,
	runs: number
): Promise<ImportResult> {
	progress(`${c.label}: generating ${c.people.toLocaleString('en')} people`);
	const file = await makeFile(c.people);
	const read: number[] = [];
	const written: number[] = [];
	const total: number[] = [];
	const again: number[] = [];
	let summary: ImportSummary | null = null;
	let secondSummary: ImportSummary | null = null;
	let dataRows = 0;
	for (let run = 1; run <= runs; run++) {
		const db = (await openBenchDb('sqlite'))!;
		try {
			const clock = { now: new Date(), timeZone: 'Asia/Shanghai' };
			const importOnce = async () => {
				const t0 = now();
				const parsed = await readRoster(file.bytes, { fileName: file.fileName });
				const t1 = now();
				const outcome = await importRoster(
					db.store,
					SYSTEM,
					{
						communityCode: COMMUNITY,
						records: parsed.records,
						problems: parsed.problems,
						createGrids: true,
						dryRun: false,
						columns: parsed.columns
					},
					clock
				);
				const t2 = now();
				dataRows = parsed.dataRows;
				return { outcome, readMs: t1 - t0, writeMs: t2 - t1 };
			};
			const first = await importOnce();
			read.push(first.readMs / 1000);
			written.push(first.writeMs / 1000);
			total.push((first.readMs + first.writeMs) / 1000);
			const second = await importOnce();
			again.push((second.readMs + second.writeMs) / 1000);
			const s = first.outcome.summary;
			if (JSON.stringify(s) !== JSON.stringify(file.expected))
				throw new Error(
					`${c.label}: imported ${JSON.stringify(s)}, expected ${JSON.stringify(file.expected)}`
				);
			if (summary && JSON.stringify(summary) !== JSON.stringify(s))
				throw new Error(
					`${c.label}: run ${run} imported ${JSON.stringify(s)}, not ${JSON.stringify(summary)}`
				);
			summary = s;
			secondSummary = second.outcome.summary;
			if (secondSummary.households + secondSummary.residents + secondSummary.updated !== 0)
				throw new Error(
					`${c.label}: a second import changed rows: ${JSON.stringify(secondSummary)}`
				);
			const stored = await db.store.countResidents(
				(await db.store.gridsOfCommunity(COMMUNITY)).map((g) => g.id)
			);
			if (stored !== s.residents)
				throw new Error(`${c.label}: ${stored} residents stored, ${s.residents} reported`);
			progress(
				`${c.label}, run ${run}/${runs}: read ${round(first.readMs / 1000, 2)} s, write ${round(first.writeMs / 1000, 2)} s → ${JSON.stringify(s)}; again ${round((second.readMs + second.writeMs) / 1000, 2)} s`
			);
		} finally {
			await db.dispose();
		}
	}
	const totalSeconds = summarize(total);
	return {
		label: c.label,
		people: c.people,
		fileBytes: file.bytes.byteLength,
		dataRows,
		summary: summary!,
		again: secondSummary!,
		targetSeconds: c.targetSeconds,
		readSeconds: summarize(read),
		writeSeconds: summarize(written),
		totalSeconds,
		againSeconds: summarize(again),
		meetsTarget: totalSeconds.median <= c.targetSeconds
	};
}

export interface ImportReport {
	date: string;
	command: string;
	durationSeconds: number;
	machine: object & { cores: number; cpuModel: string; loadAvgStart: number; revision: string };
	runs: number;
	results: ImportResult[];
	notes: string[];
}

const s2 = (n: number) => round(n, 2).toFixed(2);

export function renderImportMarkdown(report: ImportReport): string {
	const head = [
		'roster',
		'people',
		'file',
		'households',
		'residents',
		'rejected',
		'read (s)',
		'write (s)',
		'total (s)',
		'target',
		'again (s)'
	];
	const rows = report.results.map((r) => [
		r.label,
		r.people.toLocaleString('en'),
		`${round(r.fileBytes / 2 ** 20, 1)} MiB`,
		r.summary.households.toLocaleString('en'),
		r.summary.residents.toLocaleString('en'),
		r.summary.rejected.toLocaleString('en'),
		s2(r.readSeconds.median),
		s2(r.writeSeconds.median),
		s2(r.totalSeconds.median),
		`≤ ${r.targetSeconds} s ${r.meetsTarget ? 'met' : 'MISSED'}`,
		s2(r.againSeconds.median)
	]);
	const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
	return [
		'# Roster import benchmark',
		'',
		`${report.date}, \`${report.command}\`, ${report.durationSeconds} s; ${report.machine.cores} cores, ${report.machine.cpuModel}; 1-min load ${report.machine.loadAvgStart} at start; revision ${report.machine.revision}.`,
		'',
		`Medians of ${report.runs} runs, each on a fresh SQLite file.`,
		'',
		line(head),
		line(head.map(() => '---')),
		...rows.map(line),
		'',
		...report.notes.map((n) => `- ${n}`),
		''
	].join('\n');
}
