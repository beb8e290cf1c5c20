// The shapes the roster import passes between its parts (docs/imports.md): the reader turns a
// file into records and row problems (read.ts), the engine plans and writes them through the one
// write path (engine.ts), and the routes and the command line keep previews and print summaries.
import type { ColumnKey } from './columns';

/** One person's row of a roster, its cells normalised (NFKC, trimmed, 15-digit IDs made 18 …). */
export interface RosterRecord {
	/** The row number Excel shows (for CSV, the 1-based line). */
	row: number;
	/** 户编号: rows sharing it form one household; a GridCare household id (export) is reused. */
	householdNo?: string;
	/** The grid's name as written. */
	grid?: string;
	/** The household's address as it will be stored: 地址, or 小区 + 楼栋 + 单元 + 房号 joined. */
	address?: string;
	headName?: string;
	/** Absent when the cell holds a masked name (see `masked`). */
	name?: string;
	relation?: string;
	/** 18 characters, checked (GB 11643), uppercase X. */
	idNumber?: string;
	sex?: 'F' | 'M';
	birthYear?: number;
	/** An 11-digit mobile number. */
	phone?: string;
	/** Area code, hyphen, number: 0771-1234567. */
	landline?: string;
	/** Tag codes (elderly_alone …); absent when the cell is empty. */
	tags?: string[];
	note?: string;
	/** 居民编号: a GridCare resident id, as an export writes it. */
	residentId?: string;
	/** Cells holding a masked value as an export writes them: "unchanged" when equal to the stored mask. */
	masked?: { name?: string; idNumber?: string; phone?: string; landline?: string };
}

/** Why a row was not imported; a row may have several. */
export interface RowProblem {
	/** As RosterRecord.row. */
	row: number;
	/** The column's header text as the file has it (the canonical header when the column is absent). */
	column: string;
	field: ColumnKey | null;
	code: ProblemCode;
	/** The reason in Chinese, as printed after the column: "校验位不正确". */
	message: string;
}

export const PROBLEM_CODES = [
	/** A required value is missing (姓名; an address or 户编号; a grid when the community has several). */
	'required',
	'id_format',
	'id_birth_date',
	'id_check_char',
	/** 出生日期 or 性别 contradicts the ID number. */
	'id_mismatch',
	'phone_format',
	'landline_format',
	'date_format',
	'sex_format',
	'unknown_tag',
	/** Too long, or text that cannot be stored (control characters). */
	'text',
	/** 居民编号 or 户编号 names no resident or household of this community. */
	'unknown_id',
	/** The same person (居民编号, ID number, or name in one household) earlier in the file. */
	'duplicate_in_file',
	'unknown_grid',
	/** A masked value that differs from the stored one's mask, or a masked value for a new person. */
	'masked',
	/** The person is already registered in another household of this community. */
	'other_household',
	/** The write path refused the row (the reason names the field). */
	'refused'
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** A column of the chosen sheet and the field it was matched to. */
export interface RosterColumn {
	/** 0-based column index in the sheet. */
	index: number;
	header: string;
	field: ColumnKey | null;
	hidden: boolean;
}

export interface ParsedRoster {
	sheets: string[];
	sheet: string;
	/** The row number of the header row. */
	headerRow: number;
	columns: RosterColumn[];
	/** Rows without a problem found while reading. */
	records: RosterRecord[];
	problems: RowProblem[];
	/** The header cells and every data row's cells as text, to write rejected rows back. */
	header: string[];
	cells: Map<number, string[]>;
	/** Data rows read: blank rows, the title above the header and a totals row are not data. */
	dataRows: number;
}

export interface ReadOptions {
	fileName?: string;
	contentType?: string;
	/** The sheet to read; by default the first one with a recognisable header row. */
	sheet?: string;
	/** Column choices made by the user: field → 0-based column index (null: not in the file). */
	mapping?: Partial<Record<ColumnKey, number | null>>;
	/** For checking birth dates; defaults to now. */
	today?: Date;
}

/** A file that could not be read at all (not a roster): the import stops with this one reason. */
export class RosterFileError extends Error {
	constructor(
		readonly code: 'format' | 'empty' | 'no_header' | 'no_sheet' | 'no_name_column',
		message: string,
		/** What was read before stopping (no_name_column: the columns to choose the names from). */
		readonly context?: Pick<ParsedRoster, 'sheets' | 'sheet' | 'headerRow' | 'header' | 'columns'>
	) {
		super(message);
		this.name = 'RosterFileError';
	}
}

/** The JSON summary the command prints last and a commit answers. */
export interface ImportSummary {
	/** Households created. */
	households: number;
	/** Residents created. */
	residents: number;
	/** Existing residents with at least one field changed. */
	updated: number;
	/** Data rows not imported. */
	rejected: number;
}

export interface ImportOutcome {
	summary: ImportSummary;
	/** Rows matched to residents and left as they were (they count nowhere in the summary). */
	unchanged: number;
	/** Every problem of the reader and the engine, by row. */
	problems: RowProblem[];
	/** Grid names the import created (or, in a dry run, would create). */
	gridsCreated: string[];
}

/** NFKC, whitespace removed: two addresses of one grid with the same key are one household. */
export function addressKey(address: string): string {
	return address.normalize('NFKC').replace(/\s+/gu, '');
}
