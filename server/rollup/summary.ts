// The daily report a community or a street office prints and files (网格工作日报): a merged title
// with the unit and the day, one row of figures per grid (with its workers) or, for an officer,
// per child division (counts only), a bold totals row of formulas, coverage and check-in rates,
// who generated it and when (in the deployment's time zone); laid out for A4 landscape. The same
// report for a check round (?round=) counts over the round's days, and for a round with a template
// adds two columns per counted question (docs/check-templates.md, "Figures").
import ExcelJS from 'exceljs';
import type { Store } from '../store/types';
import type { DivisionLevel } from '../../src/lib/shared/enums';
import type { QuestionFigures } from '../../src/lib/shared/metrics';
import type { Question } from '../../src/lib/shared/templates';
import { dayPeriod, roundPeriod, type MetricName, type Metrics } from './metrics';
import { readFigures, roundQuestions } from './read';

/** A figure column: a stored count, a rate of two counts (as a percentage), or a question's count. */
type FigureColumn =
	| { header: string; metric: MetricName }
	| { header: string; rate: [part: MetricName, whole: MetricName] }
	| { header: string; question: string; which: 'asked' | 'abnormal' };

/** A count column (not a rate). */
type CountColumn = Exclude<FigureColumn, { rate: unknown }>;

/** The round a report is made for: its figures over its days, its counted questions. */
export interface ReportRound {
	id: string;
	name: string;
	startDate: string;
	dueDate: string;
	/** The questions of its pinned version with an abnormal rule, in order (roundQuestions). */
	questions: Question[];
}

/** A round as its report needs it, or null when there is no such round. */
export async function reportRound(store: Store, id: string): Promise<ReportRound | null> {
	const round = await store.supervision().getRound(id);
	if (!round) return null;
	const { name, startDate, dueDate } = round;
	return { id, name, startDate, dueDate, questions: await roundQuestions(store, round) };
}

/** The figure columns of a report: the fixed ones, then asked and abnormal per counted question. */
function columnsOf(round: ReportRound | undefined): FigureColumn[] {
	return [
		...FIGURES,
		...(round?.questions ?? []).flatMap((q): FigureColumn[] => [
			{ header: `${q.label}·询问`, question: q.key, which: 'asked' },
			{ header: `${q.label}·异常`, question: q.key, which: 'abnormal' }
		])
	];
}

const FIGURES: FigureColumn[] = [
	{ header: '户数', metric: 'households' },
	{ header: '走访户数', metric: 'visitedHouseholds' },
	{ header: '走访率', rate: ['visitedHouseholds', 'households'] },
	{ header: '走访次数', metric: 'visits' },
	{ header: '异常人数', metric: 'abnormalResidents' },
	{ header: '未结事件', metric: 'openIncidents' },
	{ header: '超期事件', metric: 'overdueIncidents' },
	{ header: '应签到', metric: 'checkinsExpected' },
	{ header: '已签到', metric: 'checkinsDone' },
	{ header: '签到率', rate: ['checkinsDone', 'checkinsExpected'] },
	{ header: '未签到', metric: 'missedCheckins' },
	// Households due and overdue for a visit at the day's end (docs/care-tiers.md).
	{ header: '应走访', metric: 'visitsDue' },
	{ header: '逾期未走访', metric: 'visitsOverdue' }
];

/** What a rate shows when there is nothing to divide by. */
export const NO_RATE = '—';
const PERCENT_FORMAT = '0.0%';
const THIN = { style: 'thin' } as const;
const BORDER = { top: THIN, left: THIN, bottom: THIN, right: THIN };
/** Rows above the header: title, unit, date. */
const HEADER_ROW = 4;
const MIN_WIDTH = 6;
const MAX_WIDTH = 40;

/** Width of text in spreadsheet column units: CJK and full-width characters count 2. */
export function displayWidth(text: string): number {
	let width = 0;
	for (const ch of text)
		width +=
			/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
				ch
			) || ch.codePointAt(0)! > 0xffff
				? 2
				: 1;
	return width;
}

