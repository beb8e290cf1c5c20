// The grid's CSV export opens in a spreadsheet as the text that was stored: a cell holding a
// comma, quote, CR or LF is quoted, and a cell that starts like a formula (= + - @, tab, CR) is
// prefixed with '. Both databases.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, testApp } from './api-client';
import { seedFixture, type Fixture } from './fixtures';
import { rawSql } from './raw-sql';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';

/**
 * Households as pushed, and what the database then holds: a tab or CR cannot come in through any
 * write path (one-line text refuses control characters), so those are written into the database
 * directly, as rows stored before that rule would hold them.
 */
const HOUSEHOLDS = [
	{ address: '=HYPERLINK("http://example.test","民生路")', stored: null, resident: '=王五' },
	{ address: '=1+2', stored: ['=1+2', 'CR', '民生路9号'], resident: '@赵六' },
	{ address: '民生路10号', stored: ['TAB', '民生路10号'], resident: '-李四' },
	{ address: '+民生路11号', stored: null, resident: '+陈七' }
];
const text = (parts: string[]) =>
	parts.map((p) => (p === 'CR' ? '\r' : p === 'TAB' ? '\t' : p)).join('');
const HEADER = ['household', 'name', 'idNumber', 'phone', 'birthYear', 'sex'];

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`residents export (${dialect})`, () => {
		let db: TestStore;
		let fx: Fixture;
		let csv: string;

		/** `parts` as an SQL expression: CR and TAB by character code. */
		const sqlText = (parts: string[]) =>
			parts
				.map((p) =>
					p === 'CR' || p === 'TAB'
						? `${dialect === 'sqlite' ? 'char' : 'chr'}(${p === 'CR' ? 13 : 9})`
						: `'${p}'`
				)
				.join(' || ');

		beforeAll(async () => {
			db = await openTestStore(dialect);
			fx = await seedFixture(db.store);
			const app = testApp(db.store);
			const worker = await new ApiClient(app).login('worker_a1');
			for (const { address, stored, resident } of HOUSEHOLDS) {
				const household = crypto.randomUUID();
				const results = await worker.push([
					{
						id: crypto.randomUUID(),
						table: 'households',
						op: 'insert',
						rowId: household,
						fields: { gridId: fx.grids.a1, address }
					},
					{
						id: crypto.randomUUID(),
						table: 'residents',
						op: 'insert',
						rowId: crypto.randomUUID(),
						fields: { householdId: household, name: resident, birthYear: 1950, sex: 'M' }
					}
				]);
				expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
				if (stored)
					await rawSql(
						db.url,
						`UPDATE households SET address = ${sqlText(stored)} WHERE id = '${household}'`
					);
			}
			const head = await new ApiClient(app).login('head_a');
			const res = await head.request(`/residents/export?gridId=${fx.grids.a1}`);
			expect(res.status).toBe(200);
			expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
			csv = await res.text();
		});
		afterAll(async () => db.dispose());

		it('keeps each resident one record, the cell with a CR quoted', () => {
			expect(csv.startsWith(`${HEADER.join(',')}\r\n`)).toBe(true);
			expect(csv.endsWith('\r\n')).toBe(true);
			// A CR outside quotes would end the record early: here it is inside a quoted cell.
			expect(csv).toContain(`"'=1+2\r民生路9号",`);
			// Quotes are doubled inside a quoted cell.
			expect(csv).toContain(`"'=HYPERLINK(""http://example.test"",""民生路"")",`);
			const records = parse(csv, { record_delimiter: '\r\n' }) as string[][];
			expect(records[0]).toEqual(HEADER);
			expect(records).toHaveLength(HOUSEHOLDS.length + 1);
			for (const record of records) expect(record).toHaveLength(HEADER.length);
		});

		it("prefixes every cell a spreadsheet would run as a formula with '", () => {
			const records = parse(csv, { record_delimiter: '\r\n' }) as string[][];
			const byName = new Map(records.slice(1).map((r) => [r[1], r]));
			for (const { address, stored, resident } of HOUSEHOLDS) {
				// Names are masked as on screen (first and last character kept).
				const name = `'${resident[0]}*${resident[2]}`;
				const record = byName.get(name);
				expect(record, name).toBeDefined();
				expect(record![0]).toBe(`'${stored ? text(stored) : address}`);
				expect(record![4]).toBe('1950');
			}
		});
	});
}
