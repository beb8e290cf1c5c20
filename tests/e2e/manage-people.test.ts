// People managed in the app (docs/administration.md, "People"), in the built app and real
// Chromium: the demo community's head adds a grid worker with one of the community's grids, and
// the worker signs in on a fresh browser and sees that grid's households.
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, test } from './fixtures';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock, HouseholdListPage } from './worker-pages';

const GRID_NAME = '第三网格';
const PASSWORD = 'lychee harbour kite 58';

describe('people managed in the app', () => {
	test(
		'the head creates a grid worker with a grid; the worker signs in elsewhere and sees its households',
		{ timeout: 180_000 },
		async ({ page, browser, server }) => {
			// What the server holds: the grid's id and its households, as the head may see them.
			const head = await apiSignIn(server.url, 'head');
			const list = (await (
				await fetch(`${server.url}/api/v1/users`, {
					headers: { Authorization: `Bearer ${head.token}` }
				})
			).json()) as { grids: { id: string; name: string }[] };
			const grid = list.grids.find((g) => g.name === GRID_NAME)!;
			const rows = await serverRows(server.url, head.token);
			const households = [...(rows.households?.values() ?? [])].filter(
				(h) => h.gridId === grid.id
			).length;
			expect(households).toBeGreaterThan(0);

			// The head signs in and goes from the administration hub to the people section.
			const login = new LoginPage(page);
			await login.open();
			await login.signIn('head', 'demo1234');
			await page.waitForURL((url) => !url.pathname.startsWith('/login'));
			await new LockScreen(page).setRequiredPin();
			autoUnlock(page);
			await page.goto('/manage');
			await page.getByRole('link', { name: /^人员/ }).click();
			await page.getByRole('heading', { level: 2, name: /可管理的人员/ }).waitFor();

			// A new grid worker: role and grid chosen from lists, never typed.
			await page.getByRole('button', { name: '添加人员' }).click();
			await page.getByLabel('角色').selectOption('grid_worker');
			await page.getByLabel('姓名').fill('覃美华');
			await page.getByLabel('登录名').fill('qin');
			await page.getByLabel(/手机号/).fill('139 7711 5566');
			await page.getByRole('checkbox', { name: GRID_NAME }).check();
			// A weak password is refused next to its field.
			await page.getByLabel('初始密码').fill('password');
			await page.getByRole('button', { name: '创建' }).click();
			await page.getByText('密码太短或太容易被猜到').waitFor();
			await page.getByLabel('初始密码').fill(PASSWORD);
			await page.getByRole('button', { name: '创建' }).click();
			await page.getByText('已添加 覃美华。').waitFor();
			const card = page.getByRole('listitem').filter({ hasText: 'qin' });
			await expect.poll(() => card.innerText()).toContain(GRID_NAME);
			expect(await card.innerText()).toContain('13977115566');
			await screenshot(page, 'manage-people-created');

			// The worker, on a fresh browser context, signs in and sees the grid's households.
			const context = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: { width: 1280, height: 860 }
			});
			try {
				const tablet = await context.newPage();
				const workerLogin = new LoginPage(tablet);
				await workerLogin.open();
				await workerLogin.signIn('qin', PASSWORD);
				await tablet.waitForURL('**/worker');
				await new LockScreen(tablet).setRequiredPin();
				autoUnlock(tablet);
				const listPage = new HouseholdListPage(tablet);
				await listPage.open(grid.id);
				await expect
					.poll(async () => (await listPage.counts())[1], { timeout: 60_000 })
					.toBe(households);
			} finally {
				await context.close();
			}
		}
	);
});
