import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { readRoster } from './read';
import { RosterFileError } from './types';

const today = new Date('2026-12-06T00:00:00Z');
const id = (first17: string) => first17 + idCheckChar(first17);
const ID_M = id('45010219500312123'); // male, 1950
const ID_F = id('45010219800101124'); // female, 1980

async function xlsx(build: (workbook: ExcelJS.Workbook) => void): Promise<Uint8Array> {
	const workbook = new ExcelJS.Workbook();
	build(workbook);
	return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** A sheet with a merged title and date above the header, as street offices keep them. */
function roster(workbook: ExcelJS.Workbook, name = '台账') {
	const sheet = workbook.addWorksheet(name);
	sheet.mergeCells('A1:H1');
	sheet.getCell('A1').value = '阳光社区户籍台账';
	sheet.mergeCells('A2:H2');
	sheet.getCell('A2').value = '制表日期：2026年12月1日';
	sheet.getRow(3).values = [
		'序号',
		'户号',
		'姓名*',
		'公民身份号码',
		'性别',
		'出生年月',
		'联系电话',
		'人员类别',
		'地址'
	];
	return sheet;
}

describe('readRoster on .xlsx', () => {
	it('finds the header below a title, keeps Excel row numbers and skips blank and totals rows', async () => {
		const bytes = await xlsx((wb) => {
			const sheet = roster(wb);
			sheet.getRow(4).values = [
				1,
				'H1',
				'张三',
				ID_M,
				'男',
				1950.3,
				'138 1234 5678',
				'独居老人、低保',
				'阳光小区3栋'
			];
			sheet.getRow(6).values = [
				2,
				'H1',
				'李 梅',
				ID_F.toLowerCase(),
				null,
				null,
				'0771-1234567',
				null,
				'阳光小区3栋'
			];
			sheet.getRow(7).values = ['合计', null, null, null, null, null, null, null, null];
		});
		const roster_ = await readRoster(bytes, { fileName: '台账.xlsx', today });
		expect(roster_.sheets).toEqual(['台账']);
		expect(roster_.headerRow).toBe(3);
		expect(roster_.columns.map((c) => c.field)).toEqual([
			null,
			'householdNo',
			'name',
			'idNumber',
			'sex',
			'birthDate',
			'phone',
			'tags',
			'address'
		]);
		expect(roster_.dataRows).toBe(2);
		expect(roster_.problems).toEqual([]);
		expect(roster_.records).toEqual([
			{
				row: 4,
				householdNo: 'H1',
				address: '阳光小区3栋',
				name: '张三',
				idNumber: ID_M,
				sex: 'M',
				birthYear: 1950,
				phone: '13812345678',
				tags: ['elderly_alone', 'low_income']
			},
			{
				row: 6,
				householdNo: 'H1',
				address: '阳光小区3栋',
				name: '李梅',
				idNumber: ID_F,
				sex: 'F',
				birthYear: 1980,
				landline: '0771-1234567'
			}
		]);
		expect([...roster_.cells.keys()]).toEqual([4, 6]);
		expect(roster_.cells.get(4)?.[5]).toBe('1950.3');
	});
});

describe('readRoster on .csv', () => {
	const text = `姓名,身份证号,联系电话\n王五,${ID_M},13812345678\n`;
	it('reads UTF-8 with a BOM', async () => {
		const bytes = new TextEncoder().encode(`\uFEFF${text}`);
		const read = await readRoster(bytes, { fileName: 'a.csv', today });
		expect(read.records).toEqual([
			{ row: 2, name: '王五', idNumber: ID_M, sex: 'M', birthYear: 1950, phone: '13812345678' }
		]);
	});
	it('refuses a file that is not a roster', async () => {
		await expect(readRoster(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]))).rejects.toThrow(
			RosterFileError
		);
	});
});
