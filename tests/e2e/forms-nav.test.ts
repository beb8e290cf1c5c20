// Ways back, leaving a form with unsaved input, the public-area incident form, the "PIN set"
// notice, dates in the deployment's zone, and the resident form's birth year from the ID number.
import { describe, expect } from 'vitest';
import type { Dialog, Page } from 'playwright-core';
import { apiSignIn, DEMO_PASSWORD, screenshot, serverRows, test, VIEWPORTS } from './fixtures';
import { EntryFormPage, LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const ID_1950_F = '450102195010250324'; // born 25 October 1950, female
const RESIDENT = '韦秀兰';
const PUBLIC_PROBLEM = '3号楼楼道灯坏了，老人晚上上下楼看不清';

/** The next dialog the page opens, answered yes or no; its kind and words. */
function answerNextDialog(page: Page, accept: boolean): Promise<{ type: string; message: string }> {
	return new Promise((resolve) => {
		page.once('dialog', (dialog: Dialog) => {
			const seen = { type: dialog.type(), message: dialog.message() };
			void (accept ? dialog.accept() : dialog.dismiss()).then(() => resolve(seen));
		});
	});
}

/** A resident as this device stores it, read straight from IndexedDB. */
function storedResident(page: Page, userId: string, name: string) {
	return page.evaluate(
		async ({ dbName, name }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(dbName);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
				const request = db.transaction('residents').objectStore('residents').getAll();
				request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
				request.onerror = () => reject(request.error);
			});
			db.close();
			return rows.find((row) => row.name === name) ?? null;
		},
		{ dbName: `gridcare-${userId}`, name }
	);
}

/** "12月6日 14:05" for an instant, in the deployment's zone (the demo server's default). */
function shanghaiShortDateTime(at: number): string {
	const part = (options: Intl.DateTimeFormatOptions) =>
		new Intl.DateTimeFormat('zh-CN', { ...options, timeZone: 'Asia/Shanghai' }).format(at);
	return `${part({ month: 'long', day: 'numeric' })} ${part({ hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })}`;
}

describe('navigation and forms', () => {
	test('ways back, unsaved input, public-area incidents, the PIN notice and the birth year from an ID number', async ({
		page,
		context,
		server
	}) => {
		const { token, user } = await apiSignIn(server.url, 'worker1');
		const gridId = user.scope[0];
		const household = [...(await serverRows(server.url, token)).households.values()].find(
			(h) => h.gridId === gridId
		)!;
		await page.setViewportSize(VIEWPORTS.tablet);
		const form = new EntryFormPage(page);

		// Signing in asks for a PIN; "PIN set" then says so once and goes away by itself.
		const login = new LoginPage(page);
		await login.open();
		await login.signIn('worker1', DEMO_PASSWORD);
		await page.waitForURL('**/worker');
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
		const pinNotice = page.getByText(/^解锁密码已设置。/);
		await pinNotice.waitFor();
		expect(await page.getByRole('button', { name: '关闭' }).count()).toBe(1);
		await pinNotice.waitFor({ state: 'detached', timeout: 15_000 });

		// The grid page leads to an incident report for a public area.
		await page.goto(`/worker/grid/${gridId}`);
		await page.getByRole('link', { name: '上报公共区域事件' }).click({ timeout: 60_000 });
		await form.waitForHeading('上报事件');
		expect(await pinNotice.count()).toBe(0);
		await page.getByText('不针对某一户（如公共区域）').waitFor();
		await form.field('情况描述').click();
		await page.keyboard.type(PUBLIC_PROBLEM);

		// Leaving with the description typed asks first; staying keeps it.
		const back = page.getByRole('link', { name: '返回住户名单' });
		let asked = answerNextDialog(page, false);
		await back.click();
		expect(await asked).toEqual({
			type: 'confirm',
			message: '这一页还有没保存的内容，离开后会丢失。确定离开吗？'
		});
		await form.waitForHeading('上报事件');
		expect(await form.field('情况描述').inputValue()).toBe(PUBLIC_PROBLEM);
		// The browser's back button asks too.
		asked = answerNextDialog(page, false);
		await page.goBack();
		expect((await asked).type).toBe('confirm');
		await form.waitForHeading('上报事件');
		await screenshot(page, 'n01-incident-public-area-tablet');
		// Leaving anyway goes, and asks nothing more.
		asked = answerNextDialog(page, true);
		await back.click();
		await asked;
		await page.waitForURL(`**/worker/grid/${gridId}`);

		// The resident form: a refused birth year, cleared, then a valid ID number fills it in.
		await page.goto(`/worker/household/${String(household.id)}/resident-new`);
		await form.waitForHeading('添加居民');
		await form.fill('姓名', RESIDENT);
		await form.fill('出生年份（选填）', '1850');
		await form.submit('保存');
		expect(await form.fieldError('出生年份（选填）')).toContain('出生年份');
		await form.fill('出生年份（选填）', '');
		await form.fill('身份证号（选填）', ID_1950_F);
		expect(await form.field('出生年份（选填）').inputValue()).toBe('1950');
		expect(await form.radio('女').isChecked()).toBe(true);
		expect(
			await page.getByText('已根据身份证号填写：1950 年出生，女。如有不同可以修改。').count()
		).toBe(1);
		await screenshot(page, 'n02-resident-prefilled-tablet');
		// Saved offline, so that the change waits in the outbox with its time.
		await form.waitForServiceWorkerControl();
		await context.setOffline(true);
		const savedAt = Date.now();
		await form.submit('保存');
		expect(await form.savedTitle()).toBe(`已添加居民 ${RESIDENT}`);
		expect((await storedResident(page, user.id, RESIDENT))?.birthYear).toBe(1950);

		// The outbox and the settings have a way back; the outbox shows its times in the
		// deployment's zone (Asia/Shanghai here, whatever the device's own zone).
		await page.goto('/worker/outbox');
		await form.waitForHeading('未同步的修改');
		const pending = page.locator('ul.pending li').filter({ hasText: '添加居民' });
		const shown = (await pending.locator('.muted').innerText()).trim();
		expect(shown).toMatch(/^\d{1,2}月\d{1,2}日 \d{2}:\d{2}$/);
		expect([shanghaiShortDateTime(savedAt), shanghaiShortDateTime(savedAt + 60_000)]).toContain(
			shown
		);
		await context.setOffline(false);
		await page.getByRole('link', { name: '返回我的网格' }).click();
		await page.waitForURL('**/worker');
		await page.goto('/worker/settings');
		await form.waitForHeading('设置');
		await page.getByRole('link', { name: '返回我的网格' }).click();
		await page.waitForURL('**/worker');

		// The server gets the birth year the field showed.
		const deadline = Date.now() + 30_000;
		let birthYear: unknown;
		while (Date.now() < deadline) {
			const rows = await serverRows(server.url, token);
			birthYear = [...(rows.residents?.values() ?? [])].find((r) => r.name === RESIDENT)?.birthYear;
			if (birthYear !== undefined) break;
			await new Promise((r) => setTimeout(r, 500));
		}
		expect(birthYear).toBe(1950);

		// Closing the tab with input typed asks through the browser's own prompt.
		await page.goto(`/worker/household/${String(household.id)}/resident-new`);
		await form.waitForHeading('添加居民');
		await form.field('姓名').click();
		await page.keyboard.type('黄');
		asked = answerNextDialog(page, true);
		await page.close({ runBeforeUnload: true });
		expect((await asked).type).toBe('beforeunload');
	});
});
