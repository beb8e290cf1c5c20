// A fast reader of the parts of an .xlsx workbook a roster needs (docs/imports.md, "Reading a
// file"): sheet names and states, cell values (shared strings, rich text, formula results,
// dates by their number format), hidden columns and merged cells. exceljs builds a full model of
// every cell and took 5–6 s of CPU for a 50,000-row roster; this reads the same file in a
// fraction of that. Anything it does not expect (zip64, encryption, prefixed XML) makes it answer
// null, and the reader falls back to exceljs.
import { inflateRawSync } from 'node:zlib';
import type { RawCell } from './normalize';
import { RosterFileError } from './types';

export interface XlsxRow {
	/** Excel's row number. */
	n: number;
	/** By 0-based column index; absent cells are null. */
	cells: RawCell[];
}

export interface XlsxSheet {
	name: string;
	visible: boolean;
	rows: XlsxRow[];
	/** 0-based indexes of hidden columns. */
	hidden: Set<number>;
}

/** Something this reader does not read: exceljs does. */
class Unsupported extends Error {}

// ---------------------------------------------------------------- zip

/** A part of the package may expand to this much (a 32 MiB upload must not take the memory). */
const MAX_PART_BYTES = 512 * 1024 * 1024;
const tooLarge = () =>
	new RosterFileError('format', 'the workbook expands to more than 512 MiB: not a roster');

function unzip(bytes: Uint8Array): Map<string, () => string> {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	let eocd = -1;
	for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 65_557); at--)
		if (view.getUint32(at, true) === 0x06054b50) {
			eocd = at;
			break;
		}
	if (eocd < 0) throw new Unsupported('no end of central directory');
	const count = view.getUint16(eocd + 10, true);
	let at = view.getUint32(eocd + 16, true);
	if (count === 0xffff || at === 0xffffffff) throw new Unsupported('zip64');
	const decoder = new TextDecoder();
	const entries = new Map<string, () => string>();
	for (let i = 0; i < count; i++) {
		if (view.getUint32(at, true) !== 0x02014b50) throw new Unsupported('central directory');
		const flags = view.getUint16(at + 8, true);
		const method = view.getUint16(at + 10, true);
		const size = view.getUint32(at + 20, true);
		const unpacked = view.getUint32(at + 24, true);
		const nameLength = view.getUint16(at + 28, true);
		const extraLength = view.getUint16(at + 30, true);
		const commentLength = view.getUint16(at + 32, true);
		const local = view.getUint32(at + 42, true);
		const name = decoder.decode(bytes.subarray(at + 46, at + 46 + nameLength));
		at += 46 + nameLength + extraLength + commentLength;
		if (flags & 1) throw new Unsupported('encrypted');
		if (size === 0xffffffff || local === 0xffffffff) throw new Unsupported('zip64');
		if (method !== 0 && method !== 8) throw new Unsupported(`compression ${method}`);
		if (unpacked > MAX_PART_BYTES) throw tooLarge();
		entries.set(name.replace(/^\//u, ''), () => {
			if (view.getUint32(local, true) !== 0x04034b50) throw new Unsupported('local header');
			const start =
				local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
			const data = bytes.subarray(start, start + size);
			if (method === 0) return decoder.decode(data);
			try {
				return decoder.decode(inflateRawSync(data, { maxOutputLength: MAX_PART_BYTES }));
			} catch (error) {
				if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge();
				throw error;
			}
		});
	}
	return entries;
}

// ---------------------------------------------------------------- XML

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** XML text: entities and character references decoded, OOXML _xHHHH_ escapes too. */
function xmlText(s: string): string {
	if (s.includes('&'))
		s = s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/gu, (m, e: string) =>
			e[0] === '#'
				? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
				: (ENTITIES[e] ?? m)
		);
	if (s.includes('_x'))
		s = s.replace(/_x([0-9A-Fa-f]{4})_/gu, (_m, hex: string) =>
			String.fromCharCode(parseInt(hex, 16))
		);
	return s;
}

const ATTRIBUTES = new Map<string, RegExp>();

function attribute(attributes: string, name: string): string | undefined {
	let pattern = ATTRIBUTES.get(name);
	if (!pattern) {
		pattern = new RegExp(`(?:^|\\s)${name}="([^"]*)"`, 'u');
		ATTRIBUTES.set(name, pattern);
	}
	const m = pattern.exec(attributes);
	return m ? xmlText(m[1]) : undefined;
}

