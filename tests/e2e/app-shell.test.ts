import { describe, expect } from 'vitest';
import { DEMO_PASSWORD, scopeNodeNames, screenshot, test } from './fixtures';
import { AppShell, LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

describe('app shell', () => {
	test('a grid worker signs in, and the app and their grids open again with no network', async ({
		page,
		context,
		server
	}) => {
		const gridNames = await scopeNodeNames(server.url, 'worker1');
		expect(gridNames.length).toBeGreaterThan(0);

		await page.goto('/');
		await page.waitForURL('**/login');
		const login = new LoginPage(page);
		await login.waitForHeading('登录');
		expect(await login.documentLanguage()).toBe('zh-CN');
		await screenshot(page, '01-login-zh');

		await login.signIn('worker1', DEMO_PASSWORD);
		await page.waitForURL('**/worker');
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
		const app = new AppShell(page);
		await app.waitForHeading('我的网格');
		for (const name of gridNames) {
			await page.getByRole('heading', { level: 2, name }).waitFor();
		}
		expect(await app.networkStatusText()).toContain('在线');
		await app.waitForServiceWorkerControl();
		await screenshot(page, '02-worker-online-zh');

		await context.setOffline(true);
		await page.reload();
		await app.waitForHeading('我的网格');
		for (const name of gridNames) {
			await page.getByRole('heading', { level: 2, name }).waitFor();
		}
		expect(await app.networkStatusText()).toContain('离线');
		expect(await page.getByText('当前离线，显示的是').count()).toBe(1);
		await screenshot(page, '03-worker-offline-zh');

		await app.switchLanguage('English');
		await app.waitForHeading('My grids');
		expect(await app.documentLanguage()).toBe('en');
		expect(await app.networkStatusText()).toContain('Offline');
		expect(await app.languageButton('English').getAttribute('aria-pressed')).toBe('true');
		await screenshot(page, '04-worker-offline-en');

		// The choice survives a reload, still offline.
		await page.reload();
		await app.waitForHeading('My grids');
		expect(await app.documentLanguage()).toBe('en');

		await app.switchLanguage('中文');
		await app.waitForHeading('我的网格');
		expect(await app.documentLanguage()).toBe('zh-CN');
		for (const name of gridNames) {
			await page.getByRole('heading', { level: 2, name }).waitFor();
		}
		await screenshot(page, '05-worker-offline-zh-again');

		await context.setOffline(false);
	});

	test('sign-in problems are said in words that name the field', async ({ page }) => {
		const login = new LoginPage(page);
		await login.open();

		await page.getByRole('button', { name: '登录', exact: true }).click();
		expect(await login.fieldErrors()).toEqual(['请填写用户名。', '请填写密码。']);
		expect(await page.getByLabel('用户名').getAttribute('aria-invalid')).toBe('true');
		await screenshot(page, '06-login-empty-fields');

		await login.signIn('worker2', 'not-the-password');
		expect(await login.alertText()).toContain('用户名或密码不正确');
		await screenshot(page, '07-login-bad-credentials');
	});
});
