// Cell normalisers of the roster reader (docs/imports.md, "Reading a file"): each turns one cell
// as Excel or a CSV file holds it into the value GridCare stores, or into a problem whose message
// (Chinese) is shown after the column's header: "第 57 行 身份证号：校验位不正确".
import { idCheckChar, idNumberProblem } from '../../src/lib/shared/id-number';
import { textProblem } from '../../src/lib/shared/schemas';
import { normalizeLandline, normalizeMobile } from '../../src/lib/shared/phone';
import { COLUMN_OF_HEADER, LABEL_OF_TAG, TAG_OF_LABEL, type ColumnKey } from './columns';
import type { ProblemCode } from './types';

/** A cell's value once formulas, rich text and hyperlinks are unwrapped. */
export type RawCell = string | number | boolean | Date | null;

export interface CellProblem {
	code: ProblemCode;
	message: string;
}

export type Normalised<T> =
	{ value: T; problem?: undefined } | { value?: undefined; problem: CellProblem };

const problem = (code: ProblemCode, message: string): { problem: CellProblem } => ({
	problem: { code, message }
});

/** An exceljs cell value (formula, shared formula, rich text, hyperlink, error) as a plain value. */
export function unwrapCell(value: unknown): RawCell {
	if (value === null || value === undefined) return null;
	if (
		typeof value === 'string' ||
		typeof value === 'number' ||
		typeof value === 'boolean' ||
		value instanceof Date
	)
		return value;
	if (typeof value === 'object') {
		const v = value as Record<string, unknown>;
		if ('result' in v || 'formula' in v || 'sharedFormula' in v) return unwrapCell(v.result);
		if (Array.isArray(v.richText))
			return (v.richText as { text?: string }[]).map((part) => part.text ?? '').join('');
		if ('text' in v) return unwrapCell(v.text);
		if (typeof v.error === 'string') return v.error;
	}
	return null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A cell as text, as a rejected-rows workbook writes it back. Dates (exceljs: UTC) as YYYY-MM-DD. */
export function cellText(raw: RawCell): string {
	if (raw === null) return '';
	if (typeof raw === 'string') return raw;
	if (typeof raw === 'number') return String(raw);
	if (typeof raw === 'boolean') return raw ? 'TRUE' : 'FALSE';
	if (Number.isNaN(raw.getTime())) return '';
	return `${raw.getUTCFullYear()}-${pad(raw.getUTCMonth() + 1)}-${pad(raw.getUTCDate())}`;
}

/** NFKC (full-width ｘ１２３ → x123, U+3000 → space), zero-width characters removed, trimmed. */
export function normalizeText(value: string): string {
	return value
		.normalize('NFKC')
		.replace(/[\u200B-\u200D\u2060\uFEFF]/gu, '')
		.trim();
}

/** A one-line text: line breaks inside the cell (Alt+Enter) become spaces, runs of spaces one. */
export function oneLine(value: string): string {
	return normalizeText(value)
		.replace(/[ \t]*[\r\n]+[ \t]*/gu, ' ')
		.replace(/ {2,}/gu, ' ');
}

const HAN = '\\p{Script=Han}';
const SPACE_BETWEEN_HAN = new RegExp(`(?<=${HAN}) +(?=${HAN})`, 'gu');

/** A person's name: spaces padding a two-character name to align it (王  芳) are dropped. */
export function normalizeName(value: string): string {
	return oneLine(value).replace(SPACE_BETWEEN_HAN, '');
}

/** A header cell compared with the known headers: NFKC, no whitespace, no required marks. */
export function normalizeHeader(value: string): string {
	let h = normalizeText(value).replace(/\s+/gu, '');
	for (;;) {
		const next = h
			.replace(/^\*+/u, '')
			.replace(/\*+$/u, '')
			.replace(/\((必填|必填项|选填|可选)\)$/u, '')
			.replace(/[:：]$/u, '');
		if (next === h) return h;
		h = next;
	}
}

/** The column a header cell names, or null. */
export function columnOfHeader(value: string): ColumnKey | null {
	return COLUMN_OF_HEADER.get(normalizeHeader(value)) ?? null;
}

/** Whether a cell holds a masked value as an export writes it (张*、4501**********1234). */
export function isMasked(value: string): boolean {
	return value.includes('*');
}

/** A one-line text field checked as the shared schemas do (shortText / safeText). */
export function checkText(value: string, max: number, multiline = false): Normalised<string> {
	const text = multiline ? normalizeText(value).replace(/\r\n?/gu, '\n') : oneLine(value);
	const bad = textProblem(text, multiline);
	if (bad === 'control_character') return problem('text', '含有不能保存的控制字符');
	if (bad === 'lone_surrogate') return problem('text', '含有无效的字符');
	if (text.length > max) return problem('text', `不能超过 ${max} 个字符（现有 ${text.length} 个）`);
	return { value: text };
}

export const ID_MESSAGES = {
	format: '应为18位数字（最后一位可为X）',
	birthDate: '出生日期不存在',
	checkChar: '校验位不正确'
} as const;

const ID_CODES = {
	format: 'id_format',
	birthDate: 'id_birth_date',
	checkChar: 'id_check_char'
} as const;

const ID_AS_NUMBER = '被 Excel 存成了数字，后几位已丢失；请将该列设置为文本格式后重新填写身份证号';

/** An 18-digit number from a first-generation 15-digit one: 19 inserted, check character added. */
export function idNumberFrom15(id15: string): string {
	const first17 = `${id15.slice(0, 6)}19${id15.slice(6)}`;
	return first17 + idCheckChar(first17);
}

/**
 * An ID number: NFKC, spaces and a leading apostrophe removed, lowercase x made X, 15 digits
 * made 18, then checked (GB 11643). A number cell (4.50102E+17) has lost its last digits.
 */
export function normalizeIdNumber(raw: RawCell, today = new Date()): Normalised<string> {
	if (typeof raw === 'number') return problem('id_format', ID_AS_NUMBER);
	let id = normalizeText(cellText(raw)).replace(/\s+/gu, '').replace(/^'/u, '').toUpperCase();
	if (/^\d+(\.\d+)?E\+?\d+$/u.test(id)) return problem('id_format', ID_AS_NUMBER);
	if (/^\d{15}$/u.test(id)) id = idNumberFrom15(id);
	const bad = idNumberProblem(id, today);
	return bad ? problem(ID_CODES[bad], ID_MESSAGES[bad]) : { value: id };
}

export interface PhoneNumbers {
	mobiles: string[];
	landlines: string[];
	/** Parts that are neither. */
	bad: string[];
}

const LABEL_PREFIX = /^[\p{Script=Han}]{1,4}[:：]/u;

function phonePart(part: string, into: PhoneNumbers): boolean {
	const mobile = normalizeMobile(part);
	if (mobile) {
		into.mobiles.push(mobile);
		return true;
	}
	const landline = normalizeLandline(part);
	if (landline) {
		into.landlines.push(landline);
		return true;
	}
	return false;
}

/**
 * The numbers of a 联系电话 or 固定电话 cell: a mobile, a landline or several, separated by / 、 , ;
 * or line breaks (or spaces, when the spaces are not inside one number). "手机：" labels are dropped.
 */
export function splitPhones(value: string): PhoneNumbers {
	const found: PhoneNumbers = { mobiles: [], landlines: [], bad: [] };
	const parts = normalizeText(value)
		.split(/[/、,，;；\n]+/u)
		.map((p) => p.trim().replace(LABEL_PREFIX, '').trim())
		.filter((p) => p !== '');
	for (const part of parts) {
		if (phonePart(part, found)) continue;
		// "13812345678 0771-1234567": take the shortest run of words that reads as a number.
		const words = part.split(/\s+/u);
		const before = { mobiles: found.mobiles.length, landlines: found.landlines.length };
		let start = 0;
		for (let end = 1; end <= words.length; end++) {
			if (phonePart(words.slice(start, end).join(' '), found)) start = end;
		}
		if (start !== words.length) {
			found.mobiles.length = before.mobiles;
			found.landlines.length = before.landlines;
			found.bad.push(part);
		}
	}
	return found;
}

export interface BirthDate {
	year: number;
	month?: number;
	day?: number;
}

const DATE_MESSAGE = '无法识别的日期，应写成 1950-03-12、1950.3、1950年3月 或 1950';

/** Excel's day 0 is 1899-12-30 (its leap day 1900-02-29 is before every birth date we read). */
const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

function fromSerial(serial: number): BirthDate {
	const date = new Date(EXCEL_EPOCH + Math.floor(serial) * 86_400_000);
	return {
		year: date.getUTCFullYear(),
		month: date.getUTCMonth() + 1,
		day: date.getUTCDate()
	};
}

function checkDate(date: BirthDate, today: Date): Normalised<BirthDate> {
	const { year, month, day } = date;
	if (month !== undefined && (month < 1 || month > 12)) return problem('date_format', DATE_MESSAGE);
	if (day !== undefined && month !== undefined) {
		const at = new Date(Date.UTC(year, month - 1, day));
		if (at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day)
			return problem('date_format', '日期不存在');
	}
	if (year < 1900) return problem('date_format', '年份不能早于 1900 年');
	const at = Date.UTC(year, (month ?? 1) - 1, day ?? 1);
	if (at > today.getTime()) return problem('date_format', '出生日期不能晚于今天');
	return { value: date };
}

/**
 * A birth date as rosters write it: an Excel date or date serial, 1950-03-12, 1950/3/12,
 * 19500312, 1950.3 (a number in Excel), 1950年3月, 195003, 1950. Only the year is stored.
 */
export function parseBirthDate(raw: RawCell, today = new Date()): Normalised<BirthDate> {
	if (raw instanceof Date) {
		if (Number.isNaN(raw.getTime())) return problem('date_format', DATE_MESSAGE);
		return checkDate(
			{ year: raw.getUTCFullYear(), month: raw.getUTCMonth() + 1, day: raw.getUTCDate() },
			today
		);
	}
	if (typeof raw === 'number') {
		const whole = Math.trunc(raw);
		if (whole >= 1900 && whole <= 2100) return checkDate({ year: whole }, today);
		if (Number.isInteger(raw) && raw >= 19000101 && raw <= 21001231)
			return parseBirthDate(String(raw), today);
		if (Number.isInteger(raw) && raw >= 190001 && raw <= 210012)
			return parseBirthDate(String(raw), today);
		if (raw >= 1 && raw < 2_958_466) return checkDate(fromSerial(raw), today);
		return problem('date_format', DATE_MESSAGE);
	}
	const text = normalizeText(cellText(raw))
		.replace(/\s+/gu, '')
		.replace(/[T ]?\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/u, '');
	let m: RegExpExecArray | null;
	if ((m = /^(\d{4})年?$/u.exec(text))) return checkDate({ year: Number(m[1]) }, today);
	if ((m = /^(\d{4})(\d{2})(\d{2})$/u.exec(text)))
		return checkDate({ year: +m[1], month: +m[2], day: +m[3] }, today);
	if ((m = /^(\d{4})(\d{2})$/u.exec(text))) return checkDate({ year: +m[1], month: +m[2] }, today);
	if ((m = /^(\d{4})[.\-/年](\d{1,2})(?:[.\-/月](\d{1,2})日?|月)?$/u.exec(text)))
		return checkDate(
			{ year: +m[1], month: +m[2], day: m[3] === undefined ? undefined : +m[3] },
			today
		);
	// m/d/yyyy, as an English Excel writes it to CSV.
	if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/u.exec(text))) return checkDate({ year: +m[3] }, today);
	if ((m = /^\d{5}$/u.exec(text))) return checkDate(fromSerial(Number(text)), today);
	return problem('date_format', DATE_MESSAGE);
}

