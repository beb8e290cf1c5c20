// The roster reader (docs/imports.md, "Reading a file"): the bytes of an .xlsx or .csv roster
// become records and row problems. Only what one row says is checked here; matching rows to
// households and to people already in GridCare is the engine's (engine.ts).
import { parse as parseCsvText } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { idSex } from '../../src/lib/shared/id-number';
import { PHONE_PATTERN } from '../../src/lib/shared/schemas';
import { HEADER_OF, type ColumnKey } from './columns';
import {
	cellText,
	checkText,
	columnOfHeader,
	isMasked,
	joinAddress,
	normalizeHeader,
	normalizeIdNumber,
	normalizeName,
	normalizeText,
	parseBirthDate,
	parseSex,
	parseTags,
	splitPhones,
	unwrapCell,
	type RawCell
} from './normalize';
import {
	RosterFileError,
	type ParsedRoster,
	type ReadOptions,
	type RosterColumn,
	type RosterRecord,
	type RowProblem
} from './types';

/** How many rows from the top are searched for the header row. */
export const HEADER_SCAN_ROWS = 30;

/** Text limits of the shared schemas (residentFields, householdFields). */
const MAX = {
	householdNo: 64,
	grid: 64,
	address: 200,
	headName: 64,
	name: 64,
	relation: 16,
	note: 500,
	residentId: 64
} as const;

interface SheetRow {
	/** Excel's row number (for CSV, the 1-based line). */
	n: number;
	cells: RawCell[];
}

interface Sheet {
	name: string;
	rows: SheetRow[];
	hidden: (index: number) => boolean;
}

const XLSX_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** Reads a roster: the chosen sheet's header row, columns, records and row problems. */
export async function readRoster(
	bytes: Uint8Array,
	options: ReadOptions = {}
): Promise<ParsedRoster> {
	if (bytes.length === 0) throw new RosterFileError('empty', 'the file is empty');
	const named = options.fileName?.toLowerCase() ?? '';
	if (startsWith(bytes, XLSX_MAGIC)) return readSheets(await xlsxSheets(bytes), options);
	if (startsWith(bytes, OLE_MAGIC))
		throw new RosterFileError(
			'format',
			'an Excel 97-2003 (.xls) or password-protected workbook: save it as an unprotected .xlsx and try again'
		);
	if (named.endsWith('.xlsx'))
		throw new RosterFileError('format', 'the file is named .xlsx but is not an Excel workbook');
	return readSheets(csvSheet(bytes, options.fileName), options);
}

interface Book {
	all: Sheet[];
	/** The sheets shown in Excel (hidden ones are read only when named). */
	visible: string[];
	/** A CSV file has one sheet: options.sheet is not checked. */
	csv: boolean;
}

async function xlsxSheets(bytes: Uint8Array): Promise<Book> {
	const workbook = new ExcelJS.Workbook();
	try {
		await workbook.xlsx.load(
			bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer
		);
	} catch (error) {
		throw new RosterFileError(
			'format',
			`not a readable Excel workbook (.xlsx): ${(error as Error).message.split('\n')[0]}`
		);
	}
	const all: Sheet[] = [];
	const visible: string[] = [];
	for (const worksheet of workbook.worksheets) {
		const rows: SheetRow[] = [];
		worksheet.eachRow({ includeEmpty: false }, (row, n) => {
			const values = row.values as unknown[];
			const cells: RawCell[] = [];
			for (let i = 1; i < values.length; i++) cells.push(unwrapCell(values[i]));
			rows.push({ n, cells });
		});
		all.push({
			name: worksheet.name,
			rows,
			hidden: (index) => worksheet.getColumn(index + 1).hidden === true
		});
		if (worksheet.state === 'visible' || worksheet.state === undefined)
			visible.push(worksheet.name);
	}
	return { all, visible, csv: false };
}

