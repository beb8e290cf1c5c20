// The roster import screen (src/routes/import/, docs/imports.md) as a person uses it, and the
// kind of roster a community keeps in Excel, written with exceljs: a title and a date above the
// header, columns named the way offices name them, full-width digits, spaced phone numbers.
import ExcelJS from 'exceljs';
import type { Download } from 'playwright-core';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { AppShell } from './pages';

/** A valid 18-character ID number of someone born on that day (sequence odd: a man). */
export function idNumber(birth: string, sequence: number): string {
	const first17 = `450102${birth.replaceAll('-', '')}${String(sequence).padStart(3, '0')}`;
	return first17 + idCheckChar(first17);
}

/** The same number with a wrong check character. */
export function withWrongCheck(id: string): string {
	const right = id.at(-1)!;
	return id.slice(0, 17) + (right === '0' ? '1' : '0');
}

export interface RosterPerson {
	grid: string;
	estate: string;
	building: string;
	unit: string;
	room: string;
	name: string;
	relation: string;
	id: string;
	sex: '男' | '女';
	phone: string;
	tags: string;
}

export const ROSTER_HEADERS = [
	'所属网格',
	'小区名称',
	'楼栋',
	'单元',
	'门牌号',
	'姓名',
	'与户主关系',
	'公民身份号码',
	'性别',
	'手机号码',
	'人员类别'
];

/**
 * A roster as an office keeps it: a merged title row and a date row above the header (so the
 * header is row 3 and the first person row 4), a blank row between two households.
 * Returns the workbook's bytes and the Excel row number of each person.
 */
export async function rosterWorkbook(
	people: RosterPerson[],
	{ blankAfter = 2 }: { blankAfter?: number } = {}
): Promise<{ bytes: Buffer; rowOf: Map<string, number> }> {
	const book = new ExcelJS.Workbook();
	const sheet = book.addWorksheet('居民台账');
	sheet.addRow(['兴宁社区居民花名册']);
	sheet.mergeCells(1, 1, 1, ROSTER_HEADERS.length);
	sheet.addRow(['填报日期：2026年11月30日']);
	sheet.mergeCells(2, 1, 2, ROSTER_HEADERS.length);
	sheet.addRow(ROSTER_HEADERS);
	const rowOf = new Map<string, number>();
	people.forEach((p, i) => {
		const row = sheet.addRow([
			p.grid,
			p.estate,
			p.building,
			p.unit,
			p.room,
			p.name,
			p.relation,
			p.id,
			p.sex,
			p.phone,
			p.tags
		]);
		rowOf.set(p.name, row.number);
		if (i + 1 === blankAfter) sheet.addRow([]);
	});
	// A second sheet, as offices keep notes beside the roster.
	book.addWorksheet('填表说明').addRow(['一人一行，身份证号请填写18位。']);
	return { bytes: Buffer.from(await book.xlsx.writeBuffer()), rowOf };
}

export class RosterImportPage extends AppShell {
	fileInput() {
		return this.page.getByRole('button', { name: /^(选择文件|Choose a file)$/ });
	}

	async chooseFile(name: string, bytes: Buffer, mimeType = XLSX_TYPE): Promise<void> {
		await this.fileInput().setInputFiles({ name, mimeType, buffer: bytes });
	}

	stepHeading(name: string | RegExp) {
		return this.page.getByRole('heading', { level: 2, name });
	}

	/** The big figure under a label of the counts ("新建户" → 3). */
	async count(label: string): Promise<number> {
		const figure = this.page.locator('dl > div').filter({
			has: this.page.locator('dt', { hasText: new RegExp(`^${label}$`) })
		});
		return Number((await figure.locator('dd').innerText()).replace(/[^\d]/g, ''));
	}

	/** The problems table's rows as the person reads them: "第 5 行 · 公民身份号码 · 校验位不正确". */
	async problems(): Promise<string[]> {
		const rows = this.page.locator('table.problems tbody tr');
		return (await rows.evaluateAll((trs) =>
			trs.map((tr) =>
				[...tr.children].map((cell) => (cell as HTMLElement).innerText.trim()).join(' · ')
			)
		)) as string[];
	}

	/** The field a column of the file was matched to, as its select shows it. */
	async fieldOf(header: string): Promise<string> {
		const select = this.page.getByRole('combobox', { name: `“${header}”对应` });
		return select.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.text ?? '');
	}

	async download(button: string | RegExp): Promise<Download> {
		const [download] = await Promise.all([
			this.page.waitForEvent('download'),
			this.page.getByRole('button', { name: button }).click()
		]);
		return download;
	}
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
