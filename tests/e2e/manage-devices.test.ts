// Devices and divisions from the administration screens, in Chromium on the built app: the head
// sees the worker's tablet once the worker signed in, revokes it after a confirmation that says
// the device will be wiped, and the tablet wipes itself on its next request; an administrator
// imports a small province's division tree and sees the counts the package holds.
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../server/auth/password';
import { countsInPackage } from '../../server/divisions/import';
import { openStore } from '../../server/store/index';
import { DIVISION_LEVELS } from '../../src/lib/shared/enums';
import { apiSignIn, DEMO_PASSWORD, screenshot, test, VIEWPORTS } from './fixtures';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock, WorkerApp } from './worker-pages';

/** 宁夏回族自治区: a small province (about three thousand communities). */
const SMALL_PROVINCE = { code: '64', name: '宁夏回族自治区' };

async function databaseNames(page: Page): Promise<string[]> {
	return page.evaluate(async () =>
		(await indexedDB.databases()).map((d) => d.name ?? '').filter(Boolean)
	);
}

describe('devices and divisions from the administration screens', () => {
	test(
		"the head revokes the worker's tablet, which wipes itself on its next request",
		{ timeout: 240_000 },
		async ({ browser, server }) => {
			const tabletContext = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: VIEWPORTS.tablet
			});
			const tablet = await tabletContext.newPage();
			const worker = new WorkerApp(tablet);
			await worker.signIn('worker1');
			await worker.waitForHome();
			await worker.waitForUnsynced(0);

			const { token } = await apiSignIn(server.url, 'head', 'head-check');
			const listed = (await (
				await fetch(`${server.url}/api/v1/devices`, {
					headers: { authorization: `Bearer ${token}` }
				})
			).json()) as { people: { userId: string; name: string; devices: unknown[] }[] };
			const person = listed.people.find((p) => p.name === '韦丽萍')!;
			expect(person.devices).toHaveLength(1);
			expect(await databaseNames(tablet)).toContain(`gridcare-${person.userId}`);

			const deskContext = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: { width: 1440, height: 900 }
			});
			const desk = await deskContext.newPage();
			const login = new LoginPage(desk);
			await login.open();
			await login.signIn('head', DEMO_PASSWORD);
			await desk.waitForURL((url) => !url.pathname.startsWith('/login'));
			await new LockScreen(desk).setRequiredPin();
			autoUnlock(desk);
			await desk.goto('/manage');
			await desk.getByRole('link', { name: /设备与自助机/ }).click();
			await desk.getByRole('heading', { level: 1, name: '设备与自助机' }).waitFor();
			const section = desk.getByRole('region', { name: /韦丽萍/ });
			await section.waitFor({ timeout: 30_000 });
			const row = section.getByRole('row').nth(1);
			expect(await row.innerText()).toContain('使用中');
			expect(await row.innerText()).toContain('平板');

			// Escape leaves the device alone.
			const revoke = section.getByRole('button', { name: /^停用韦丽萍的平板/ });
			await revoke.click();
			const dialog = desk.getByRole('dialog', { name: '停用这台设备？' });
			await dialog.waitFor();
			expect(await dialog.innerText()).toContain('清除里面保存的全部住户和走访数据');
			await screenshot(desk, 'ad01-revoke-confirmation', { fullPage: false });
			await desk.keyboard.press('Escape');
			await dialog.waitFor({ state: 'detached' });
			await worker.syncNow();
			await worker.waitForUnsynced(0);
			expect(tablet.url()).toContain('/worker');

			// Confirmed, from the keyboard: the device is revoked.
			await revoke.focus();
			await desk.keyboard.press('Enter');
			await dialog.waitFor();
			await dialog.getByRole('button', { name: '确认停用' }).click();
			await desk
				.getByText(/已停用韦丽萍的平板/)
				.first()
				.waitFor();
			await section.getByText(/已停用（/).waitFor();
			expect(await section.getByRole('button', { name: /^停用/ }).count()).toBe(0);
			await screenshot(desk, 'ad02-device-revoked');

			// The tablet's next request is answered "revoked": it wipes the worker's data.
			await worker.syncNow().catch(() => undefined);
			await tablet.waitForURL('**/login**', { timeout: 30_000 });
			await expect
				.poll(() => databaseNames(tablet), { timeout: 30_000 })
				.not.toContain(`gridcare-${person.userId}`);
			await deskContext.close();
			await tabletContext.close();
		}
	);

	test(
		"an administrator imports a small province's division tree and sees its counts",
		{ timeout: 240_000 },
		async ({ page, server }) => {
			// A national administrator (scope `*`), whom the command line does not create.
			const store = openStore(`file:${server.databasePath}`);
			try {
				await store.createUser({
					username: 'national',
					role: 'admin',
					scope: ['*'],
					passwordHash: await hashPassword(DEMO_PASSWORD),
					displayName: '全国管理员'
				});
			} finally {
				await store.close();
			}
			await page.setViewportSize(VIEWPORTS.tablet);
			const login = new LoginPage(page);
			await login.open();
			await login.signIn('national', DEMO_PASSWORD);
			await page.waitForURL((url) => !url.pathname.startsWith('/login'));
			await page.goto('/manage');
			await page.getByRole('link', { name: /行政区划/ }).click();
			await page.getByRole('heading', { level: 1, name: '行政区划' }).waitFor();

			// Nothing chosen: the error names the field and takes the focus there.
			await page.getByRole('button', { name: '导入区划' }).click();
			await page.getByText('请先选择要导入的省份。').waitFor();
			const select = page.getByLabel('省份');
			expect(await select.evaluate((el) => el === document.activeElement)).toBe(true);

			await select.selectOption({ label: `${SMALL_PROVINCE.name}（尚未导入）` });
			await page.getByRole('button', { name: '导入区划' }).click();
			await page.getByText(/正在导入宁夏回族自治区/).waitFor();
			const done = page.getByRole('heading', { name: /^已导入宁夏回族自治区，用时 [\d.]+ 秒/ });
			await done.waitFor({ timeout: 180_000 });
			const expected = await countsInPackage(SMALL_PROVINCE.code);
			for (const level of DIVISION_LEVELS) {
				const shown = await page.locator(`td[data-level="${level}"]`).innerText();
				expect(Number(shown), level).toBe(expected[level]);
			}
			const total = Object.values(expected).reduce((a, b) => a + b, 0);
			await expect
				.poll(() => select.locator('option:checked').innerText())
				.toBe(`${SMALL_PROVINCE.name}（已有 ${total} 条区划）`);
			await screenshot(page, 'ad03-divisions-imported');
		}
	);
});
