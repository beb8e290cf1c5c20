import { describe, expect, it } from 'vitest';
import { messyRoster } from '../../tests/fixtures/roster-files';
import { readRoster } from './read';

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
});
