// The kiosk's screens as a person stands at them: laid out for a portrait 1080 × 1920 screen, a
// landscape 1280 × 800 one and a portrait 800 × 1280 tablet (no word broken across lines, no
// sideways scrolling, nothing moving under the finger, the staff button on screen); two residents
// with the same ID tail and masked name told apart; the modes staff set at enrolment, which
// nobody at the kiosk can switch off; and what the done screen says of the check-in's delivery.
import Database from 'better-sqlite3';
import type { Locator, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { idCheckChar } from '../../src/lib/shared/id-number';
import { maskName } from '../../src/lib/shared/mask';
import { apiSignIn, DEMO_PASSWORD, pushMutations, screenshot, test } from './fixtures';
import { demoElders, KioskPage, type DemoElder } from './kiosk-pages';
import { layoutProblems } from './layout-check';
import { LoginPage } from './pages';
import type { RunningServer } from './fixtures';

const SIZES = [
	{ width: 1080, height: 1920 },
	{ width: 1280, height: 800 },
	{ width: 800, height: 1280 }
];

/** The resident's full ID number and birth year, from the server's database. */
function residentRecord(server: RunningServer, id: string) {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		return db
			.prepare('SELECT id_number AS idNumber, birth_year AS birthYear FROM residents WHERE id = ?')
			.get(id) as { idNumber: string; birthYear: number | null };
	} finally {
		db.close();
	}
}

/**
 * Register, in the elder's grid, someone whose ID number ends in the same 4 characters and whose
 * name masks the same, born in another year, in building 7, unit 3 (room 502).
 */
async function registerTwin(server: RunningServer, elder: DemoElder) {
	const { idNumber, birthYear } = residentRecord(server, elder.id);
	const region = idNumber.slice(0, 6);
	const sequence = idNumber.slice(14, 17);
	let twinId = '';
	let twinYear = 0;
	for (let year = 1936; !twinId && year < 1960; year++) {
		if (year === birthYear) continue;
		for (let day = 0; day < 365 && !twinId; day++) {
			const date = new Date(Date.UTC(year, 0, 1 + day));
			const birth = date.toISOString().slice(0, 10).replaceAll('-', '');
			const first17 = `${region}${birth}${sequence}`;
			if (idCheckChar(first17) === idNumber.slice(-1))
				[twinId, twinYear] = [first17 + idCheckChar(first17), year];
		}
	}
	const chars = [...elder.name];
	const twinName =
		chars.length === 2
			? chars[0] + (chars[1] === '华' ? '英' : '华')
			: chars[0] + (chars[1] === '秀' ? '桂' : '秀') + chars.slice(2).join('');
	expect(maskName(twinName)).toBe(elder.maskedName);
	expect(twinId.slice(-4)).toBe(elder.tail);
	const head = await apiSignIn(server.url, 'head');
	const household = crypto.randomUUID();
	const results = await pushMutations(server.url, head.token, [
		{
			table: 'households',
			op: 'insert',
			rowId: household,
			fields: { gridId: elder.gridId, address: '民生路99号7栋3单元502室' }
		},
		{
			table: 'residents',
			op: 'insert',
			fields: {
				householdId: household,
				name: twinName,
				idNumber: twinId,
				birthYear: twinYear,
				dailyCheckIn: true
			}
		}
	]);
	expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
	return { birthYear: twinYear };
}

/** Where an element is on the page (not the window: tapping a key may scroll the page). */
function pageBox(locator: Locator) {
	return locator.evaluate((el) => {
		const box = el.getBoundingClientRect();
		return { x: box.x + scrollX, y: box.y + scrollY, width: box.width, height: box.height };
	});
}

async function expectNoLayoutProblems(page: Page, where: string): Promise<void> {
	expect(await layoutProblems(page), where).toEqual([]);
}