/** The text of a shared string or inline string: its <t> runs, phonetic runs left out. */
function runsText(xml: string): string {
	if (xml.includes('<rPh')) xml = xml.replace(/<rPh\b[\s\S]*?<\/rPh>/gu, '');
	let text = '';
	for (const m of xml.matchAll(/<t\b[^>]*?(?:\/>|>([^<]*)<\/t>)/gu)) text += m[1] ?? '';
	return xmlText(text);
}

// ---------------------------------------------------------------- styles

/** Built-in number formats that show dates (Excel's list, with the Chinese ones 27–36, 50–58). */
const DATE_FORMAT_IDS = new Set([
	14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51,
	52, 53, 54, 55, 56, 57, 58
]);

function isDateFormat(code: string): boolean {
	const bare = code.replace(/\[[^\]]*\]/gu, '').replace(/"[^"]*"/gu, '');
	return /[ymdhsb]/iu.test(bare) && !/^general$/iu.test(bare.trim());
}

/** For each cell style index, whether its number format shows a date. */
function dateStyles(xml: string | undefined): boolean[] {
	if (!xml) return [];
	const custom = new Map<number, boolean>();
	for (const m of xml.matchAll(/<numFmt\b([^>]*)\/?>/gu)) {
		const id = Number(attribute(m[1], 'numFmtId'));
		custom.set(id, isDateFormat(attribute(m[1], 'formatCode') ?? ''));
	}
	const xfs = /<cellXfs\b[^>]*>([\s\S]*?)<\/cellXfs>/u.exec(xml);
	if (!xfs) return [];
	return [...xfs[1].matchAll(/<xf\b([^>]*?)(?:\/>|>)/gu)].map((m) => {
		const id = Number(attribute(m[1], 'numFmtId') ?? 0);
		return custom.get(id) ?? DATE_FORMAT_IDS.has(id);
	});
}

// ---------------------------------------------------------------- sheets

function columnIndex(ref: string): number {
	let index = 0;
	for (let i = 0; i < ref.length; i++) {
		const c = ref.charCodeAt(i);
		if (c < 65 || c > 90) break;
		index = index * 26 + (c - 64);
	}
	return index - 1;
}

const DAY_MS = 86_400_000;
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

function readSheet(
	xml: string,
	strings: string[],
	dates: boolean[],
	date1904: boolean
): { rows: XlsxRow[]; hidden: Set<number> } {
	if (!xml.includes('<worksheet') || /<[A-Za-z0-9]+:(sheetData|row|c)\b/u.test(xml))
		throw new Unsupported('sheet xml');
	const hidden = new Set<number>();
	const cols = /<cols>([\s\S]*?)<\/cols>/u.exec(xml);
	if (cols)
		for (const m of cols[1].matchAll(/<col\b([^>]*)\/?>/gu)) {
			const h = attribute(m[1], 'hidden');
			if (h !== '1' && h !== 'true') continue;
			const min = Number(attribute(m[1], 'min'));
			const max = Math.min(Number(attribute(m[1], 'max')), min + 1000);
			for (let c = min; c <= max; c++) hidden.add(c - 1);
		}
	const epoch = date1904 ? EPOCH_1904 : EPOCH_1900;
	const rows: XlsxRow[] = [];
	const byNumber = new Map<number, XlsxRow>();
	const dataStart = xml.indexOf('<sheetData');
	const dataEnd = xml.indexOf('</sheetData>');
	const data = dataStart < 0 || dataEnd < 0 ? '' : xml.slice(dataStart, dataEnd);
	let rowNumber = 0;
	for (const rm of data.matchAll(/<row\b([^>]*?)(?:\/>|>([\s\S]*?)<\/row>)/gu)) {
		const r = attribute(rm[1], 'r');
		rowNumber = r ? Number(r) : rowNumber + 1;
		const cells: RawCell[] = [];
		let column = -1;
		if (rm[2])
			for (const cm of rm[2].matchAll(/<c\b([^>]*?)(?:\/>|>([\s\S]*?)<\/c>)/gu)) {
				const attrs = cm[1];
				const ref = attribute(attrs, 'r');
				column = ref ? columnIndex(ref) : column + 1;
				const body = cm[2];
				if (!body) continue;
				const type = attribute(attrs, 't') ?? 'n';
				let value: RawCell = null;
				if (type === 'inlineStr') {
					const is = /<is>([\s\S]*?)<\/is>/u.exec(body);
					value = is ? runsText(is[1]) : null;
				} else {
					const v = /<v>([^<]*)<\/v>/u.exec(body);
					if (v) {
						const text = v[1];
						if (type === 's') value = strings[Number(text)] ?? '';
						else if (type === 'str' || type === 'e') value = xmlText(text);
						else if (type === 'b') value = text === '1' || text === 'true';
						else if (type === 'd') value = new Date(xmlText(text));
						else {
							const n = Number(text);
							const style = Number(attribute(attrs, 's') ?? 0);
							value =
								dates[style] && Number.isFinite(n) ? new Date(Math.round(epoch + n * DAY_MS)) : n;
						}
					}
				}
				cells[column] = value;
			}
		for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
		if (!cells.some((c) => c !== null)) continue;
		const row = { n: rowNumber, cells };
		rows.push(row);
		byNumber.set(rowNumber, row);
	}
	// A merged range shows its first cell's value in every cell, as exceljs reads it.
	const merges = /<mergeCells\b[^>]*>([\s\S]*?)<\/mergeCells>/u.exec(xml);
	if (merges) {
		for (const m of merges[1].matchAll(/<mergeCell\b([^>]*)\/?>/gu)) {
			const ref = attribute(m[1], 'ref');
			const range = ref && /^([A-Z]+)(\d+):([A-Z]+)(\d+)$/u.exec(ref);
			if (!range) continue;
			const [c1, r1, c2, r2] = [columnIndex(range[1]), +range[2], columnIndex(range[3]), +range[4]];
			const master = byNumber.get(r1)?.cells[c1] ?? null;
			if (master === null || (r2 - r1 + 1) * (c2 - c1 + 1) > 100_000) continue;
			for (let r = r1; r <= r2; r++) {
				let row = byNumber.get(r);
				if (!row) {
					row = { n: r, cells: [] };
					byNumber.set(r, row);
					rows.push(row);
				}
				for (let c = c1; c <= c2; c++) row.cells[c] = master;
				for (let i = 0; i < row.cells.length; i++)
					if (row.cells[i] === undefined) row.cells[i] = null;
			}
		}
		rows.sort((a, b) => a.n - b.n);
	}
	return { rows, hidden };
}

