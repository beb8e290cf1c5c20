// Previews of a roster import, kept in the `imports` table (docs/imports.md): a file is read and
// planned without writing (a dry run), and what the plan needs to run again is stored, so that any
// server process can commit it until it expires a day later. ID numbers are stored sealed, as in
// residents.id_number (docs/security.md). The commit plans again against the database as it is
// then, writes through the one write path, and keeps the rows it did not take for the workbook of
// rejected rows.
import { conflict, notFound } from '../api-error';
import type { ImportRow } from '../store/imports';
import type { Store, UserRow } from '../store/types';
import type { BatchOptions } from '../write/index';
import type { ColumnKey } from './columns';
import { importRoster } from './engine';
import { readRoster } from './read';
import type {
	ImportOutcome,
	ImportSummary,
	ParsedRoster,
	ReadOptions,
	RosterColumn,
	RosterRecord,
	RowProblem
} from './types';
import { cellsOfRecord, type RejectedRow } from './workbooks';

/** How long a preview can be committed. */
export const PREVIEW_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** Problems a preview lists; the workbook of rejected rows has them all. */
export const PROBLEMS_LISTED = 1000;

export interface ImportCounts {
	/** Data rows of the file. */
	rows: number;
	households: number;
	residents: number;
	updated: number;
	unchanged: number;
	rejected: number;
}

/** A preview as the API answers it (docs/imports.md). */
export interface PreviewJson {
	id: string;
	communityCode: string;
	fileName: string;
	status: 'preview' | 'committing' | 'committed';
	expiresAt: string;
	createGrids: boolean;
	sheets: string[];
	sheet: string;
	headerRow: number;
	columns: RosterColumn[];
	counts: ImportCounts;
	problems: RowProblem[];
	problemsTotal: number;
	gridsToCreate: string[];
	progress: { done: number; total: number };
	result: ImportSummary | null;
}

/** What the `preview` column keeps: the answer without what the row's own columns hold. */
type StoredPreview = Omit<
	PreviewJson,
	'id' | 'communityCode' | 'fileName' | 'status' | 'expiresAt' | 'progress' | 'result'
>;

/** What the `payload` column keeps to plan again: the records (ID numbers sealed), the reader's problems. */
interface Payload {
	records: RosterRecord[];
	problems: RowProblem[];
	dataRows: number;
}

/** What the `rejected` column keeps: the header and the rejected rows, ID number cells sealed. */
interface Rejected {
	header: string[];
	/** 0-based indexes of the columns holding ID numbers (their cells are stored sealed). */
	sealed: number[];
	rows: RejectedRow[];
}

export interface PreviewRequest {
	communityCode: string;
	fileName: string;
	bytes: Uint8Array;
	contentType?: string;
	sheet?: string;
	mapping?: Partial<Record<ColumnKey, number | null>>;
	createGrids: boolean;
}

/** The write path's clock and roll-up setting; `now` also dates the preview. */
type Clock = BatchOptions;

/**
 * Read a file, plan it without writing, and keep the preview. Throws RosterFileError when the
 * file cannot be read; nothing is stored then.
 */
export async function makePreview(
	store: Store,
	user: UserRow,
	request: PreviewRequest,
	clock: Clock
): Promise<PreviewJson> {
	const options: ReadOptions = {
		fileName: request.fileName,
		...(request.contentType ? { contentType: request.contentType } : {}),
		...(request.sheet ? { sheet: request.sheet } : {}),
		...(request.mapping ? { mapping: request.mapping } : {}),
		today: clock.now
	};
	const parsed = await readRoster(request.bytes, options);
	const outcome = await importRoster(
		store,
		user,
		{
			communityCode: request.communityCode,
			records: parsed.records,
			problems: parsed.problems,
			columns: parsed.columns,
			createGrids: request.createGrids,
			dryRun: true
		},
		clock
	);
	const ids = await store.idProtection();
	const sealed = parsed.columns.filter((c) => c.field === 'idNumber').map((c) => c.index);
	const payload: Payload = {
		records: parsed.records.map((r) => (r.idNumber ? { ...r, idNumber: ids.seal(r.idNumber) } : r)),
		problems: parsed.problems,
		dataRows: parsed.dataRows
	};
	const rejected: Rejected = {
		header: parsed.header,
		sealed,
		rows: rejectedRows(outcome.problems, (row) => {
			const cells = parsed.cells.get(row) ?? [];
			return cells.map((text, i) => (text && sealed.includes(i) ? ids.seal(text) : text));
		})
	};
	const row: ImportRow = {
		id: crypto.randomUUID(),
		communityCode: request.communityCode,
		userId: user.id,
		fileName: request.fileName,
		status: 'preview',
		createdAt: clock.now,
		expiresAt: new Date(clock.now.getTime() + PREVIEW_LIFETIME_MS),
		preview: storedPreview(parsed, outcome, request.createGrids) as unknown as Record<
			string,
			unknown
		>,
		payload: JSON.stringify(payload),
		rejected: JSON.stringify(rejected),
		progressDone: 0,
		progressTotal: 0,
		result: null
	};
	await store.imports().insert(row);
	return previewJson(row);
}