/** The text of a CSV file: UTF-8 with or without BOM, UTF-16 with BOM, else GB18030. */
function decodeCsv(bytes: Uint8Array): string {
	if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
	if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
	if (bytes.includes(0))
		throw new RosterFileError('format', 'not an .xlsx or .csv file (binary content)');
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
	} catch {
		try {
			return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
		} catch {
			throw new RosterFileError('format', 'a text file neither in UTF-8 nor in GB18030');
		}
	}
}

function csvSheet(bytes: Uint8Array, fileName?: string): Book {
	const text = decodeCsv(bytes).replace(/\r\n?/gu, '\n');
	// The delimiter most used in the first lines: comma, else tab (Excel's "Unicode text") or ;.
	const head = text.slice(0, 8192);
	const count = (c: string) => head.split(c).length;
	const delimiter = count('\t') > count(',') ? '\t' : count(';') > count(',') ? ';' : ',';
	const rows = parseCsv(text, delimiter);
	const name = fileName?.replace(/^.*[\\/]/u, '').replace(/\.[^.]*$/u, '') || 'CSV';
	return { all: [{ name, rows, hidden: () => false }], visible: [name], csv: true };
}

/**
 * CSV records (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes; a stray quote
 * inside an unquoted field kept as text) with the line each starts on. Rows may differ in length
 * (a title line above the header is one cell wide).
 */
function parseCsv(text: string, delimiter: string): SheetRow[] {
	let records: { record: string[]; info: { lines: number } }[];
	try {
		records = parseCsvText(text, {
			delimiter,
			relax_column_count: true,
			relax_quotes: true,
			skip_empty_lines: false,
			info: true
		}) as unknown as typeof records;
	} catch (error) {
		// csv-parse names the line: "Quote Not Closed: … at line 2".
		const { code, lines, message } = error as { code?: string; lines?: number; message: string };
		const where = lines === undefined ? '' : ` (line ${lines})`;
		const what =
			code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quote is not closed' : message.split(':')[0].trim();
		throw new RosterFileError('format', `not a readable CSV file: ${what}${where}`);
	}
	const rows: SheetRow[] = [];
	// `info.lines` is the line a record ends on; the next one starts on the line after it.
	let start = 1;
	for (const { record, info } of records) {
		rows.push({ n: start, cells: record });
		start = info.lines + 1;
	}
	return rows;
}

interface HeaderGuess {
	/** Index in sheet.rows. */
	at: number;
	/** Distinct fields matched. */
	score: number;
}

function guessHeader(sheet: Sheet): HeaderGuess | null {
	let best: HeaderGuess | null = null;
	for (let at = 0; at < sheet.rows.length && sheet.rows[at].n <= HEADER_SCAN_ROWS; at++) {
		const fields = new Set<ColumnKey>();
		for (const cell of sheet.rows[at].cells) {
			if (typeof cell !== 'string') continue;
			const field = columnOfHeader(cell);
			if (field) fields.add(field);
		}
		if (fields.size > 0 && (!best || fields.size > best.score)) best = { at, score: fields.size };
	}
	return best;
}

/** A header row names at least two known columns (a 填表说明 sheet listing 姓名 alone is not one). */
const recognisable = (guess: HeaderGuess | null) => guess !== null && guess.score >= 2;