/** 男/女/男性/女性/M/F (and the national codes 1/2); 未知 and 未说明 are no value. */
export function parseSex(value: string): Normalised<'F' | 'M' | null> {
	const s = normalizeText(value).replace(/\s+/gu, '').toLowerCase();
	if (['男', '男性', 'm', 'male', '1'].includes(s)) return { value: 'M' };
	if (['女', '女性', 'f', 'female', '2'].includes(s)) return { value: 'F' };
	if (['', '未知', '未说明', '0', '9'].includes(s)) return { value: null };
	return problem('sex_format', '应为男或女');
}

/** 人员类别 labels (独居老人、低保 …) split on 、，,；;/ and spaces, as tag codes in their order. */
export function parseTags(value: string): Normalised<string[]> {
	const labels = normalizeText(value)
		.split(/[、，,；;/|\s]+/u)
		.filter((l) => l !== '' && l !== '无');
	const codes: string[] = [];
	const unknown: string[] = [];
	for (const label of labels) {
		const code = TAG_OF_LABEL.get(label) ?? (label in LABEL_OF_TAG ? label : undefined);
		if (code === undefined) unknown.push(label);
		else if (!codes.includes(code)) codes.push(code);
	}
	if (unknown.length > 0) return problem('unknown_tag', `未知的人员类别：${unknown.join('、')}`);
	return { value: codes };
}

const SUFFIX = { building: '栋', unit: '单元', room: '室' } as const;

/**
 * An address from its parts, 小区 + 楼栋 + 单元 + 房号, each as written (NFKC, no spaces), a part
 * ending in a digit or a Latin letter getting its word: 阳光小区 + 3 + 2 + 501 → 阳光小区3栋2单元501室;
 * 3号楼, 二单元, 501号 stay as written.
 */
export function joinAddress(parts: {
	estate?: string;
	building?: string;
	unit?: string;
	room?: string;
}): string {
	const clean = (s: string | undefined) => normalizeText(s ?? '').replace(/\s+/gu, '');
	const withWord = (s: string, word: string) =>
		s !== '' && /[0-9A-Za-z]$/u.test(s) ? s + word : s;
	return [
		clean(parts.estate),
		withWord(clean(parts.building), SUFFIX.building),
		withWord(clean(parts.unit), SUFFIX.unit),
		withWord(clean(parts.room), SUFFIX.room)
	].join('');
}