/** Target of a relationship, as a path inside the package. */
function resolve(base: string, target: string): string {
	if (target.startsWith('/')) return target.slice(1);
	const parts = base.split('/').slice(0, -1);
	for (const part of target.split('/')) {
		if (part === '..') parts.pop();
		else if (part !== '.') parts.push(part);
	}
	return parts.join('/');
}

/** The sheets of an .xlsx workbook, or null when it uses something this reader does not read. */
export function readXlsx(bytes: Uint8Array): XlsxSheet[] | null {
	try {
		const files = unzip(bytes);
		const text = (name: string) => files.get(name)?.();
		const workbook = text('xl/workbook.xml');
		const rels = text('xl/_rels/workbook.xml.rels');
		if (!workbook || !rels) return null;
		const targets = new Map<string, { type: string; target: string }>();
		for (const m of rels.matchAll(/<Relationship\b([^>]*)\/?>/gu))
			targets.set(attribute(m[1], 'Id') ?? '', {
				type: attribute(m[1], 'Type') ?? '',
				target: resolve('xl/workbook.xml', attribute(m[1], 'Target') ?? '')
			});
		const sharedPath = [...targets.values()].find((t) => t.type.endsWith('/sharedStrings'))?.target;
		const stylesPath = [...targets.values()].find((t) => t.type.endsWith('/styles'))?.target;
		const strings: string[] = [];
		const shared = sharedPath ? text(sharedPath) : undefined;
		if (shared)
			for (const m of shared.matchAll(/<si>([\s\S]*?)<\/si>|<si\/>/gu))
				strings.push(m[1] ? runsText(m[1]) : '');
		const dates = dateStyles(stylesPath ? text(stylesPath) : undefined);
		const pr = /<workbookPr\b([^>]*)/u.exec(workbook);
		const date1904 = pr ? ['1', 'true'].includes(attribute(pr[1], 'date1904') ?? '') : false;
		const sheets: XlsxSheet[] = [];
		for (const m of workbook.matchAll(/<sheet\b([^>]*?)\/?>/gu)) {
			const id = /\s[A-Za-z0-9]+:id="([^"]*)"/u.exec(m[1])?.[1];
			const target = id ? targets.get(id) : undefined;
			const xml = target ? text(target.target) : undefined;
			if (xml === undefined) return null;
			const state = attribute(m[1], 'state') ?? 'visible';
			sheets.push({
				name: attribute(m[1], 'name') ?? '',
				visible: state === 'visible',
				...readSheet(xml, strings, dates, date1904)
			});
		}
		return sheets.length > 0 ? sheets : null;
	} catch (error) {
		if (error instanceof RosterFileError) throw error;
		// Unsupported, or damaged: exceljs reads it or says why not.
		return null;
	}
}
