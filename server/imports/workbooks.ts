// The three workbooks of the roster import (docs/imports.md): the blank template, a community's
// residents in the template's layout (so that the file, edited in Excel, imports back as updates),
// and the rows an import did not take, their cells as read plus the reasons. The columns come from
// columns.ts, the list the reader recognises, so whatever GridCare writes reads back the same.
import ExcelJS from 'exceljs';
import { maskLandline, maskName, maskPhone } from '../../src/lib/shared/mask';
import { displayWidth } from '../rollup/summary';
import type { RosterHouseholdRow, RosterResidentRow, Store } from '../store/types';
import { HEADER_OF, LABEL_OF_TAG, PROBLEM_HEADER, type ColumnKey } from './columns';
import type { RosterColumn, RosterRecord, RowProblem } from './types';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The roster sheet's name in the files GridCare writes. */
export const ROSTER_SHEET = '台账';
export const HELP_SHEET = '说明';

/**
 * The columns of the template and the export, in their order: one address column (the reader also
 * takes 小区/楼栋/单元/房号 instead, as the 说明 sheet says).
 */
export const TEMPLATE_COLUMNS: readonly ColumnKey[] = [
	'householdNo',
	'grid',
	'address',
	'headName',
	'name',
	'relation',
	'idNumber',
	'sex',
	'birthDate',
	'phone',
	'landline',
	'tags',
	'note',
	'residentId'
];

/** Columns whose digits Excel must keep as typed (no 4.50102E+17, no lost leading zero). */
const TEXT_COLUMNS: ReadonlySet<ColumnKey> = new Set([
	'householdNo',
	'idNumber',
	'phone',
	'landline',
	'residentId'
]);

export const SEX_WORDS = { F: '女', M: '男' } as const;

/** Rows of the template that offer the 性别 and 人员类别 lists. */
const LIST_ROWS = 5000;
/** Labels of several 人员类别 in one cell are separated by this. */
const TAG_SEPARATOR = '、';

/** What each column means, in the words of the 说明 sheet. */
const HELP: Record<ColumnKey, string> = {
	householdNo:
		'同一户的人填同一个户编号（任意文字或数字均可）。不填时，同一网格、同一地址的人算作一户。从本系统导出的表格中是系统的户编号，请勿修改。',
	grid: '所属网格的名称，须与系统中的网格名称一致。社区只有一个网格时可不填。',
	estate: '小区名称。',
	building: '楼栋号。',
	unit: '单元号。',
	room: '房号或门牌号。',
	address:
		'家庭住址，同一户的人写法一致即可（空格和全角半角不影响）。也可以不用“地址”列，改用“小区”“楼栋”“单元”“房号”四列，系统按顺序拼成地址。',
	headName: '户主姓名，可不填。',
	name: '本人姓名，必填。',
	relation: '与户主关系，如：户主、配偶、子女、父母、孙子女、其他。',
	idNumber:
		'18 位公民身份号码，末位可以是 X；15 位老号码会自动转为 18 位。带星号（*）的号码是导出时的遮挡写法，表示不修改。',
	sex: '男 或 女。可不填，按身份证号判断。',
	birthDate: '出生日期，如 1950-03-08、1950.3、1950年3月，或只写年份。可不填，按身份证号推算。',
	phone: '11 位手机号码，可写成 138 1234 5678、138-1234-5678 或 +86 13812345678。',
	landline: '固定电话，带区号，如 0771-1234567。',
	tags: `人员类别，可填多个，用“${TAG_SEPARATOR}”分隔：${Object.values(LABEL_OF_TAG).join(TAG_SEPARATOR)}。其他写法会被列为问题。`,
	note: '备注，任意文字。',
	residentId:
		'系统的居民编号，仅在从本系统导出的表格中出现，用于更新已有居民，请勿修改；新增的人不填。'
};

const HEADER_FILL = {
	type: 'pattern',
	pattern: 'solid',
	fgColor: { argb: 'FFDDEBF7' }
} as const;

function headerRow(sheet: ExcelJS.Worksheet, headers: string[]) {
	const row = sheet.getRow(1);
	headers.forEach((h, i) => {
		const cell = row.getCell(i + 1);
		cell.value = h;
		cell.font = { bold: true };
		cell.fill = HEADER_FILL;
		cell.alignment = { vertical: 'middle', horizontal: 'center' };
	});
	sheet.views = [{ state: 'frozen', ySplit: 1, xSplit: 0 }];
}

/** Widths fitted to the text of each column (CJK counting double), within bounds. */
function fitWidths(sheet: ExcelJS.Worksheet, columns: number, min = 8, max = 40) {
	for (let c = 1; c <= columns; c++) {
		let width = min;
		sheet.getColumn(c).eachCell({ includeEmpty: false }, (cell) => {
			width = Math.max(width, displayWidth(String(cell.value ?? '')) + 2);
		});
		sheet.getColumn(c).width = Math.min(width, max);
	}
}

