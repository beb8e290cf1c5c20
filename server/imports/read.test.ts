import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { encodeGb18030 } from '../../tests/fixtures/roster-files';
import { readRoster } from './read';
import { HEADER_OF, LABEL_OF_TAG, ROSTER_COLUMNS, type ColumnKey } from './columns';
import { RosterFileError, type RosterRecord } from './types';

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

describe('readRoster: cells of one row', () => {
	async function one(header: string[], ...rows: unknown[][]) {
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(header);
			for (const row of rows) sheet.addRow(row);
		});
		return readRoster(bytes, { today });
	}

	it('takes formula results and rich text', async () => {
		const read = await one(
			['姓名', '身份证号', '出生日期'],
			[
				{ richText: [{ text: '张' }, { text: '三' }] },
				{ formula: 'A1', result: ID_M },
				{ formula: '1950', result: 1950 }
			]
		);
		expect(read.records[0]).toMatchObject({ name: '张三', idNumber: ID_M, birthYear: 1950 });
	});

	it('derives sex and birth year from the ID number, and names a contradiction', async () => {
		const read = await one(
			['姓名', '性别', '出生年月', '身份证号'],
			['甲', null, null, ID_M],
			['乙', '女', '1950.3', ID_M],
			['丙', '男', '1951年3月', ID_M]
		);
		expect(read.records.map((r) => [r.row, r.sex, r.birthYear])).toEqual([[2, 'M', 1950]]);
		expect(read.problems).toEqual([
			{
				row: 3,
				column: '性别',
				field: 'sex',
				code: 'id_mismatch',
				message: '性别与身份证号不一致（身份证号为男性）'
			},
			{
				row: 4,
				column: '出生年月',
				field: 'birthDate',
				code: 'id_mismatch',
				message: '出生年份与身份证号不一致（身份证号为 1950 年）'
			}
		]);
	});

	it('splits 联系电话 into mobile and landline; a number cell lost the landline zero; extra numbers go to the note', async () => {
		const read = await one(
			['姓名', '联系电话', '固定电话', '备注'],
			['甲', '138 1234 5678、(0771)1234567', null, null],
			['乙', 13812345678, 7711234567, null],
			['丙', '13812345678/13987654321', '010-12345678', '独居']
		);
		expect(read.problems).toEqual([]);
		expect(read.records.map((r) => [r.phone, r.landline, r.note])).toEqual([
			['13812345678', '0771-1234567', undefined],
			['13812345678', '0771-1234567', undefined],
			['13812345678', '010-12345678', '独居\n其他电话:13987654321']
		]);
	});

	it('keeps masked values of an export apart, and requires a name only when the row has data', async () => {
		const read = await one(
			['姓名', '身份证号', '联系电话', '地址'],
			['张*', '450102********1234', '138****5678', '阳光小区'],
			[null, ID_M, null, '阳光小区']
		);
		expect(read.records).toEqual([
			{
				row: 2,
				address: '阳光小区',
				masked: { name: '张*', idNumber: '450102********1234', phone: '138****5678' }
			}
		]);
		expect(read.problems).toEqual([
			{ row: 3, column: '姓名', field: 'name', code: 'required', message: '姓名不能为空' }
		]);
	});

	it('checks text lengths and characters as the shared schemas do', async () => {
		const read = await one(
			['姓名', '与户主关系', '地址', '备注'],
			['甲'.repeat(65), '户主', '阳光小区', null],
			['乙', '关'.repeat(17), '阳光小区', null],
			['丙', '户主', '地'.repeat(201), null],
			['丁', '户主', '阳光小区', '注'.repeat(501)]
		);
		expect(read.records).toEqual([]);
		expect(read.problems.map((p) => [p.row, p.column, p.code])).toEqual([
			[2, '姓名', 'text'],
			[3, '与户主关系', 'text'],
			[4, '地址', 'text'],
			[5, '备注', 'text']
		]);
		expect(read.problems[0].message).toBe('不能超过 64 个字符（现有 65 个）');
		const csv = new TextEncoder().encode('姓名,地址\n戊,阳光\u0001小区\n');
		expect((await readRoster(csv, { today })).problems).toEqual([
			{ row: 2, column: '地址', field: 'address', code: 'text', message: '含有不能保存的控制字符' }
		]);
	});

	it('joins the address parts and reads a merged address for every row it spans', async () => {
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(['户号', '小区', '楼栋', '单元', '房号', '姓名']);
			sheet.addRow(['1', '阳光小区 ', '３', '2', '501', '甲']);
			sheet.addRow([null, null, null, null, null, '乙']);
			sheet.mergeCells('A2:A3');
			sheet.mergeCells('B2:B3');
			sheet.mergeCells('C2:C3');
			sheet.mergeCells('D2:D3');
			sheet.mergeCells('E2:E3');
		});
		const read = await readRoster(bytes, { today });
		expect(read.records.map((r) => [r.householdNo, r.address])).toEqual([
			['1', '阳光小区3栋2单元501室'],
			['1', '阳光小区3栋2单元501室']
		]);
	});

	it('reports every problem of a row, the column as the file names it', async () => {
		const read = await one(
			['姓名*', '公民身份号码（必填）', '性别', '人员类别', '联系电话'],
			['甲', '45010219500312123', '未知人', '低保、外来人口', '12345']
		);
		expect(read.records).toEqual([]);
		expect(read.problems.map((p) => [p.column, p.code, p.message])).toEqual([
			['公民身份号码（必填）', 'id_format', '应为18位数字（最后一位可为X）'],
			['性别', 'sex_format', '应为男或女'],
			[
				'联系电话',
				'phone_format',
				'无法识别的电话号码：12345（手机号码应为11位；固定电话应带区号，如 0771-1234567）'
			],
			['人员类别', 'unknown_tag', '未知的人员类别：外来人口']
		]);
		expect(read.cells.get(2)).toEqual([
			'甲',
			'45010219500312123',
			'未知人',
			'低保、外来人口',
			'12345'
		]);
	});
});

