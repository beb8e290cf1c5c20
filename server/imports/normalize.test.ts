import { describe, expect, it } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import {
	checkText,
	joinAddress,
	normalizeHeader,
	normalizeIdNumber,
	normalizeName,
	parseBirthDate,
	parseSex,
	parseTags,
	splitPhones,
	unwrapCell
} from './normalize';
import { normalizeLandline, normalizeMobile } from '../../src/lib/shared/phone';

const today = new Date('2026-12-06T00:00:00Z');
/** A valid ID number from its first 17 digits. */
const id = (first17: string) => first17 + idCheckChar(first17);
const WITH_X = (() => {
	for (let seq = 100; seq < 1000; seq++) {
		const first17 = `45010219500312${seq}`;
		if (idCheckChar(first17) === 'X') return first17 + 'X';
	}
	throw new Error('no X check char');
})();

describe('ID numbers', () => {
	it('keeps a valid 18-digit number, full width and spaces removed, x made X', () => {
		const valid = id('45010219500312123');
		expect(normalizeIdNumber(valid, today)).toEqual({ value: valid });
		const fullWidth = [...valid].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join('');
		expect(normalizeIdNumber(` ${fullWidth.slice(0, 6)} ${fullWidth.slice(6)} `, today)).toEqual({
			value: valid
		});
		expect(normalizeIdNumber(WITH_X.toLowerCase(), today)).toEqual({ value: WITH_X });
		expect(normalizeIdNumber(WITH_X.slice(0, 17) + 'ｘ', today)).toEqual({ value: WITH_X });
	});

	it('makes a 15-digit first-generation number 18 digits with its check character', () => {
		const converted = normalizeIdNumber('450102500312123', today);
		expect(converted).toEqual({ value: id('45010219500312123') });
	});

	it('names what is wrong', () => {
		const valid = id('45010219500312123');
		const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
		expect(normalizeIdNumber(wrong, today).problem).toEqual({
			code: 'id_check_char',
			message: '校验位不正确'
		});
		expect(normalizeIdNumber(id('45010219500230123'), today).problem).toEqual({
			code: 'id_birth_date',
			message: '出生日期不存在'
		});
		expect(normalizeIdNumber('4501021950031212', today).problem).toEqual({
			code: 'id_format',
			message: '应为18位数字（最后一位可为X）'
		});
	});

	it('tells that an ID stored as a number lost its digits', () => {
		for (const raw of [450102195003121000, '4.50102E+17']) {
			const result = normalizeIdNumber(raw, today);
			expect(result.problem?.code).toBe('id_format');
			expect(result.problem?.message).toContain('文本格式');
		}
	});
});

describe('phones', () => {
	it('reads mobiles as people write them', () => {
		for (const written of [
			'13812345678',
			'138 1234 5678',
			'138-1234-5678',
			'+86 13812345678',
			'+86-138-1234-5678',
			'0086 13812345678',
			'１３８１２３４５６７８'
		])
			expect(normalizeMobile(written), written).toBe('13812345678');
		expect(normalizeMobile('1381234567')).toBeNull();
		expect(normalizeMobile('0771-1234567')).toBeNull();
	});

	it('reads landlines with their area codes', () => {
		for (const written of [
			'0771-1234567',
			'(0771)1234567',
			'（0771）1234567',
			'07711234567',
			'0771 1234567',
			'+86 771 1234567'
		])
			expect(normalizeLandline(written), written).toBe('0771-1234567');
		expect(normalizeLandline('010-12345678')).toBe('010-12345678');
		expect(normalizeLandline('01012345678')).toBe('010-12345678');
		expect(normalizeLandline('020 8765 4321')).toBe('020-87654321');
		expect(normalizeLandline('0771-1234567转123')).toBe('0771-1234567-123');
		expect(normalizeLandline('0771-1234567-123')).toBe('0771-1234567-123');
		expect(normalizeLandline('010-1234-5678')).toBe('010-12345678');
		expect(normalizeLandline('1234567')).toBeNull();
		expect(normalizeLandline('13812345678')).toBeNull();
	});

	it('splits a cell holding a mobile and a landline', () => {
		expect(splitPhones('138 1234 5678/0771-1234567')).toEqual({
			mobiles: ['13812345678'],
			landlines: ['0771-1234567'],
			bad: []
		});
		expect(splitPhones('手机：13812345678、座机：(0771)1234567')).toEqual({
			mobiles: ['13812345678'],
			landlines: ['0771-1234567'],
			bad: []
		});
		expect(splitPhones('13812345678 0771-1234567').landlines).toEqual(['0771-1234567']);
		expect(splitPhones('13812345678，12345').bad).toEqual(['12345']);
	});
});