function readSheets({ all, visible, csv }: Book, options: ReadOptions): ParsedRoster {
	let sheet: Sheet | undefined;
	let guess: HeaderGuess | null = null;
	if (options.sheet !== undefined && !csv) {
		sheet = all.find((s) => s.name === options.sheet);
		if (!sheet)
			throw new RosterFileError(
				'no_sheet',
				`no sheet named "${options.sheet}" (sheets: ${visible.join(', ')})`
			);
		guess = guessHeader(sheet);
	} else {
		const candidates = all.filter((s) => visible.includes(s.name));
		for (const s of candidates.length > 0 ? candidates : all) {
			const g = guessHeader(s);
			if (recognisable(g)) {
				sheet = s;
				guess = g;
				break;
			}
		}
		if (!sheet) {
			sheet = all.find((s) => s.rows.length > 0) ?? all[0];
			guess = sheet ? guessHeader(sheet) : null;
		}
	}
	if (!sheet || sheet.rows.length === 0) throw new RosterFileError('empty', 'the file has no rows');
	const mapped = options.mapping !== undefined && Object.keys(options.mapping).length > 0;
	if (!guess && !mapped)
		throw new RosterFileError(
			'no_header',
			`no header row in the first ${HEADER_SCAN_ROWS} rows of sheet "${sheet.name}" (headers such as 姓名, 身份证号 were expected)`
		);
	const headerAt = guess?.at ?? 0;
	const headerRow = sheet.rows[headerAt];
	const dataRows = sheet.rows.slice(headerAt + 1);
	let width = headerRow.cells.length;
	for (const row of dataRows) if (row.cells.length > width) width = row.cells.length;
	// Header texts as the file writes them (line breaks inside a header cell dropped).
	const header = Array.from({ length: width }, (_, i) =>
		cellText(headerRow.cells[i] ?? null)
			.replace(/\s*[\r\n]+\s*/gu, '')
			.trim()
	);
	const columns = matchColumns(header, sheet, options);
	const context = {
		sheets: visible,
		sheet: sheet.name,
		headerRow: headerRow.n,
		header,
		columns
	};
	if (!columns.some((c) => c.field === 'name'))
		throw new RosterFileError(
			'no_name_column',
			`no 姓名 column in sheet "${sheet.name}": choose which column holds the names`,
			context
		);
	const result: ParsedRoster = {
		...context,
		records: [],
		problems: [],
		cells: new Map(),
		dataRows: 0
	};
	const rowReader = new RowReader(columns, header, options.today ?? new Date());
	for (const row of dataRows) rowReader.read(row, result);
	return result;
}

/** Header cells matched to fields, then the user's mapping applied over them. */
function matchColumns(header: string[], sheet: Sheet, options: ReadOptions): RosterColumn[] {
	const taken = new Map<ColumnKey, RosterColumn>();
	const landlineNamed = header.some((text) => columnOfHeader(text) === 'landline');
	const columns: RosterColumn[] = header.map((text, index) => {
		const column: RosterColumn = {
			index,
			header: text,
			field: columnOfHeader(text),
			hidden: sheet.hidden(index)
		};
		const earlier = column.field ? taken.get(column.field) : undefined;
		// A second phone column (手机号码 and 电话) is most often the landline: the one not named 手机.
		if (column.field === 'phone' && earlier && !landlineNamed && !taken.has('landline')) {
			const mobileHere = text.includes('手机') && !earlier.header.includes('手机');
			(mobileHere ? earlier : column).field = 'landline';
			if (mobileHere) taken.set('phone', column);
			taken.set('landline', mobileHere ? earlier : column);
		} else if (earlier) column.field = null;
		else if (column.field) taken.set(column.field, column);
		return column;
	});
	for (const [key, index] of Object.entries(options.mapping ?? {}) as [
		ColumnKey,
		number | null | undefined
	][]) {
		if (!(key in HEADER_OF))
			throw new RosterFileError('no_header', `mapping: unknown field "${key}"`);
		if (index === undefined) continue;
		for (const column of columns) if (column.field === key) column.field = null;
		if (index === null) continue;
		const column = columns[index];
		if (!Number.isInteger(index) || !column)
			throw new RosterFileError(
				'no_header',
				`mapping: column ${index} of "${key}" is not in the sheet (it has ${columns.length} columns)`
			);
		column.field = key;
	}
	return columns;
}

const TOTALS = /^(合计|总计|小计)/u;
const FOOTER =
	/^(填表人|制表人|审核人|填报人|负责人|制表日期|填表日期|填报日期|制表单位|填报单位)/u;

class RowReader {
	private readonly at = new Map<ColumnKey, number>();
	private readonly headerOf = new Map<ColumnKey, string>();

