// The roster import in a real browser against the built app and the real server (docs/imports.md):
// the community head uploads the kind of roster a community keeps in Excel, sees its problems by
// row and column, imports the good rows, downloads the rows that were not imported, and finds the
// new households in the grid table and on the grid worker's next sync; the same file again has
// nothing left to import. A file that is not a roster is refused in words that say what to do.
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, DEMO_PASSWORD, screenshot, serverRows, test } from './fixtures';
import {
	idNumber,
	rosterWorkbook,
	RosterImportPage,
	withWrongCheck,
	type RosterPerson
} from './import-pages';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const GRID = '第一网格';
const ESTATE = '导入测试小区';

/** Three households, four good rows, one wrong ID number, one unknown 人员类别. */
const PEOPLE: RosterPerson[] = [
	// Full-width digits in one row and not in the next: still one household after NFKC.
	{
		grid: GRID,
		estate: ESTATE,
		building: '９栋',
		unit: '1单元',
		room: '１０１',
		name: '蒙德华',
		relation: '户主',
		id: idNumber('1938-05-12', 11),
		sex: '男',
		phone: '138 1234 5678',
		tags: '高龄'
	},
	{
		grid: GRID,
		estate: ESTATE,
		building: '9栋',
		unit: '1单元',
		room: '101',
		name: '韦秀兰',
		relation: '配偶',
		id: idNumber('1940-03-02', 22),
		sex: '女',
		phone: '',
		tags: ''
	},
	{
		grid: GRID,
		estate: ESTATE,
		building: '9栋',
		unit: '1单元',
		room: '102 ',
		name: '黄建国',
		relation: '户主',
		id: idNumber('1960-07-21', 31),
		sex: '男',
		phone: '+86 13912345678',
		tags: '低保'
	},
	{
		grid: GRID,
		estate: ESTATE,
		building: '9栋',
		unit: '2单元',
		room: '201',
		name: '陆小梅',
		relation: '户主',
		id: idNumber('1972-11-09', 42),
		sex: '女',
		phone: '139-8765-4321',
		tags: '重点关爱'
	},
	{
		grid: GRID,
		estate: ESTATE,
		building: '9栋',
		unit: '2单元',
		room: '201',
		name: '覃志明',
		relation: '子女',
		id: withWrongCheck(idNumber('1998-01-15', 51)),
		sex: '男',
		phone: '',
		tags: ''
	},
	{
		grid: GRID,
		estate: ESTATE,
		building: '9栋',
		unit: '2单元',
		room: '201',
		name: '潘文静',
		relation: '子女',
		id: idNumber('2001-06-30', 62),
		sex: '女',
		phone: '',
		tags: '五保户'
	}
];
const GOOD = PEOPLE.filter((p) => !['覃志明', '潘文静'].includes(p.name));
const FILE_NAME = '兴宁社区居民台账.xlsx';

async function signInAsHead(page: Page): Promise<RosterImportPage> {
	const login = new LoginPage(page);
	await login.open();
	await login.signIn('head', DEMO_PASSWORD);
	await page.waitForURL('**/supervise');
	await new LockScreen(page).setRequiredPin();
	autoUnlock(page);
	await login.waitForHeading('辖区概况');
	return new RosterImportPage(page);
}

/** The households figure of a grid in the head's grid table. */
async function gridHouseholds(page: Page, grid: string): Promise<number> {
	const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: grid }) });
	await row.waitFor({ timeout: 60_000 });
	return Number((await row.locator('td').first().innerText()).replace(/[^\d]/g, ''));
}

