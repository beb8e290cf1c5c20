import { describe, expect } from 'vitest';
import { DEMO_PASSWORD, screenshot, test } from './fixtures';
import { AppShell, DivisionBrowserPage, LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const DEMO_COMMUNITY = '兴宁社区居委会';
const DEMO_STREET = '民生街道';

async function signIn(page: LoginPage['page'], username: string, home: string) {
	const login = new LoginPage(page);
	await login.open();
	await login.signIn(username, DEMO_PASSWORD);
	await page.waitForURL(`**${home}`);
	// Roles that keep residents' data on the device set a PIN before it shows.
	if (username === 'worker1' || username === 'head') {
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
	}
}

describe('role home screens', () => {
	test('a community head opens on the grid table of the community', async ({ page }) => {
		await signIn(page, 'head', '/supervise');
		const browser = new DivisionBrowserPage(page);
		await browser.waitForHeading('辖区概况');
		await browser.nodeHeading(DEMO_COMMUNITY).waitFor();
		const table = page.getByRole('table', { name: /各网格情况/ });
		await table.getByRole('rowheader', { name: '第一网格', exact: true }).waitFor();
		expect(await table.getByRole('rowheader').allInnerTexts()).toContain('全社区合计');
		await screenshot(page, '10-supervise-community');
	});

	test('a street officer sees the communities of the street and opens one', async ({ page }) => {
		await signIn(page, 'street', '/supervise');
		const browser = new DivisionBrowserPage(page);
		await browser.nodeHeading(DEMO_STREET).waitFor();
		await browser.childLink(DEMO_COMMUNITY).waitFor();
		await screenshot(page, '11-supervise-street');

		await browser.childLink(DEMO_COMMUNITY).click();
		await browser.nodeHeading(DEMO_COMMUNITY).waitFor();
		expect(await browser.breadcrumbTrail()).toEqual([DEMO_STREET, DEMO_COMMUNITY]);
		await screenshot(page, '12-supervise-street-drilled');
	});

	test('the kiosk opens on its large-print check-in, in elderly mode', async ({ page }) => {
		await signIn(page, 'kiosk', '/kiosk');
		const app = new AppShell(page);
		await app.waitForHeading('请输入您身份证号码的最后4位');
		expect(await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))).toBe(
			true
		);
		const bodySize = await page
			.locator('.kiosk p')
			.first()
			.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
		expect(bodySize).toBeGreaterThanOrEqual(24);
		await screenshot(page, '13-kiosk');
	});

	test('an administrator browses the division tree from a code', async ({ page }) => {
		await signIn(page, 'admin', '/admin');
		const browser = new DivisionBrowserPage(page);
		await browser.waitForHeading('区划浏览');
		await browser.nodeHeading('广西壮族自治区').waitFor();

		await page.getByLabel('起始区划代码').fill('4501');
		await page.getByRole('button', { name: '查看', exact: true }).click();
		await browser.nodeHeading('南宁市').waitFor();
		expect(await browser.breadcrumbTrail()).toEqual(['广西壮族自治区', '南宁市']);
		await screenshot(page, '14-admin-city');

		await page.getByLabel('起始区划代码').fill('45x');
		await page.getByRole('button', { name: '查看', exact: true }).click();
		expect(await page.locator('.field-error').innerText()).toContain('2、4、6、9 或 12 位数字');
	});

	test('a screen for another role sends the user to their own home; sign-out returns to sign-in', async ({
		page
	}) => {
		await signIn(page, 'worker1', '/worker');
		await page.goto('/admin');
		await page.waitForURL('**/worker');
		const app = new AppShell(page);
		await app.waitForHeading('我的网格');

		await app.signOut('退出登录');
		await page.waitForURL('**/login');
		await page.goto('/worker');
		await page.waitForURL('**/login');
	});
});
