import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { messyRoster } from '../../tests/fixtures/roster-files';
import { readRoster, workbookRows } from './read';
import { RosterFileError } from './types';
import { readXlsx } from './xlsx';

const today = new Date('2026-12-06T00:00:00Z');

async function same(bytes: Uint8Array) {
	const fast = await workbookRows(bytes, 'fast');
	const exceljs = await workbookRows(bytes, 'exceljs');
	expect(readXlsx(bytes)).not.toBeNull();
	expect(fast).toEqual(exceljs);
	return fast;
}

describe('the fast .xlsx reader sees what exceljs sees', () => {
	it('in a generated messy roster', async () => {
		const file = await messyRoster({
			people: 300,
			seed: 3,
			format: 'xlsx',
			grids: ['一网格'],
			today
		});
		const sheets = await same(file.bytes);
		expect(sheets.map((s) => s.name)).toEqual(['填表说明', '台账']);
		expect(sheets[1].rows.length).toBeGreaterThan(300);
	});

	it('in cells of every kind: formulas, rich text, dates in Chinese formats, booleans, errors, merges, escapes', async () => {
		const workbook = new ExcelJS.Workbook();
		const sheet = workbook.addWorksheet('台账');
		sheet.addRow(['姓名', '出生日期', '公式', '布尔', '错误', '富文本', '转义']);
		sheet.addRow([
			'张三',
			new Date(Date.UTC(1950, 2, 12)),
			{ formula: 'B2+1', result: 18335 },
			true,
			{ error: '#N/A' },
			{ richText: [{ text: '低' }, { text: '保', font: { bold: true } }] },
			'a<b & "c" \'d\''
		]);
		sheet.getCell('B2').numFmt = 'yyyy"年"m"月"d"日"';
		sheet.addRow(['李四', 18334, { formula: 'A3', result: '李四' }, false, null, null, '＊']);
		sheet.getCell('B3').numFmt = 'yyyy/m/d';
		sheet.addRow(['王五', 1950.3, { sharedFormula: 'C3', result: '王五' }]);
		sheet.mergeCells('D4:F5');
		sheet.getCell('D4').value = '合并';
		sheet.getColumn(5).hidden = true;
		sheet.getColumn(6).hidden = true;
		workbook.addWorksheet('隐藏', { state: 'hidden' }).addRow(['x']);
		workbook.addWorksheet('很隐藏', { state: 'veryHidden' }).addRow(['y']);
		const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
		const sheets = await same(bytes);
		expect(sheets.map((s) => [s.name, s.visible])).toEqual([
			['台账', true],
			['隐藏', false],
			['很隐藏', false]
		]);
		expect(sheets[0].rows[2].cells[1]).toEqual(new Date(Date.UTC(1950, 2, 12)));
		expect(sheets[0].rows[4].cells).toEqual([null, null, null, '合并', '合并', '合并']);
	});

	it('refuses a workbook that would expand beyond what a roster needs', async () => {
		const workbook = new ExcelJS.Workbook();
		workbook.addWorksheet('台账').addRow(['姓名']);
		const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
		const view = new DataView(bytes.buffer);
		// Declare 4 GiB for every part in the central directory.
		for (let at = 0; at < bytes.length - 4; at++)
			if (view.getUint32(at, true) === 0x02014b50) view.setUint32(at + 24, 0xfffffff0, true);
		expect(() => readXlsx(bytes)).toThrow(RosterFileError);
		await expect(readRoster(bytes)).rejects.toMatchObject({ code: 'format' });
	});

	it('answers null for what it does not read, so exceljs reads it', () => {
		expect(readXlsx(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0]))).toBeNull();
	});
});