/** The roster sheet of the template and the export: header, text columns, lists. */
function rosterSheet(book: ExcelJS.Workbook): ExcelJS.Worksheet {
	const sheet = book.addWorksheet(ROSTER_SHEET);
	headerRow(
		sheet,
		TEMPLATE_COLUMNS.map((key) => HEADER_OF[key])
	);
	TEMPLATE_COLUMNS.forEach((key, i) => {
		if (TEXT_COLUMNS.has(key)) sheet.getColumn(i + 1).numFmt = '@';
	});
	const letter = (key: ColumnKey) => sheet.getColumn(TEMPLATE_COLUMNS.indexOf(key) + 1).letter;
	// exceljs writes a range validation as one <dataValidation sqref="H2:H5001">.
	const validations = (
		sheet as unknown as {
			dataValidations: { add(address: string, validation: ExcelJS.DataValidation): void };
		}
	).dataValidations;
	validations.add(`${letter('sex')}2:${letter('sex')}${LIST_ROWS + 1}`, {
		type: 'list',
		allowBlank: true,
		formulae: [`"${SEX_WORDS.M},${SEX_WORDS.F}"`],
		showErrorMessage: true,
		errorTitle: HEADER_OF.sex,
		error: `请选择 ${SEX_WORDS.M} 或 ${SEX_WORDS.F}`
	});
	// Several labels may share a cell: the list offers them, and other text is let through (the
	// import names an unknown label as a problem).
	validations.add(`${letter('tags')}2:${letter('tags')}${LIST_ROWS + 1}`, {
		type: 'list',
		allowBlank: true,
		formulae: [`"${Object.values(LABEL_OF_TAG).join(',')}"`],
		showErrorMessage: false
	});
	return sheet;
}

function helpSheet(book: ExcelJS.Workbook) {
	const sheet = book.addWorksheet(HELP_SHEET);
	headerRow(sheet, ['列名', '填写说明']);
	const keys: ColumnKey[] = [
		...TEMPLATE_COLUMNS.slice(0, 3),
		'estate',
		'building',
		'unit',
		'room',
		...TEMPLATE_COLUMNS.slice(3)
	];
	keys.forEach((key, i) => {
		const row = sheet.getRow(i + 2);
		row.getCell(1).value = HEADER_OF[key];
		row.getCell(1).font = { bold: true };
		row.getCell(2).value = HELP[key];
		row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
	});
	const notes = [
		'每人一行；表头须在数据之上，表头上方可以有标题行。',
		'同一个人（居民编号、身份证号相同，或同一户中姓名相同）在表中出现两次时，只导入第一行。',
		'导入前会先显示预览，列出每一行的问题；有问题的行不导入，可下载后修改再导入。'
	];
	notes.forEach((text, i) => {
		const cell = sheet.getRow(keys.length + 3 + i).getCell(1);
		cell.value = text;
	});
	sheet.getColumn(1).width = 14;
	sheet.getColumn(2).width = 90;
}

async function bytesOf(book: ExcelJS.Workbook): Promise<Uint8Array<ArrayBuffer>> {
	const buffer = await book.xlsx.writeBuffer();
	return new Uint8Array(buffer as ArrayBuffer);
}

/** The blank roster: the recognised headers, text and list columns, and the 说明 sheet. */
export async function templateWorkbook(): Promise<Uint8Array<ArrayBuffer>> {
	const book = new ExcelJS.Workbook();
	const sheet = rosterSheet(book);
	fitWidths(sheet, TEMPLATE_COLUMNS.length);
	helpSheet(book);
	return bytesOf(book);
}

/** Cells of one resident as the export writes them. */
type ExportRow = Partial<Record<ColumnKey, string | number>>;

/**
 * A community's residents in the template's layout: 户编号 and 居民编号 are GridCare's ids, 出生日期
 * the birth year, 人员类别 the tags' labels. ID numbers, phones and landlines are masked; names are
 * in full only for `fullNames` (the community's own head), masked for anyone else. A masked cell
 * equal to the stored value's mask reads back as "unchanged", so importing the file unedited
 * changes nothing. Grids in creation order, households by address, the head of a household first.
 */
export async function residentsWorkbook(
	store: Store,
	communityCode: string,
	fullNames: boolean
): Promise<{ bytes: Uint8Array<ArrayBuffer>; rows: number }> {
	const book = new ExcelJS.Workbook();
	const sheet = rosterSheet(book);
	const [grids, roster] = await Promise.all([
		store.gridsOfCommunity(communityCode),
		store.communityRoster(communityCode)
	]);
	const people = new Map<string, RosterResidentRow[]>();
	for (const r of roster.residents)
		people.set(r.householdId, [...(people.get(r.householdId) ?? []), r]);
	let rows = 0;
	for (const grid of grids) {
		const households = roster.households
			.filter((h) => h.gridId === grid.id)
			.sort((a, b) => a.address.localeCompare(b.address, 'zh-CN') || a.id.localeCompare(b.id));
		for (const household of households)
			for (const row of exportRows(
				grid.name,
				household,
				people.get(household.id) ?? [],
				fullNames
			)) {
				sheet.getRow(rows + 2).values = TEMPLATE_COLUMNS.map((key) => row[key] ?? null);
				rows++;
			}
	}
	fitWidths(sheet, TEMPLATE_COLUMNS.length);
	helpSheet(book);
	return { bytes: await bytesOf(book), rows };
}