/** An instant as "YYYY-MM-DD HH:mm" on the wall clock of a time zone. */
export function localDateTime(at: Date, timeZone: string): string {
	const parts: Record<string, string> = {};
	for (const { type, value } of new Intl.DateTimeFormat('en-CA', {
		timeZone,
		hourCycle: 'h23',
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit'
	}).formatToParts(at))
		parts[type] = value;
	return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

interface ReportRow {
	name: string;
	/** The grid's workers (community report only). */
	workers?: string;
	metrics: Metrics;
	questions: QuestionFigures;
}

const countOf = (column: CountColumn, row: ReportRow) =>
	'metric' in column
		? row.metrics[column.metric]
		: (row.questions[column.question]?.[column.which] ?? 0);

interface Report {
	title: string;
	unit: string;
	/** The day, or the round's dates. */
	date: string;
	sheetName: string;
	/** The third line: 报表日期 (a day) or 排查轮次 (a round). */
	dateLine: string;
	columns: FigureColumn[];
	/** Header of the first column: 网格, 社区 or 街道. */
	rowHeader: string;
	/** Whether a column names each grid's workers. */
	withWorkers: boolean;
	rows: ReportRow[];
	at: Date;
	timeZone: string;
	generatedBy: string;
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : NO_RATE);

/** Lay the report out on one sheet and return the xlsx bytes. */
async function writeReport(report: Report): Promise<Uint8Array<ArrayBuffer>> {
	const book = new ExcelJS.Workbook();
	book.creator = report.generatedBy;
	book.created = report.at;
	const columns = report.columns;
	const sheet = book.addWorksheet(report.sheetName, {
		views: [{ state: 'frozen', xSplit: 1, ySplit: HEADER_ROW, topLeftCell: `B${HEADER_ROW + 1}` }],
		pageSetup: {
			paperSize: 9,
			orientation: 'landscape',
			fitToPage: true,
			fitToWidth: 1,
			fitToHeight: 0,
			horizontalCentered: true,
			printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
			margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 }
		},
		headerFooter: { oddFooter: '&C第 &P 页，共 &N 页' }
	});
	const lead = report.withWorkers ? [report.rowHeader, '网格员'] : [report.rowHeader];
	const headers = [...lead, ...columns.map((f) => f.header)];
	const last = headers.length;
	/** Column letter of a figure column. */
	const letterOf = (metric: MetricName) =>
		sheet.getColumn(
			lead.length + 1 + columns.findIndex((f) => 'metric' in f && f.metric === metric)
		).letter;

	const line = (row: number, text: string, style: Partial<ExcelJS.Style>) => {
		sheet.mergeCells(row, 1, row, last);
		const cell = sheet.getCell(row, 1);
		cell.value = text;
		cell.style = style;
	};
	line(1, `${report.title}（${report.date}）`, {
		font: { bold: true, size: 16 },
		alignment: { horizontal: 'center', vertical: 'middle' }
	});
	sheet.getRow(1).height = 28;
	line(2, `填报单位：${report.unit}`, { alignment: { horizontal: 'left' } });
	line(3, report.dateLine, { alignment: { horizontal: 'left' } });

	const header = sheet.getRow(HEADER_ROW);
	header.values = headers;
	header.font = { bold: true };
	header.alignment = { horizontal: 'center', vertical: 'middle' };
	header.eachCell((cell) => {
		cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF4' } };
	});

	const first = HEADER_ROW + 1;
	report.rows.forEach((r, i) => {
		const row = sheet.getRow(first + i);
		const n = first + i;
		row.values = [
			r.name,
			...(report.withWorkers ? [r.workers ?? ''] : []),
			...columns.map((f) => {
				if (!('rate' in f)) return countOf(f, r);
				const [part, whole] = f.rate;
				return {
					formula: `IF(${letterOf(whole)}${n}>0,${letterOf(part)}${n}/${letterOf(whole)}${n},"${NO_RATE}")`,
					result: rate(r.metrics[part], r.metrics[whole])
				};
			})
		];
	});

	// Totals: sums of the rows above, rates of those sums; each with its result stored.
	const lastData = first + report.rows.length - 1;
	const totalRow = lastData + 1;
	const sums = new Map<MetricName, number>();
	for (const f of columns)
		if ('metric' in f)
			sums.set(
				f.metric,
				report.rows.reduce((sum, r) => sum + r.metrics[f.metric], 0)
			);
	const total = sheet.getRow(totalRow);
	total.values = [
		'合计',
		...(report.withWorkers ? [''] : []),
		...columns.map((f, i) => {
			if (!('rate' in f)) {
				const col = sheet.getColumn(lead.length + 1 + i).letter;
				const result = report.rows.reduce((sum, r) => sum + countOf(f, r), 0);
				return report.rows.length > 0
					? { formula: `SUM(${col}${first}:${col}${lastData})`, result }
					: result;
			}
			const [part, whole] = f.rate;
			const [p, w] = [letterOf(part), letterOf(whole)];
			return {
				formula: `IF(${w}${totalRow}>0,${p}${totalRow}/${w}${totalRow},"${NO_RATE}")`,
				result: rate(sums.get(part)!, sums.get(whole)!)
			};
		})
	];
	total.font = { bold: true };

	// Borders, number formats and alignment of the table.
	for (let r = HEADER_ROW; r <= totalRow; r++)
		for (let c = 1; c <= last; c++) {
			const cell = sheet.getCell(r, c);
			cell.border = BORDER;
			if (r === HEADER_ROW) continue;
			const f = columns[c - lead.length - 1];
			if (f && 'rate' in f) cell.numFmt = PERCENT_FORMAT;
			if (f) cell.alignment = { horizontal: 'right' };
		}

	const footer = totalRow + 2;
	line(footer, `生成人：${report.generatedBy}`, { alignment: { horizontal: 'left' } });
	line(footer + 1, `生成时间：${localDateTime(report.at, report.timeZone)}（${report.timeZone}）`, {
		alignment: { horizontal: 'left' }
	});

	// Widths fitted to the table's text (the merged lines above and below wrap or spill).
	for (let c = 1; c <= last; c++) {
		let width = MIN_WIDTH;
		for (let r = HEADER_ROW; r <= totalRow; r++) {
			const cell = sheet.getCell(r, c);
			const value = cell.value;
			// A formula's stored result (exceljs leaves a result of 0 out of the cell's value).
			const shown =
				typeof value === 'object' && value !== null && 'formula' in value
					? (value.result ?? 0)
					: value;
			const text =
				typeof shown === 'number' && cell.numFmt === PERCENT_FORMAT
					? `${(shown * 100).toFixed(1)}%`
					: String(shown ?? '');
			width = Math.max(width, displayWidth(text) + 2);
		}
		sheet.getColumn(c).width = Math.min(width, MAX_WIDTH);
	}

	const buffer = await book.xlsx.writeBuffer();
	return new Uint8Array(buffer as ArrayBuffer);
}