function storedPreview(
	parsed: Pick<ParsedRoster, 'sheets' | 'sheet' | 'headerRow' | 'columns' | 'dataRows'>,
	outcome: ImportOutcome,
	createGrids: boolean
): StoredPreview {
	const problems = [...outcome.problems].sort((a, b) => a.row - b.row);
	return {
		createGrids,
		sheets: parsed.sheets,
		sheet: parsed.sheet,
		headerRow: parsed.headerRow,
		columns: parsed.columns,
		counts: {
			rows: parsed.dataRows,
			households: outcome.summary.households,
			residents: outcome.summary.residents,
			updated: outcome.summary.updated,
			unchanged: outcome.unchanged,
			rejected: outcome.summary.rejected
		},
		problems: problems.slice(0, PROBLEMS_LISTED),
		problemsTotal: problems.length,
		gridsToCreate: outcome.gridsCreated
	};
}

/** One entry per row with problems, in row order, with the cells `cellsOf` gives. */
function rejectedRows(problems: RowProblem[], cellsOf: (row: number) => string[]): RejectedRow[] {
	const byRow = new Map<number, RowProblem[]>();
	for (const p of problems) byRow.set(p.row, [...(byRow.get(p.row) ?? []), p]);
	return [...byRow.entries()]
		.sort(([a], [b]) => a - b)
		.map(([row, list]) => ({
			row,
			cells: cellsOf(row),
			problems: list.map((p) => ({ column: p.column, message: p.message }))
		}));
}

/** The API's answer for a stored import. */
export function previewJson(row: ImportRow): PreviewJson {
	const stored = row.preview as unknown as StoredPreview;
	return {
		id: row.id,
		communityCode: row.communityCode,
		fileName: row.fileName,
		status: row.status as PreviewJson['status'],
		expiresAt: row.expiresAt.toISOString(),
		...stored,
		progress: { done: row.progressDone, total: row.progressTotal },
		result: (row.result as ImportSummary | null) ?? null
	};
}

/**
 * The import `id` made by `user`, not expired at `at`: someone else's answers as unknown, so
 * that ids of other people's files are not confirmed.
 */
export async function ownImport(
	store: Store,
	user: UserRow,
	id: string,
	at: Date
): Promise<ImportRow> {
	const row = await store.imports().get(id);
	if (!row || row.userId !== user.id || row.expiresAt.getTime() <= at.getTime())
		throw notFound('id', 'no such import, or it has expired');
	return row;
}

/**
 * Commit a preview: claimed in one statement (a second commit, here or in another process,
 * answers 409), planned again and written, progress stored per chunk. On failure the import is
 * a preview again and the error is thrown on.
 */
export async function commitImport(
	store: Store,
	user: UserRow,
	id: string,
	clock: Clock
): Promise<{ row: ImportRow; summary: ImportSummary }> {
	const row = await ownImport(store, user, id, clock.now);
	const payload = JSON.parse(row.payload) as Payload;
	const queries = store.imports();
	if (!(await queries.claim(id, clock.now, payload.records.length)))
		throw conflict(
			'id',
			`the import is already ${row.status === 'preview' ? 'committing' : row.status}`
		);
	try {
		const ids = await store.idProtection();
		const stored = row.preview as unknown as StoredPreview;
		const rejected = JSON.parse(row.rejected) as Rejected;
		const records = payload.records.map((r) =>
			r.idNumber ? { ...r, idNumber: ids.open(r.idNumber) } : r
		);
		// Progress is stored after each chunk, in order, without holding the next chunk up.
		let last = 0;
		let progress = Promise.resolve();
		const outcome = await importRoster(
			store,
			user,
			{
				communityCode: row.communityCode,
				records,
				problems: payload.problems,
				columns: stored.columns,
				createGrids: stored.createGrids,
				dryRun: false
			},
			clock,
			(done, total) => {
				last = done;
				// Progress only informs: a failed update of it does not stop the import.
				progress = progress.then(() => queries.progress(id, done, total)).catch(() => {});
			}
		);
		await progress;
		// Rows rejected only now (the database changed since the preview) had no cells kept:
		// they are written back from their records.
		const kept = new Map(rejected.rows.map((r) => [r.row, r.cells]));
		const byRow = new Map(records.map((r) => [r.row, r]));
		const after: Rejected = {
			...rejected,
			rows: rejectedRows(outcome.problems, (n) => {
				const cells = kept.get(n);
				if (cells) return cells;
				const record = byRow.get(n);
				if (!record) return [];
				const sealed = record.idNumber
					? { ...record, idNumber: ids.seal(record.idNumber) }
					: record;
				return cellsOfRecord(sealed, stored.columns, rejected.header.length);
			})
		};
		await queries.finish(id, {
			result: outcome.summary as unknown as Record<string, unknown>,
			preview: storedPreview(
				{ ...stored, dataRows: payload.dataRows },
				outcome,
				stored.createGrids
			) as unknown as Record<string, unknown>,
			rejected: JSON.stringify(after),
			progressDone: Math.max(last, payload.records.length),
			progressTotal: payload.records.length
		});
		const done = await queries.get(id);
		return { row: done!, summary: outcome.summary };
	} catch (error) {
		await queries.release(id);
		throw error;
	}
}

/** The header and rejected rows of an import, ID number cells opened again. */
export async function rejectedOf(
	store: Store,
	row: ImportRow
): Promise<{ header: string[]; rows: RejectedRow[] }> {
	const rejected = JSON.parse(row.rejected) as Rejected;
	const ids = await store.idProtection();
	return {
		header: rejected.header,
		rows: rejected.rows.map((r) => ({
			...r,
			cells: r.cells.map((text, i) => (text && rejected.sealed.includes(i) ? ids.open(text) : text))
		}))
	};
}