describe('roster import', () => {
	test(
		'the head imports a messy roster, gets the bad rows back, and a second import changes nothing',
		{
			timeout: 180_000
		},
		async ({ page, server }) => {
			const { bytes, rowOf } = await rosterWorkbook(PEOPLE);
			const screen = await signInAsHead(page);
			const before = await gridHouseholds(page, GRID);

			// The entry in the community's navigation.
			await page
				.getByRole('navigation', { name: '社区工作' })
				.getByRole('link', { name: '导入名册' })
				.click();
			await screen.waitForHeading('导入居民名册');
			await screen.stepHeading(/选择名册文件/).waitFor();
			await page.getByRole('button', { name: '导出本社区居民名册' }).waitFor();
			await screenshot(page, 'im01-choose-file');

			// Something else than a roster: said at once, nothing sent.
			await screen.chooseFile('照片.jpg', Buffer.from('not a roster'), 'image/jpeg');
			expect(await page.getByRole('alert').innerText()).toContain(
				'“照片.jpg”不是 .xlsx 或 .csv 文件'
			);

			// A file named .xlsx that is not a workbook: the server's refusal, in words with what to do.
			await screen.chooseFile('坏文件.xlsx', Buffer.from('PK broken bytes'));
			const refusal = page.getByRole('alert').filter({ hasText: '这个文件读不出来' });
			await refusal.waitFor({ timeout: 30_000 });
			expect(await refusal.innerText()).toContain('请确认它是 Excel（.xlsx）或 CSV 文件');
			await screen.stepHeading(/选择名册文件/).waitFor();

			// The roster: checked, nothing written yet.
			await screen.chooseFile(FILE_NAME, bytes);
			await screen
				.stepHeading(new RegExp(`^第 2 步，共 3 步：检查\\s*检查结果：${FILE_NAME}$`))
				.waitFor({ timeout: 60_000 });
			// The step's heading has the focus: a screen reader says where the person now is.
			expect(await page.evaluate(() => document.activeElement?.id)).toBe('step-heading');
			expect(await page.getByText('表头在第 3 行。').count()).toBe(1);
			expect(await screen.fieldOf('公民身份号码')).toBe('身份证号');
			expect(await screen.fieldOf('门牌号')).toBe('房号');
			expect(await screen.fieldOf('人员类别')).toBe('人员类别');
			expect(await screen.count('新建户')).toBe(3);
			expect(await screen.count('新建居民')).toBe(GOOD.length);
			expect(await screen.count('更新')).toBe(0);
			expect(await screen.count('有问题')).toBe(2);
			const problems = await screen.problems();
			expect(problems).toContain(`第 ${rowOf.get('覃志明')} 行 · 公民身份号码 · 校验位不正确`);
			expect(problems.some((p) => p.startsWith(`第 ${rowOf.get('潘文静')} 行 · 人员类别 · `))).toBe(
				true
			);
			expect(problems.find((p) => p.includes('人员类别'))).toContain('五保户');
			expect(problems).toHaveLength(2);
			await screenshot(page, 'im02-preview');

			// The rows not imported, as a workbook to fix in Excel: the cells as read and the reasons.
			const rejected = await screen.download('下载有问题的行');
			const book = new ExcelJS.Workbook();
			await book.xlsx.readFile(await rejected.path());
			const sheet = book.worksheets[0];
			const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
			expect(header).toContain('公民身份号码');
			expect(header.at(-1)).toBe('问题');
			const names: string[] = [];
			const reasons: string[] = [];
			sheet.eachRow((row, n) => {
				if (n === 1) return;
				const cells = (row.values as unknown[]).slice(1).map((v) => String(v ?? ''));
				names.push(cells[header.indexOf('姓名')]);
				reasons.push(cells[header.indexOf('问题')]);
			});
			expect(names.sort()).toEqual(['潘文静', '覃志明']);
			expect(reasons.join('\n')).toContain('校验位不正确');
			expect(reasons.join('\n')).toContain('五保户');

			// Import: the button names what it does; the progress, then the result.
			await page.getByRole('button', { name: `导入 ${GOOD.length} 名居民` }).click();
			await screen.stepHeading(/导入完成/).waitFor({ timeout: 60_000 });
			expect(await screen.count('新建户')).toBe(3);
			expect(await screen.count('新建居民')).toBe(GOOD.length);
			expect(await screen.count('更新居民')).toBe(0);
			expect(await screen.count('未导入的行')).toBe(2);
			await page.getByRole('button', { name: '下载有问题的行' }).waitFor();
			await screenshot(page, 'im03-done');

			// The households in the head's grid table, and on the grid worker's next sync.
			await page.getByRole('link', { name: '查看社区的网格' }).click();
			await page.waitForURL('**/supervise');
			await expect
				.poll(() => gridHouseholds(page, GRID), { timeout: 60_000, interval: 1_000 })
				.toBe(before + 3);
			const worker = await apiSignIn(server.url, 'worker1', 'e2e-import-check');
			const rows = await serverRows(server.url, worker.token);
			const addresses = [...(rows.households?.values() ?? [])]
				.map((h) => String(h.address ?? ''))
				.filter((a) => a.includes(ESTATE));
			expect(addresses).toHaveLength(3);
			const residents = [...(rows.residents?.values() ?? [])].filter((r) =>
				PEOPLE.some((p) => p.name === r.name)
			);
			expect(residents.map((r) => r.name).sort()).toEqual(GOOD.map((p) => p.name).sort());

			// The same file again: nothing to create or update, the same two problems.
			await page.goto('/import');
			await screen.waitForHeading('导入居民名册');
			await screen.chooseFile(FILE_NAME, bytes);
			await screen.stepHeading(new RegExp(`检查结果：${FILE_NAME}`)).waitFor({ timeout: 60_000 });
			expect(await screen.count('新建户')).toBe(0);
			expect(await screen.count('新建居民')).toBe(0);
			expect(await screen.count('更新')).toBe(0);
			expect(await screen.count('无变化')).toBe(GOOD.length);
			expect(await screen.count('有问题')).toBe(2);
			const nothing = page.getByRole('button', { name: '没有需要导入的内容' });
			expect(await nothing.isDisabled()).toBe(true);
			await screenshot(page, 'im04-same-file-again');

			// In English the reasons are in English; the column keeps the file's own header.
			await screen.switchLanguage('English');
			await screen.stepHeading(new RegExp(`Check result: ${FILE_NAME}`)).waitFor();
			expect(await screen.problems()).toContain(
				`Row ${rowOf.get('覃志明')} · 公民身份号码 · Wrong check digit`
			);
			expect(await screen.problems()).toContain(
				`Row ${rowOf.get('潘文静')} · 人员类别 · Unknown category`
			);
			await screen.switchLanguage('中文');
		}
	);

	test(
		'a column the server did not recognise is matched by hand, and the file checked again',
		{
			timeout: 120_000
		},
		async ({ page }) => {
			// "本人手机" is no header GridCare knows: its numbers are not read until it is matched.
			const csv = [
				'网格,住址,姓名,身份证号,本人手机',
				`${GRID},${ESTATE}10栋1单元101,覃海燕,${idNumber('1966-04-18', 82)},13812345678`,
				`${GRID},${ESTATE}10栋1单元102,梁国庆,${idNumber('1959-10-01', 91)},12345`
			].join('\n');
			const screen = await signInAsHead(page);
			await page.goto('/import');
			await screen.waitForHeading('导入居民名册');
			await screen.chooseFile('手机号.csv', Buffer.from(csv), 'text/csv');
			await screen.stepHeading(/检查结果：手机号\.csv/).waitFor({ timeout: 60_000 });
			expect(await screen.fieldOf('本人手机')).toBe('不导入');
			expect(await screen.count('有问题')).toBe(0);
			await page.getByRole('link', { name: /有 1 列没有认出/ }).waitFor();

			await page
				.getByRole('combobox', { name: '“本人手机”对应' })
				.selectOption({ label: '联系电话' });
			await page.getByRole('button', { name: '按新的选择重新检查' }).click();
			await expect.poll(() => screen.count('有问题'), { timeout: 60_000 }).toBe(1);
			expect(await screen.fieldOf('本人手机')).toBe('联系电话');
			const [problem] = await screen.problems();
			expect(problem).toMatch(/^第 3 行 · 本人手机 · /);
			expect(await page.getByRole('button', { name: '导入 1 名居民' }).isEnabled()).toBe(true);
			await screenshot(page, 'im05-column-matched');

			// No column the server knows as 姓名: the person says which one holds the names.
			await page.getByRole('button', { name: '重新选择文件' }).click();
			const unnamed = csv.replace('姓名', '成员名字');
			await screen.chooseFile('无姓名列.csv', Buffer.from(unnamed), 'text/csv');
			await screen.stepHeading(/选择姓名所在的列/).waitFor({ timeout: 60_000 });
			await page
				.getByLabel('姓名所在的列', { exact: true })
				.selectOption({ label: '第 C 列：成员名字' });
			await page.getByRole('button', { name: '用这一列重新检查' }).click();
			await screen.stepHeading(/检查结果：无姓名列\.csv/).waitFor({ timeout: 60_000 });
			expect(await screen.fieldOf('成员名字')).toBe('姓名');
			expect(await screen.count('新建居民')).toBe(2);
			await screenshot(page, 'im06-names-column-chosen');
		}
	);

	test(
		'a street officer chooses a community of the street by its name, keyboard only',
		{
			timeout: 120_000
		},
		async ({ page }) => {
			const login = new LoginPage(page);
			await login.open();
			await login.signIn('street', DEMO_PASSWORD);
			await page.waitForURL('**/supervise');
			await login.waitForHeading('辖区概况');
			const screen = new RosterImportPage(page);

			await page.getByRole('link', { name: '导入名册' }).click();
			await screen.waitForHeading('导入居民名册');
			await screen.stepHeading('选择要导入名册的社区').waitFor();
			const community = page.getByRole('table').getByRole('link', { name: '兴宁社区居委会' });
			await community.focus();
			await page.keyboard.press('Enter');
			await page.waitForURL((url) => url.searchParams.get('code') === '450102001003');
			await page.getByText('导入到：兴宁社区居委会').waitFor();
			await page.getByRole('navigation', { name: '当前位置' }).waitFor();
			// The residents export is the head's: personal data is not handed to the street.
			expect(await page.getByRole('button', { name: '导出本社区居民名册' }).count()).toBe(0);

			// The file input is reached with Tab, like any button.
			const input = screen.fileInput();
			for (let i = 0; i < 40 && !(await input.evaluate((e) => e === document.activeElement)); i++)
				await page.keyboard.press('Tab');
			expect(await input.evaluate((e) => e === document.activeElement)).toBe(true);
			await screen.chooseFile(FILE_NAME, (await rosterWorkbook(PEOPLE)).bytes);
			await screen.stepHeading(/检查结果/).waitFor({ timeout: 60_000 });
			expect(await screen.count('有问题')).toBe(2);
			await screenshot(page, 'im07-street-preview');
		}
	);
});
