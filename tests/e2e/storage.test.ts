// The device's storage in the built app and real Chromium (docs/field-performance.md,
// "Storage"). A full disk is made with the DevTools protocol: `Storage.overrideQuotaForOrigin`
// gives the origin a quota smaller than what it holds, so real IndexedDB writes are refused by
// the browser itself. Chromium keeps the room it last found for a bucket up to half a minute, so
// each test waits until a probe write is refused before it goes on. Persistence is granted or
// denied to the context with `Browser.setPermission`, and the app's own record of the answer the
// browser gave it is read back, with what the settings screen shows.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, test } from './fixtures';
import { EntryFormPage } from './pages';
import { storedRows, WorkerApp } from './worker-pages';

const CURSOR_KEY = (userId: string) => `sync.cursor.${userId}`;
const FULL_DISK_WAIT = 75_000;

/** Whether the browser now refuses a small IndexedDB write of this origin for want of room. */
function diskRefuses(page: Page): Promise<boolean> {
	return page.evaluate(async () => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open('quota-probe', 1);
			request.onupgradeneeded = () => request.result.createObjectStore('probe');
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		try {
			return await new Promise<boolean>((resolve) => {
				const tx = db.transaction('probe', 'readwrite');
				tx.objectStore('probe').put('x'.repeat(4096), 'probe');
				tx.oncomplete = () => resolve(false);
				tx.onabort = () => resolve(tx.error?.name === 'QuotaExceededError');
			});
		} finally {
			db.close();
		}
	});
}

/** The disk of this origin: filled up, and given room again, through the DevTools protocol. */
class Disk {
	constructor(
		private readonly cdp: CDPSession,
		private readonly page: Page,
		private readonly origin: string
	) {}

	static async of(context: BrowserContext, page: Page, origin: string): Promise<Disk> {
		return new Disk(await context.newCDPSession(page), page, origin);
	}

	async fill(): Promise<void> {
		await this.cdp.send('Storage.overrideQuotaForOrigin', { origin: this.origin, quotaSize: 1 });
		await expect
			.poll(() => diskRefuses(this.page), { timeout: FULL_DISK_WAIT, interval: 1_000 })
			.toBe(true);
	}

	async clear(): Promise<void> {
		await this.cdp.send('Storage.overrideQuotaForOrigin', { origin: this.origin });
	}
}

/** Set the `persistent-storage` permission of the page's browser context. */
async function setPersistence(
	browser: Browser,
	context: BrowserContext,
	page: Page,
	origin: string,
	setting: 'granted' | 'denied'
): Promise<void> {
	const target = await context.newCDPSession(page);
	const { targetInfo } = (await target.send('Target.getTargetInfo')) as {
		targetInfo: { browserContextId: string };
	};
	const cdp = await browser.newBrowserCDPSession();
	await cdp.send('Browser.setPermission', {
		permission: { name: 'persistent-storage' },
		setting,
		origin,
		browserContextId: targetInfo.browserContextId
	});
}