describe('readRoster: sheets, header and columns', () => {
	it('takes the second phone column as the landline, the one named 手机 as the mobile', async () => {
		for (const [headers, fields] of [
			[
				['姓名', '电话', '手机号码'],
				['name', 'landline', 'phone']
			],
			[
				['姓名', '手机', '联系电话'],
				['name', 'phone', 'landline']
			],
			[
				['姓名', '联系电话', '电话', '座机'],
				['name', 'phone', null, 'landline']
			]
		] as const) {
			const bytes = await xlsx((wb) => wb.addWorksheet('台账').addRow([...headers]));
			const read = await readRoster(bytes, { today });
			expect(
				read.columns.map((c) => c.field),
				headers.join()
			).toEqual(fields);
		}
	});

	it('reads hidden columns and says they are hidden', async () => {
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(['姓名', '身份证号', '固定电话']);
			sheet.addRow(['甲', ID_M, '0771-1234567']);
			sheet.getColumn(3).hidden = true;
		});
		const read = await readRoster(bytes, { today });
		expect(read.columns.map((c) => c.hidden)).toEqual([false, false, true]);
		expect(read.records[0].landline).toBe('0771-1234567');
	});

	it('chooses the first sheet with a header, or the one named', async () => {
		const bytes = await xlsx((wb) => {
			const help = wb.addWorksheet('说明');
			help.addRow(['列名', '说明']);
			help.addRow(['姓名', '必填']);
			const a = wb.addWorksheet('一网格');
			a.addRow(['姓名', '身份证号']);
			a.addRow(['甲', ID_M]);
			const b = wb.addWorksheet('二网格');
			b.addRow(['标题']);
			b.addRow(['姓名', '身份证号']);
			b.addRow(['乙', ID_F]);
			wb.addWorksheet('旧表', { state: 'hidden' }).addRow(['姓名', '身份证号']);
		});
		const first = await readRoster(bytes, { today });
		expect(first.sheets).toEqual(['说明', '一网格', '二网格']);
		expect([first.sheet, first.records[0].name]).toEqual(['一网格', '甲']);
		const second = await readRoster(bytes, { today, sheet: '二网格' });
		expect([second.sheet, second.headerRow, second.records[0].row, second.records[0].name]).toEqual(
			['二网格', 2, 3, '乙']
		);
		await expect(readRoster(bytes, { today, sheet: '三网格' })).rejects.toMatchObject({
			code: 'no_sheet'
		});
	});

	it('applies the mapping over the headers; without a 姓名 column says which columns there are', async () => {
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(['名字', '证件', '电话']);
			sheet.addRow(['甲', ID_M, '13812345678']);
		});
		const error = await readRoster(bytes, { today }).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(RosterFileError);
		expect((error as RosterFileError).code).toBe('no_name_column');
		expect((error as RosterFileError).context?.header).toEqual(['名字', '证件', '电话']);
		expect((error as RosterFileError).context?.columns.map((c) => c.field)).toEqual([
			null,
			null,
			'phone'
		]);
		const read = await readRoster(bytes, { today, mapping: { name: 0, idNumber: 1, phone: null } });
		expect(read.columns.map((c) => c.field)).toEqual(['name', 'idNumber', null]);
		expect(read.records).toEqual([
			{ row: 2, name: '甲', idNumber: ID_M, sex: 'M', birthYear: 1950 }
		]);
		await expect(readRoster(bytes, { today, mapping: { name: 5 } })).rejects.toMatchObject({
			code: 'no_header'
		});
	});

	it('skips totals, signature lines and a repeated header; they are not data rows', async () => {
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(['序号', '姓名', '身份证号']);
			sheet.addRow([1, '甲', ID_M]);
			sheet.addRow(['序号', '姓名', '身份证号']);
			sheet.addRow([2, '乙', ID_F]);
			sheet.addRow(['合 计', null, '2人']);
			sheet.addRow(['填表人：王秀英']);
		});
		const read = await readRoster(bytes, { today });
		expect(read.dataRows).toBe(2);
		expect(read.records.map((r) => r.row)).toEqual([2, 4]);
		expect(read.problems).toEqual([]);
	});

	it('passes over rows filled only in columns of no field (序号 numbered ahead)', async () => {
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(['序号', '姓名', '身份证号', '年龄']);
			sheet.addRow([1, '甲', ID_M, 76]);
			sheet.addRow([2, null, null, 126]);
			sheet.addRow([3, null, null, 126]);
		});
		const read = await readRoster(bytes, { today });
		expect([read.dataRows, read.records.length, read.problems]).toEqual([1, 1, []]);
		expect([...read.cells.keys()]).toEqual([2]);
	});

	it('finds no header in a sheet without known headers', async () => {
		const bytes = await xlsx((wb) => wb.addWorksheet('a').addRow(['x', 'y']));
		await expect(readRoster(bytes, { today })).rejects.toMatchObject({ code: 'no_header' });
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
	it('reads GB18030, as Chinese Excel saves CSV, and counts lines as row numbers', async () => {
		const bytes = encodeGb18030(
			`台账\r\n\r\n${text.replace(/\n/gu, '\r\n')}"李梅",${ID_F},"0771-1234567\n13812345678"\r\n`
		);
		const read = await readRoster(bytes, { fileName: '台账.csv', today });
		expect(read.sheets).toEqual(['台账']);
		expect(read.headerRow).toBe(3);
		expect(read.records.map((r) => [r.row, r.name, r.phone, r.landline])).toEqual([
			[4, '王五', '13812345678', undefined],
			[5, '李梅', '13812345678', '0771-1234567']
		]);
	});

	it('decides by content, not by name', async () => {
		const bytes = await xlsx((wb) => {
			wb.addWorksheet('a').addRow(['姓名', '身份证号']);
		});
		expect((await readRoster(bytes, { fileName: 'a.csv' })).sheet).toBe('a');
		const csv = new TextEncoder().encode(text);
		expect((await readRoster(csv, { fileName: 'a.txt', today })).records).toHaveLength(1);
	});

	it('refuses a file that is not a roster, with one reason', async () => {
		const cases: [Uint8Array, string, string][] = [
			[new Uint8Array(), 'empty', 'a.csv'],
			[new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]), 'format', 'a.xls'],
			[new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'format', 'a.xlsx'],
			[new TextEncoder().encode(text), 'format', 'a.xlsx'],
			[new Uint8Array([0x25, 0x50, 0x44, 0x46, 0, 0xff]), 'format', 'a.pdf'],
			[new Uint8Array([0x81, 0x30, 0xff, 0xff, 0x0a]), 'format', 'a.csv']
		];
		for (const [bytes, code, fileName] of cases) {
			const error = await readRoster(bytes, { fileName }).catch((e: unknown) => e);
			expect(error, fileName).toBeInstanceOf(RosterFileError);
			expect((error as RosterFileError).code, fileName).toBe(code);
			expect((error as RosterFileError).message).not.toContain('\n');
		}
	});
});