describe('kiosk screens', () => {
	test('every step at portrait, landscape and tablet sizes: words whole, no sideways scroll, keys still, staff on screen; same-tail residents told apart', async ({
		browser,
		server
	}) => {
		const [elder, other] = demoElders(server);
		const twin = await registerTwin(server, elder);

		for (const size of SIZES) {
			const at = `${size.width}×${size.height}`;
			const context = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: size
			});
			try {
				const page = await context.newPage();
				const kiosk = new KioskPage(page);
				await kiosk.openAsDemoKiosk();
				await expectNoLayoutProblems(page, `${at} start`);
				if (size.width === 1280) {
					// The staff button is on screen without scrolling.
					const staff = await kiosk.button('工作人员协助签到').boundingBox();
					expect(staff, at).not.toBeNull();
					expect(staff!.y, at).toBeGreaterThanOrEqual(0);
					expect(staff!.y + staff!.height, at).toBeLessThanOrEqual(size.height);
					expect(await page.evaluate(() => scrollY), at).toBe(0);
				}
				await screenshot(page, `70-kiosk-start-${at}`, { fullPage: false });

				// A tail nobody has: the message appears and the keys stay where they were.
				const keypad = page.getByRole('group', { name: '数字键盘' });
				const before = await pageBox(keypad);
				const next = await pageBox(kiosk.button('下一步'));
				await kiosk.tapTail(other.tail === '0000' ? '1111' : '0000');
				await page.getByText('没有找到这个号码。').waitFor();
				expect(await pageBox(keypad), `${at} keys`).toEqual(before);
				expect(await pageBox(kiosk.button('下一步')), `${at} next`).toEqual(next);
				await expectNoLayoutProblems(page, `${at} not found`);
				await screenshot(page, `71-kiosk-not-found-${at}`, { fullPage: false });
				for (let i = 0; i < 4; i++) await kiosk.key('删除').click();

				// Two people, one tail, one masked name: their buttons say who is who.
				await kiosk.tapTail(elder.tail);
				await kiosk.waitForHeading('请点您的名字');
				const names = page.locator('.choice.name');
				await expect.poll(() => names.count()).toBe(2);
				const labels = (await names.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
				expect(new Set(labels).size, at).toBe(2);
				for (const label of labels) expect(label.startsWith(elder.maskedName), label).toBe(true);
				expect(
					labels.some((l) => l.includes(`${twin.birthYear}年生`) && l.includes('7栋3单元'))
				).toBe(true);
				expect(labels.join()).not.toContain('502');
				await expectNoLayoutProblems(page, `${at} choose`);
				await screenshot(page, `72-kiosk-choose-${at}`, { fullPage: false });
				await names.filter({ hasNotText: '7栋3单元' }).click();

				await kiosk.answer('我需要帮助');
				await kiosk.waitForHeading('您需要什么帮助？');
				for (const need of ['买药、取药', '吃饭、买菜', '去看医生', '有人陪我说说话', '其他事情'])
					await kiosk.button(need).click();
				await expectNoLayoutProblems(page, `${at} needs`);
				// The box before each choice keeps its square shape.
				const ticks = await page
					.locator('.tick')
					.evaluateAll((els) => els.map((el) => el.getBoundingClientRect()));
				for (const tick of ticks) expect(Math.abs(tick.width - tick.height), at).toBeLessThan(1);
				await screenshot(page, `73-kiosk-needs-${at}`, { fullPage: false });
				await kiosk.button('下一步').click();
				await kiosk.waitForHeading('请确认您的选择');
				await expectNoLayoutProblems(page, `${at} review`);
				await kiosk.button('确认提交').click();
				await page.getByText('签到成功，网格员会尽快联系您。').waitFor();
				await expectNoLayoutProblems(page, `${at} done`);
			} finally {
				await context.close();
			}
		}
	});

	test('modes set at enrolment stay on: the kiosk offers more, never less', async ({ page }) => {
		const kiosk = new KioskPage(page);
		await page.goto('/kiosk');
		await page.waitForURL('**/kiosk/enrol');
		await new LoginPage(page).signIn('head', DEMO_PASSWORD);
		const elderly = page.getByRole('checkbox', { name: '长辈版（大字）' });
		const contrast = page.getByRole('checkbox', { name: '高对比度' });
		expect(await elderly.isChecked()).toBe(true);
		expect(await contrast.isChecked()).toBe(false);
		await contrast.check();
		await page.getByRole('button', { name: '设为签到终端' }).click();
		await page.waitForURL('**/kiosk');
		await kiosk.waitForStart();
		const modesOn = () =>
			page.evaluate(() => ({
				elderly: document.documentElement.hasAttribute('data-elderly'),
				contrast: document.documentElement.dataset.contrast === 'high'
			}));
		expect(await modesOn()).toEqual({ elderly: true, contrast: true });

		// At the kiosk, both show as on and cannot be switched off.
		await page.getByRole('button', { name: '显示与语音' }).click();
		const elderlySwitch = page.getByRole('switch', { name: /长辈版/ });
		const contrastSwitch = page.getByRole('switch', { name: /高对比度/ });
		for (const control of [elderlySwitch, contrastSwitch]) {
			expect(await control.isChecked()).toBe(true);
			expect(await control.isDisabled()).toBe(true);
		}
		expect(await page.getByText('由工作人员设置，不能在这里关闭').count()).toBe(2);
		await elderlySwitch.click({ force: true });
		expect(await modesOn()).toEqual({ elderly: true, contrast: true });

		// Not even a choice saved on the device earlier turns them off.
		await page.evaluate(() =>
			localStorage.setItem(
				'gridcare:modes',
				JSON.stringify({ elderly: false, highContrast: false })
			)
		);
		await page.reload();
		await kiosk.waitForStart();
		expect(await modesOn()).toEqual({ elderly: true, contrast: true });
	});

	test('a kiosk enrolled before modes were chosen keeps elderly mode on; high contrast may be added', async ({
		page
	}) => {
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await page.getByRole('button', { name: '显示与语音' }).click();
		const elderlySwitch = page.getByRole('switch', { name: /长辈版/ });
		expect(await elderlySwitch.isChecked()).toBe(true);
		expect(await elderlySwitch.isDisabled()).toBe(true);
		const contrastSwitch = page.getByRole('switch', { name: /高对比度/ });
		expect(await contrastSwitch.isDisabled()).toBe(false);
		await contrastSwitch.check();
		expect(await page.evaluate(() => document.documentElement.dataset.contrast)).toBe('high');
		expect(await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))).toBe(
			true
		);
	});

	test('the done screen says what is true: sending while online, then sent; saved here while offline', async ({
		page,
		context,
		server
	}) => {
		const elders = demoElders(server);
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		const checkIn = async (elder: DemoElder) => {
			await kiosk.tapTail(elder.tail);
			await kiosk.chooseName(elder.maskedName);
			await kiosk.answer('我很好');
			await kiosk.waitForHeading('请确认您的选择');
			await kiosk.button('确认提交').click();
			await page.getByText('签到成功，祝您身体健康！').waitFor();
		};

		// Online, with the server's answer held back: on its way, not "when the network is back".
		let release = () => {};
		const held = new Promise<void>((resolve) => (release = resolve));
		await page.route('**/api/v1/sync/push', async (route) => {
			await held;
			await route.continue();
		});
		await checkIn(elders[2]);
		await expect.poll(() => kiosk.deliveryText().innerText()).toBe('正在发送……');
		release();
		await expect.poll(() => kiosk.deliveryText().innerText(), { timeout: 30_000 }).toBe('已发送。');
		await page.unroute('**/api/v1/sync/push');
		await kiosk.button('完成').click();
		await kiosk.waitForStart();

		// Offline: kept on the kiosk until the network is back, and then sent.
		await context.setOffline(true);
		await checkIn(elders[3]);
		expect(await kiosk.deliveryText().innerText()).toBe('已保存在本机，联网后会自动发送。');
		await context.setOffline(false);
		await expect.poll(() => kiosk.deliveryText().innerText(), { timeout: 30_000 }).toBe('已发送。');
	});
});