	constructor(
		columns: RosterColumn[],
		private readonly header: string[],
		private readonly today: Date
	) {
		for (const c of columns)
			if (c.field) {
				this.at.set(c.field, c.index);
				this.headerOf.set(c.field, c.header || HEADER_OF[c.field]);
			}
	}

	private column(field: ColumnKey): string {
		return this.headerOf.get(field) ?? HEADER_OF[field];
	}

	/** Whether a row repeats the header (a second table pasted below the first). */
	private repeatsHeader(texts: string[]): boolean {
		const nameAt = this.at.get('name');
		return (
			nameAt !== undefined &&
			texts[nameAt] !== '' &&
			normalizeHeader(texts[nameAt]) === normalizeHeader(this.header[nameAt])
		);
	}

	read(row: SheetRow, into: ParsedRoster): void {
		const width = this.header.length;
		const texts: string[] = new Array(width);
		let first = '';
		for (let i = 0; i < width; i++) {
			const text = cellText(row.cells[i] ?? null);
			texts[i] = text;
			if (first === '' && text.trim() !== '') first = normalizeText(text).replace(/\s+/gu, '');
		}
		if (first === '') return;
		const raw = (field: ColumnKey): RawCell => {
			const i = this.at.get(field);
			return i === undefined ? null : (row.cells[i] ?? null);
		};
		const normalised = new Map<ColumnKey, string>();
		const text = (field: ColumnKey): string => {
			let value = normalised.get(field);
			if (value === undefined) {
				const i = this.at.get(field);
				value = i === undefined ? '' : normalizeText(texts[i]);
				normalised.set(field, value);
			}
			return value;
		};
		const name = text('name');
		if (name === '' && (TOTALS.test(first) || FOOTER.test(first))) return;
		// Cells only in columns of no field (序号 numbered ahead, a formula's 年龄) are no data.
		let hasData = false;
		for (const field of this.at.keys())
			if (text(field) !== '') {
				hasData = true;
				break;
			}
		if (!hasData) return;
		if (this.repeatsHeader(texts)) return;

		into.dataRows++;
		into.cells.set(row.n, texts);
		const record: RosterRecord = { row: row.n };
		const problems: RowProblem[] = [];
		const add = (field: ColumnKey, code: RowProblem['code'], message: string) =>
			problems.push({ row: row.n, column: this.column(field), field, code, message });
		const textField = (
			field: Exclude<keyof typeof MAX, 'name' | 'address'>,
			multiline = false
		): string | undefined => {
			const value = text(field);
			if (value === '') return undefined;
			const checked = checkText(value, MAX[field], multiline);
			if (checked.problem) add(field, checked.problem.code, checked.problem.message);
			return checked.value;
		};
		const masked: NonNullable<RosterRecord['masked']> = {};

		const householdNo = textField('householdNo');
		if (householdNo !== undefined) record.householdNo = householdNo;
		const grid = textField('grid');
		if (grid !== undefined) record.grid = grid;

		let address = text('address');
		if (address === '')
			address = joinAddress({
				estate: text('estate'),
				building: text('building'),
				unit: text('unit'),
				room: text('room')
			});
		if (address !== '') {
			const checked = checkText(address, MAX.address);
			if (checked.problem) add('address', checked.problem.code, checked.problem.message);
			else record.address = checked.value;
		}

		const headName = text('headName');
		if (headName !== '' && !isMasked(headName)) {
			const checked = checkText(normalizeName(headName), MAX.headName);
			if (checked.problem) add('headName', checked.problem.code, checked.problem.message);
			else record.headName = checked.value;
		}

		if (name === '') add('name', 'required', '姓名不能为空');
		else if (isMasked(name)) masked.name = name;
		else {
			const checked = checkText(normalizeName(name), MAX.name);
			if (checked.problem) add('name', checked.problem.code, checked.problem.message);
			else record.name = checked.value;
		}

		const relation = textField('relation');
		if (relation !== undefined) record.relation = relation;

		const idText = text('idNumber');
		if (idText !== '') {
			if (isMasked(idText)) masked.idNumber = idText.replace(/\s+/gu, '');
			else {
				const id = normalizeIdNumber(raw('idNumber'), this.today);
				if (id.problem) add('idNumber', id.problem.code, id.problem.message);
				else record.idNumber = id.value;
			}
		}

		if (text('sex') !== '') {
			const sex = parseSex(text('sex'));
			if (sex.problem) add('sex', sex.problem.code, sex.problem.message);
			else if (sex.value) record.sex = sex.value;
		}

		if (text('birthDate') !== '') {
			const birth = parseBirthDate(raw('birthDate'), this.today);
			if (birth.problem) add('birthDate', birth.problem.code, birth.problem.message);
			else record.birthYear = birth.value.year;
		}

		if (record.idNumber) {
			const idYear = Number(record.idNumber.slice(6, 10));
			if (record.birthYear === undefined) record.birthYear = idYear;
			else if (record.birthYear !== idYear)
				add('birthDate', 'id_mismatch', `出生年份与身份证号不一致（身份证号为 ${idYear} 年）`);
			const idSexValue = idSex(record.idNumber);
			if (record.sex === undefined) record.sex = idSexValue;
			else if (record.sex !== idSexValue)
				add(
					'sex',
					'id_mismatch',
					`性别与身份证号不一致（身份证号为${idSexValue === 'M' ? '男' : '女'}性）`
				);
		}

		const extraPhones = this.readPhones(raw, text, record, masked, add);

		const tagText = text('tags');
		if (tagText !== '') {
			const tags = parseTags(tagText);
			if (tags.problem) add('tags', tags.problem.code, tags.problem.message);
			else if (tags.value.length > 0) record.tags = tags.value;
		}

		let note = text('note');
		if (extraPhones.length > 0)
			note = [note, `其他电话:${extraPhones.join('、')}`].filter((s) => s !== '').join('\n');
		if (note !== '') {
			const checked = checkText(note, MAX.note, true);
			if (checked.problem) add('note', checked.problem.code, checked.problem.message);
			else record.note = checked.value;
		}

		const residentId = textField('residentId');
		if (residentId !== undefined) record.residentId = residentId;

		if (Object.keys(masked).length > 0) record.masked = masked;
		if (problems.length > 0) into.problems.push(...problems);
		else into.records.push(record);
	}