describe('readRoster on damaged input', () => {
	it('reads or refuses with a RosterFileError, never anything else', async () => {
		const whole = await xlsx((wb) => {
			const sheet = roster(wb);
			sheet.getRow(4).values = [
				1,
				'H1',
				'张三',
				ID_M,
				'男',
				1950.3,
				'13812345678',
				'低保',
				'阳光小区'
			];
		});
		const csv = new TextEncoder().encode(`姓名,身份证号,出生日期\n"张三",${ID_M},1950.3\n"李""四`);
		await fc.assert(
			fc.asyncProperty(
				fc.oneof(
					fc.uint8Array({ maxLength: 400 }),
					fc.nat({ max: whole.length }).map((n) => whole.slice(0, n)),
					fc.nat({ max: csv.length }).map((n) => csv.slice(0, n)),
					fc
						.tuple(fc.nat({ max: whole.length - 1 }), fc.integer({ min: 0, max: 255 }))
						.map(([at, byte]) => {
							const copy = whole.slice();
							copy[at] = byte;
							return copy;
						})
				),
				async (bytes) => {
					try {
						await readRoster(bytes, { today });
					} catch (error) {
						expect(error).toBeInstanceOf(RosterFileError);
						expect((error as Error).message).not.toContain('\n');
					}
				}
			),
			{ numRuns: 150, seed: 16 }
		);
	});
});

