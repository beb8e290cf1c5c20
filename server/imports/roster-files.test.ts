import { describe, expect, it } from 'vitest';
import { BAD_KINDS, messyRoster } from '../../tests/fixtures/roster-files';
import { readRoster } from './read';
import { addressKey } from './types';

const today = new Date('2026-12-06T00:00:00Z');
const grids = ['第一网格', '第二网格', '第三网格'];

describe('generated messy rosters read back as the generator says', () => {
	for (const [format, encoding] of [
		['xlsx', undefined],
		['csv', 'utf8-bom'],
		['csv', 'gb18030'],
		['csv', 'utf8']
	] as const) {
		it(`${format} ${encoding ?? ''}`, async () => {
			const file = await messyRoster({
				people: 400,
				seed: 7,
				format,
				encoding,
				grids,
				today,
				duplicates: 3
			});
			const read = await readRoster(file.bytes, { fileName: file.fileName, today });
			expect(read.sheets).toEqual(file.sheets);
			expect(read.sheet).toBe(file.sheet);
			expect(read.headerRow).toBe(file.headerRow);
			expect(read.header).toEqual(file.header);
			expect(read.columns.filter((c) => c.hidden).map((c) => c.index)).toEqual(
				file.hiddenColumn === null ? [] : [file.hiddenColumn]
			);
			expect(read.dataRows).toBe(file.expected.dataRows);
			expect(read.problems.map((p) => ({ row: p.row, column: p.column, code: p.code }))).toEqual(
				file.expected.problems.map((p) => ({ row: p.row, column: p.column, code: p.code }))
			);
			expect(read.records).toEqual(file.expected.records);
		});
	}

	it('households are grid + address without 户号, and each messy form is in the file', async () => {
		const file = await messyRoster({
			people: 1500,
			seed: 11,
			format: 'csv',
			grids,
			today,
			householdNumbers: false,
			duplicates: 5
		});
		const read = await readRoster(file.bytes, { fileName: file.fileName, today });
		expect(read.records).toEqual(file.expected.records);
		expect(read.columns.some((c) => c.field === 'householdNo')).toBe(false);
		const unique = read.records.slice(0, read.records.length - 5);
		const keys = new Set(unique.map((r) => `${r.grid}|${addressKey(r.address ?? '')}`));
		expect(keys.size).toBe(file.expected.summary.households);
		expect(file.expected.summary).toEqual({
			households: file.expected.households.size,
			residents: unique.length,
			updated: 0,
			rejected: file.expected.problems.length + 5
		});
		expect(new Set(file.expected.problems.map((p) => p.kind))).toEqual(new Set(BAD_KINDS));
		// The repeats are people written earlier, by ID number.
		const ids = unique.map((r) => r.idNumber);
		for (const repeat of read.records.slice(-5)) expect(ids).toContain(repeat.idNumber);
		expect(file.expected.duplicates.map((p) => p.row)).toEqual(
			read.records.slice(-5).map((r) => r.row)
		);

		const cells = [...read.cells.values()];
		const column = (header: string) => cells.map((row) => row[file.header.indexOf(header)]);
		const ids15 = column('公民身份号码（必填）').filter((v) => /^\d{15}$/u.test(v));
		expect(ids15.length).toBeGreaterThan(10);
		expect(column('公民身份号码（必填）').some((v) => /[０-９]/u.test(v))).toBe(true);
		expect(column('公民身份号码（必填）').some((v) => /x$/u.test(v))).toBe(true);
		const phones = column('联系电话');
		for (const form of [
			/^\d{3} \d{4} \d{4}$/u,
			/^\d{3}-\d{4}-\d{4}$/u,
			/^\+86 /u,
			/[０-９]/u,
			/\//u
		])
			expect(
				phones.some((v) => form.test(v)),
				String(form)
			).toBe(true);
		expect(column('固定电话').filter((v) => v !== '').length).toBeGreaterThan(10);
		const births = column('出生年月');
		for (const form of [/^\d{4}\.\d{1,2}$/u, /^\d{4}年\d{1,2}月$/u, /^\d{8}$/u, /^$/u])
			expect(
				births.some((v) => form.test(v)),
				String(form)
			).toBe(true);
		expect(column('姓名*').some((v) => /^\p{Script=Han} {2}\p{Script=Han}$/u.test(v))).toBe(true);
		// Heads of household are not always the first row of their household.
		const relations = read.records.map((r) => [r.grid, r.address, r.relation]);
		expect(relations.some((r, i) => i > 0 && r[2] === '户主' && relations[i - 1][1] === r[1])).toBe(
			true
		);
		const sizes = [...file.expected.households.values()].map((rows) => rows.length);
		expect(Math.min(...sizes)).toBe(1);
		expect(Math.max(...sizes)).toBe(5);
		const rowsOf = new Map(
			read.records.map((r) => [r.row, `${r.grid}|${addressKey(r.address ?? '')}`])
		);
		for (const [key, rows] of file.expected.households)
			for (const row of rows) expect(rowsOf.get(row)).toBe(key);
	});

	it('small files too', async () => {
		for (const people of [1, 2, 7, 30])
			for (const format of ['xlsx', 'csv'] as const) {
				const file = await messyRoster({ people, seed: people, format, grids, today });
				const read = await readRoster(file.bytes, { fileName: file.fileName, today });
				expect(read.records, `${people} ${format}`).toEqual(file.expected.records);
				expect(read.problems.length).toBe(file.expected.problems.length);
				expect(read.dataRows).toBe(people);
			}
	});

	it('is the same file for the same seed', async () => {
		const a = await messyRoster({ people: 50, seed: 5, format: 'csv', grids, today });
		const b = await messyRoster({ people: 50, seed: 5, format: 'csv', grids, today });
		expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
	});
});