	/**
	 * 联系电话 and 固定电话: each may hold a mobile, a landline or several. The first mobile is the
	 * phone, the first landline the landline; further numbers are returned for the note.
	 */
	private readPhones(
		raw: (field: ColumnKey) => RawCell,
		text: (field: ColumnKey) => string,
		record: RosterRecord,
		masked: NonNullable<RosterRecord['masked']>,
		add: (field: ColumnKey, code: RowProblem['code'], message: string) => void
	): string[] {
		const mobiles: string[] = [];
		const landlines: string[] = [];
		for (const field of ['phone', 'landline'] as const) {
			let value = text(field);
			if (value === '') continue;
			if (isMasked(value)) {
				masked[field] = value.replace(/\s+/gu, '');
				continue;
			}
			const cell = raw(field);
			// A number cell has lost a landline's leading zero (7711234567).
			if (typeof cell === 'number' && !PHONE_PATTERN.test(value)) value = `0${value}`;
			const found = splitPhones(value);
			if (found.bad.length > 0)
				add(
					field,
					field === 'phone' ? 'phone_format' : 'landline_format',
					`无法识别的电话号码：${found.bad.join('、')}（手机号码应为11位；固定电话应带区号，如 0771-1234567）`
				);
			mobiles.push(...found.mobiles);
			if (field === 'landline') landlines.unshift(...found.landlines);
			else landlines.push(...found.landlines);
		}
		const phones = [...new Set(mobiles)];
		const fixed = [...new Set(landlines)];
		if (phones.length > 0 && masked.phone === undefined) record.phone = phones.shift();
		if (fixed.length > 0 && masked.landline === undefined) record.landline = fixed.shift();
		return [...phones, ...fixed];
	}
}