describe('readRoster on a file in the layout GridCare writes', () => {
	it('reads back every field as written', async () => {
		const columns = ROSTER_COLUMNS.map((c) => c.key);
		const record: RosterRecord = {
			row: 2,
			householdNo: '0b4f3c2e-1d5a-4e8b-9c7d-2a1b3c4d5e6f',
			grid: '第一网格',
			address: '阳光小区3栋2单元501室',
			headName: '张建国',
			name: '李秀英',
			relation: '配偶',
			idNumber: ID_F,
			sex: 'F',
			birthYear: 1980,
			phone: '13812345678',
			landline: '0771-1234567-123',
			tags: ['elderly_alone', 'advanced_age', 'low_income', 'disabled', 'key_care'],
			note: '第一行\n第二行',
			residentId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f'
		};
		const cell: Partial<Record<ColumnKey, string | number>> = {
			...record,
			sex: '女',
			birthDate: 1980,
			tags: record.tags?.map((t) => LABEL_OF_TAG[t]).join('、')
		};
		const bytes = await xlsx((wb) => {
			const sheet = wb.addWorksheet('台账');
			sheet.addRow(columns.map((key) => HEADER_OF[key]));
			sheet.addRow(columns.map((key) => cell[key] ?? null));
		});
		const read = await readRoster(bytes, { today });
		expect(read.columns.map((c) => c.field)).toEqual(columns);
		expect(read.problems).toEqual([]);
		expect(read.records).toEqual([record]);
	});
});