describe('a full disk', () => {
	test(
		'a change is not saved and the worker is told what to do; the outbox keeps every earlier change; with room again it saves and syncs',
		{ timeout: 240_000 },
		async ({ page, context, server }) => {
			const { token, user } = await apiSignIn(server.url, 'worker1');
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const [household] = await storedRows(page, user.id, 'households');
			const form = new EntryFormPage(page);

			// Two residents added while pushes do not get through: they wait in the outbox.
			await context.route('**/api/v1/sync/push', (route) => route.abort('internetdisconnected'));
			for (const name of ['储存甲', '储存乙']) {
				await page.goto(`/worker/household/${String(household.id)}/resident-new`);
				await form.waitForHeading('添加居民');
				await form.fill('姓名', name);
				await form.submit('保存');
				expect(await form.savedTitle()).toBe(`已添加居民 ${name}`);
			}
			const waiting = await storedRows(page, user.id, 'outbox');
			expect(waiting).toHaveLength(2);
			const mutationIds = waiting.map((entry) => (entry.mutation as { id: string }).id);

			// The disk is full. The third resident is refused: the worker is told, in the form.
			const disk = await Disk.of(context, page, server.url);
			await page.goto(`/worker/household/${String(household.id)}/resident-new`);
			await form.waitForHeading('添加居民');
			await disk.fill();
			// Failed pushes counted their tries until now; from here on nothing can be written.
			const outbox = await storedRows(page, user.id, 'outbox');
			expect(outbox.map((entry) => (entry.mutation as { id: string }).id)).toEqual(mutationIds);
			await form.fill('姓名', '储存丙');
			await form.submit('保存');
			const notice = page.getByTestId('storage-full');
			await notice.waitFor({ timeout: 15_000 });
			const told = await notice.innerText();
			expect(told).toContain('本机存储空间已满，这次的修改还没有保存。');
			expect(told).toContain('填写的内容还在这里');
			expect(told).toContain('然后再点一次保存。');
			expect(await notice.getByRole('button', { name: '释放空间' }).count()).toBe(1);
			await screenshot(page, 'storage-full-form');
			// What was typed is still there; nothing of it was stored; the outbox is as it was.
			expect(await form.field('姓名').inputValue()).toBe('储存丙');
			expect(await page.locator('#saved-title').count()).toBe(0);
			expect(await storedRows(page, user.id, 'outbox')).toEqual(outbox);
			const residents = await storedRows(page, user.id, 'residents');
			expect(residents.some((row) => row.name === '储存丙')).toBe(false);
			expect(residents.filter((row) => String(row.name).startsWith('储存'))).toHaveLength(2);

			// Space again, the network back: the same tap saves it, and all three are delivered.
			await disk.clear();
			await context.unroute('**/api/v1/sync/push');
			await form.submit('保存');
			expect(await form.savedTitle()).toBe('已添加居民 储存丙');
			await app.syncNow();
			await app.waitForUnsynced(0, 60_000);
			expect(await storedRows(page, user.id, 'outbox')).toEqual([]);
			const onServer = [...((await serverRows(server.url, token)).residents?.values() ?? [])];
			expect(
				onServer
					.map((row) => row.name)
					.filter((name) => String(name).startsWith('储存'))
					.sort()
			).toEqual(['储存丙', '储存乙', '储存甲'].sort());
		}
	);

	test(
		'a download page that does not fit stops the download with the same guidance; it goes on from its cursor',
		{ timeout: 240_000 },
		async ({ page, context, server }) => {
			const { user } = await apiSignIn(server.url, 'worker1');
			// A small first page, so that more follow; the second waits until the disk is full.
			let releaseSecond!: () => void;
			const secondMayGo = new Promise<void>((resolve) => (releaseSecond = resolve));
			const pulls: URL[] = [];
			await context.route('**/api/v1/sync/pull?**', async (route) => {
				const url = new URL(route.request().url());
				pulls.push(url);
				if (!url.searchParams.has('cursor')) {
					url.searchParams.set('limit', '100');
					return route.continue({ url: url.toString() });
				}
				await secondMayGo;
				return route.continue();
			});
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await page.getByRole('heading', { name: '正在下载您负责网格的数据' }).waitFor();
			await expect
				.poll(async () =>
					(await storedRows(page, user.id, 'meta')).some((e) => e.key === CURSOR_KEY(user.id))
				)
				.toBe(true);
			const cursor = (await storedRows(page, user.id, 'meta')).find(
				(e) => e.key === CURSOR_KEY(user.id)
			)?.value;
			const stored = async () =>
				(await storedRows(page, user.id, 'households')).length +
				(await storedRows(page, user.id, 'residents')).length;
			expect(await stored()).toBe(100);

			const disk = await Disk.of(context, page, server.url);
			await disk.fill();
			releaseSecond();
			const notice = page.getByTestId('storage-full');
			await notice.waitFor({ timeout: 60_000 });
			const told = await notice.innerText();
			expect(told).toContain('本机存储空间已满，下载已暂停。');
			expect(told).toContain('已经下载的部分保留在本机');
			await screenshot(page, 'storage-full-download');
			// The first page stays, with its cursor; the page that did not fit left nothing, and the
			// screen counts what the device holds.
			expect(await stored()).toBe(100);
			expect(await page.getByText('已保存到本机 1 页，共 100 条记录').count()).toBe(1);
			const meta = await storedRows(page, user.id, 'meta');
			expect(meta.find((e) => e.key === CURSOR_KEY(user.id))?.value).toBe(cursor);

			// Room again: "继续下载" goes on from the cursor and finishes.
			await disk.clear();
			const before = pulls.length;
			await notice.getByRole('button', { name: '继续下载' }).click();
			await app.waitForHome();
			expect(pulls[before].searchParams.get('cursor')).toBe(cursor);
			expect(await stored()).toBeGreaterThan(100);
		}
	);
});