const HEAD = '户主';

function exportRows(
	gridName: string,
	household: RosterHouseholdRow,
	people: RosterResidentRow[],
	fullNames: boolean
): ExportRow[] {
	const shownName = (name: string) => (fullNames ? name : maskName(name));
	const head = people.find((p) => p.relation === HEAD);
	// The head first, then as registered (ids are in creation order for imported rows).
	const ordered = [...people].sort(
		(a, b) => Number(b.relation === HEAD) - Number(a.relation === HEAD) || a.id.localeCompare(b.id)
	);
	return ordered.map((p) => ({
		householdNo: household.id,
		grid: gridName,
		address: household.address,
		...(head ? { headName: shownName(head.name) } : {}),
		name: shownName(p.name),
		...(p.relation ? { relation: p.relation } : {}),
		...(p.idNumberMasked ? { idNumber: p.idNumberMasked } : {}),
		...(p.sex === 'F' || p.sex === 'M' ? { sex: SEX_WORDS[p.sex] } : {}),
		...(p.birthYear ? { birthDate: p.birthYear } : {}),
		...(p.phone ? { phone: maskPhone(p.phone) } : {}),
		...(p.landline ? { landline: maskLandline(p.landline) } : {}),
		...(p.tags.length > 0
			? { tags: p.tags.map((t) => LABEL_OF_TAG[t] ?? t).join(TAG_SEPARATOR) }
			: {}),
		...(p.note ? { note: p.note } : {}),
		residentId: p.id
	}));
}

/** One row not imported: its row number, its cells as read and why. */
export interface RejectedRow {
	row: number;
	cells: string[];
	problems: Pick<RowProblem, 'column' | 'message'>[];
}

/** "身份证号：校验位不正确；人员类别：未知的人员类别：xx" */
export function reasonsText(problems: Pick<RowProblem, 'column' | 'message'>[]): string {
	return problems.map((p) => `${p.column}：${p.message}`).join('；');
}

/**
 * The rows an import did not take, under the file's own header, with a 问题 column: fixed in
 * Excel, the file imports again as it is. Every cell is text, as it was read.
 */
export async function rejectedWorkbook(
	header: string[],
	rows: RejectedRow[]
): Promise<Uint8Array<ArrayBuffer>> {
	const book = new ExcelJS.Workbook();
	const sheet = book.addWorksheet(ROSTER_SHEET);
	const width = Math.max(header.length, ...rows.map((r) => r.cells.length));
	const headers = Array.from({ length: width }, (_, i) => header[i] ?? '');
	headerRow(sheet, [...headers, PROBLEM_HEADER]);
	for (let c = 1; c <= width + 1; c++) sheet.getColumn(c).numFmt = '@';
	rows.forEach((r, i) => {
		const row = sheet.getRow(i + 2);
		for (let c = 0; c < width; c++) {
			const text = r.cells[c] ?? '';
			if (text !== '') row.getCell(c + 1).value = text;
		}
		const reason = row.getCell(width + 1);
		reason.value = reasonsText(r.problems);
		reason.font = { color: { argb: 'FFC00000' } };
	});
	fitWidths(sheet, width);
	sheet.getColumn(width + 1).width = 60;
	return bytesOf(book);
}

/**
 * The cells of a record under a file's columns, for a row whose cells as read were not kept: each
 * field in the column matched to it, the address in the first address column (the parts joined).
 */
export function cellsOfRecord(
	record: RosterRecord,
	columns: RosterColumn[],
	width: number
): string[] {
	const text: Partial<Record<ColumnKey, string>> = {
		householdNo: record.householdNo,
		grid: record.grid,
		address: record.address,
		headName: record.headName,
		name: record.name ?? record.masked?.name,
		relation: record.relation,
		idNumber: record.idNumber ?? record.masked?.idNumber,
		sex: record.sex ? SEX_WORDS[record.sex] : undefined,
		birthDate: record.birthYear === undefined ? undefined : String(record.birthYear),
		phone: record.phone ?? record.masked?.phone,
		landline: record.landline ?? record.masked?.landline,
		tags: record.tags?.map((t) => LABEL_OF_TAG[t] ?? t).join(TAG_SEPARATOR),
		note: record.note,
		residentId: record.residentId
	};
	const cells = Array.from({ length: width }, () => '');
	const parts: ColumnKey[] = ['estate', 'building', 'unit', 'room'];
	const hasAddress = columns.some((c) => c.field === 'address');
	let addressPlaced = false;
	for (const column of columns) {
		if (!column.field || column.index >= width) continue;
		if (parts.includes(column.field)) {
			if (!hasAddress && !addressPlaced) {
				cells[column.index] = record.address ?? '';
				addressPlaced = true;
			}
			continue;
		}
		cells[column.index] = text[column.field] ?? '';
	}
	return cells;
}