describe('birth dates', () => {
	const year = (raw: Parameters<typeof parseBirthDate>[0]) =>
		parseBirthDate(raw, today).value?.year;
	it('reads every written form', () => {
		expect(year(new Date(Date.UTC(1950, 2, 12)))).toBe(1950);
		// 1950-03-12 as an Excel date serial.
		expect(year(18334)).toBe(1950);
		expect(parseBirthDate(18334, today).value).toEqual({ year: 1950, month: 3, day: 12 });
		expect(year(1950.3)).toBe(1950);
		expect(year(19500312)).toBe(1950);
		for (const written of [
			'1950.3',
			'1950.03',
			'1950年3月',
			'1950年3月12日',
			'1950-03-12',
			'1950/3/12',
			'19500312',
			'195003',
			'1950',
			'1950年',
			'１９５０．３',
			'1950-03-12 00:00:00'
		])
			expect(year(written), written).toBe(1950);
	});
	it('refuses what is not a date', () => {
		for (const written of ['1950.13', '1950-02-30', 'abc', '1850', '2030-01-01'])
			expect(parseBirthDate(written, today).problem?.code, written).toBe('date_format');
	});
});

describe('other cells', () => {
	it('sex', () => {
		for (const s of ['男', '男性', 'M', 'm', ' 男 ']) expect(parseSex(s).value).toBe('M');
		for (const s of ['女', '女性', 'F', 'Ｆ']) expect(parseSex(s).value).toBe('F');
		expect(parseSex('').value).toBeNull();
		expect(parseSex('不详').problem?.code).toBe('sex_format');
	});
	it('tags', () => {
		expect(parseTags('独居老人、低保；残疾人/重点关爱 高龄').value).toEqual([
			'elderly_alone',
			'low_income',
			'disabled',
			'key_care',
			'advanced_age'
		]);
		expect(parseTags('无').value).toEqual([]);
		expect(parseTags('低保,外来人口').problem).toEqual({
			code: 'unknown_tag',
			message: '未知的人员类别：外来人口'
		});
	});
	it('text limits and control characters', () => {
		expect(checkText('a'.repeat(16), 16).value).toBe('a'.repeat(16));
		expect(checkText('a'.repeat(17), 16).problem?.code).toBe('text');
		expect(checkText('a\u0007b', 16).problem?.code).toBe('text');
		expect(checkText('第一行\n第二行', 500, true).value).toBe('第一行\n第二行');
		expect(checkText('阳光小区\n3栋', 200).value).toBe('阳光小区 3栋');
		expect(normalizeName(' 王  芳 ')).toBe('王芳');
		expect(normalizeName('John  Smith')).toBe('John Smith');
	});
	it('headers', () => {
		expect(normalizeHeader(' 姓 名 *')).toBe('姓名');
		expect(normalizeHeader('*身份证号（必填）')).toBe('身份证号');
		expect(normalizeHeader('联系电话：')).toBe('联系电话');
	});
	it('addresses from parts', () => {
		expect(joinAddress({ estate: '阳光小区', building: '3', unit: '2', room: '501' })).toBe(
			'阳光小区3栋2单元501室'
		);
		expect(
			joinAddress({ estate: '阳光小区 ', building: '3号楼', unit: '二单元', room: '501号' })
		).toBe('阳光小区3号楼二单元501号');
		expect(joinAddress({ estate: '阳光小区', building: 'Ａ', room: '１０２' })).toBe(
			'阳光小区A栋102室'
		);
	});
	it('exceljs values', () => {
		expect(unwrapCell({ formula: 'A1', result: 5 })).toBe(5);
		expect(unwrapCell({ sharedFormula: 'A1', result: '张三' })).toBe('张三');
		expect(unwrapCell({ richText: [{ text: '张' }, { text: '三' }] })).toBe('张三');
		expect(unwrapCell({ text: '链接', hyperlink: 'http://x' })).toBe('链接');
		expect(unwrapCell({ error: '#N/A' })).toBe('#N/A');
	});
});