/** What differs between a day's report and a round's: title, period, dates, columns. */
function reportOf(unit: string, date: string, round: ReportRound | undefined, daily: string) {
	if (!round)
		return {
			title: `${unit} ${daily}`,
			sheetName: '网格工作日报',
			period: dayPeriod(date),
			date,
			dateLine: `报表日期：${date}`,
			columns: columnsOf(undefined)
		};
	const span = `${round.startDate} 至 ${round.dueDate}`;
	return {
		title: `${unit} ${round.name} 排查报表`,
		sheetName: '排查报表',
		period: roundPeriod(round.id),
		date: span,
		dateLine: `排查轮次：${round.name}（${span}）`,
		columns: columnsOf(round)
	};
}

/**
 * The workbook (xlsx bytes) of a community's figures on `date`, or over `round`, read at `at`;
 * and its grid count.
 */
export async function communitySummaryWorkbook(
	store: Store,
	community: { code: string; name: string },
	date: string,
	at: Date,
	timeZone: string,
	generatedBy: string,
	round?: ReportRound
): Promise<{ bytes: Uint8Array<ArrayBuffer>; grids: number }> {
	const { code } = community;
	const grids = await store.gridsOfCommunity(code);
	const ids = grids.map((g) => g.id);
	const { period, ...shape } = reportOf(community.name, date, round, '网格工作日报');
	const figures = await readFigures(
		store,
		{ code, level: 'community' },
		ids,
		period,
		at,
		timeZone,
		round?.questions.map((q) => q.key) ?? []
	);
	const workers = await store.supervision().workersOfGrids(ids);
	const bytes = await writeReport({
		...shape,
		unit: community.name,
		rowHeader: '网格',
		withWorkers: true,
		rows: grids.map((g) => ({
			name: g.name,
			workers: workers
				.filter((w) => w.scope.includes(g.id))
				.map((w) => w.displayName || w.username)
				.join('、'),
			...figures.get(g.id)!
		})),
		at,
		timeZone,
		generatedBy
	});
	return { bytes, grids: grids.length };
}

/** Divisions an officer's summary is made for, with the header of their rows. */
export const SUMMARY_LEVELS: Partial<Record<DivisionLevel, string>> = {
	street: '社区',
	county: '街道'
};

/**
 * The workbook of a street (a row per community) or a county (a row per street) on `date`, or
 * over `round`: counts only, no names of people. The caller has checked the level.
 */
export async function divisionSummaryWorkbook(
	store: Store,
	division: { code: string; name: string; level: 'street' | 'county' },
	date: string,
	at: Date,
	timeZone: string,
	generatedBy: string,
	round?: ReportRound
): Promise<{ bytes: Uint8Array<ArrayBuffer>; children: number }> {
	const children = await store.childDivisions(division.code);
	const { period, ...shape } = reportOf(division.name, date, round, '网格工作日报汇总');
	const figures = await readFigures(
		store,
		division,
		children.map((c) => c.code),
		period,
		at,
		timeZone,
		round?.questions.map((q) => q.key) ?? []
	);
	const bytes = await writeReport({
		...shape,
		unit: division.name,
		rowHeader: SUMMARY_LEVELS[division.level]!,
		withWorkers: false,
		rows: children.map((c) => ({ name: c.name, ...figures.get(c.code)! })),
		at,
		timeZone,
		generatedBy
	});
	return { bytes, children: children.length };
}