describe('persistent storage', () => {
	test(
		'is asked for by the app itself once the first download has finished; settings show the answer',
		{ timeout: 180_000 },
		async ({ page, context, browser, server }) => {
			const { user } = await apiSignIn(server.url, 'worker1');
			await page.goto('/login');
			await setPersistence(browser, context, page, server.url, 'granted');
			// The download waits until the test has looked: nothing is asked before it finishes.
			let release!: () => void;
			const mayFinish = new Promise<void>((resolve) => (release = resolve));
			await context.route('**/api/v1/sync/pull?**', async (route) => {
				await mayFinish;
				return route.continue();
			});
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await page.getByRole('heading', { name: '正在下载您负责网格的数据' }).waitFor();
			const asked = async () =>
				(await storedRows(page, user.id, 'meta')).find((e) => e.key === 'storage.persistAsk')
					?.value as { at: number; granted: boolean; reason: string } | undefined;
			expect(await asked()).toBeUndefined();
			release();
			await app.waitForHome();
			await expect.poll(asked).toBeDefined();
			const record = (await asked())!;
			expect(record).toMatchObject({ granted: true, reason: 'first_download' });
			const readyAt = (await storedRows(page, user.id, 'meta')).find(
				(e) => e.key === 'client.initialDownloadAt'
			)?.value as number;
			expect(record.at).toBeGreaterThanOrEqual(readyAt);
			expect(await page.evaluate(() => navigator.storage.persisted())).toBe(true);
			await page.goto('/worker/settings');
			await page.getByText('已获准，浏览器不会自动清除本机数据').waitFor();
		}
	);

	test(
		'refused by the browser: kept as refused, not asked again at once, and the settings button asks again',
		{ timeout: 180_000 },
		async ({ page, context, browser, server }) => {
			const { user } = await apiSignIn(server.url, 'worker1');
			await page.goto('/login');
			await setPersistence(browser, context, page, server.url, 'denied');
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const asked = async () =>
				(await storedRows(page, user.id, 'meta')).find((e) => e.key === 'storage.persistAsk')
					?.value as { at: number; granted: boolean; reason: string } | undefined;
			await expect.poll(asked).toBeDefined();
			const first = (await asked())!;
			expect(first).toMatchObject({ granted: false, reason: 'first_download' });
			// The app opens again: a refusal of a moment ago is not asked again.
			await page.reload();
			await app.waitForHome();
			expect(await asked()).toEqual(first);

			await page.goto('/worker/settings');
			await page.getByText('✗ 未获准').waitFor();
			// The person changes the browser's setting and taps the button.
			await setPersistence(browser, context, page, server.url, 'granted');
			await page.getByRole('button', { name: '申请持久保存' }).click();
			await page.getByText('已获准，浏览器不会自动清除本机数据').waitFor();
			await expect.poll(asked).toMatchObject({ granted: true, reason: 'person' });
		}
	);
});
