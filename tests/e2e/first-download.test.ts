// A grid worker's first download in the built app and real Chromium, where the pages are pulled,
// sealed and stored by the pull worker (src/lib/sync/pull.worker.ts): a download cut off part-way
// keeps the pages it stored with their cursor and, after the page is reloaded, goes on from that
// cursor; and with no network the pull worker's script still starts, from the service worker's
// precache.
import type { Worker } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, serverRows, test } from './fixtures';
import { storedRows, WorkerApp } from './worker-pages';

const CURSOR_KEY = (userId: string) => `sync.cursor.${userId}`;

describe('the first download', () => {
	test(
		'cut off part-way, it keeps what it stored and goes on from there after a reload; offline, its worker still starts',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const { token, user } = await apiSignIn(server.url, 'worker1');
			const rows = await serverRows(server.url, token);
			const households = rows.households?.size ?? 0;
			const residents = rows.residents?.size ?? 0;
			expect(households + residents).toBeGreaterThan(200);

			// The network drops after the first page, which is made small so that more follow.
			const pulls: URL[] = [];
			let cutOff = true;
			await context.route('**/api/v1/sync/pull?**', async (route) => {
				const url = new URL(route.request().url());
				pulls.push(url);
				if (!url.searchParams.has('cursor')) {
					url.searchParams.set('limit', '100');
					return route.continue({ url: url.toString() });
				}
				if (cutOff) return route.abort('internetdisconnected');
				return route.continue();
			});
			const workers: Worker[] = [];
			page.on('worker', (worker) => workers.push(worker));

			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await page.getByText('网络已断开，下载暂停').waitFor({ timeout: 30_000 });
			// The first page is on the device with its cursor; nothing after it.
			const storedAfterCut =
				(await storedRows(page, user.id, 'households')).length +
				(await storedRows(page, user.id, 'residents')).length;
			expect(storedAfterCut).toBe(100);
			const meta = await storedRows(page, user.id, 'meta');
			const cursor = meta.find((entry) => entry.key === CURSOR_KEY(user.id))?.value;
			expect(typeof cursor).toBe('string');
			// The pages were pulled in the pull worker, not in the page.
			expect(workers.some((worker) => worker.url().includes('/workers/pull'))).toBe(true);

			// The tab is reloaded with the network back: the download goes on from the cursor.
			cutOff = false;
			const before = pulls.length;
			await page.reload();
			await app.waitForHome();
			await page.getByText(`/ ${households} 户`).first().waitFor();
			expect(pulls[before].searchParams.get('cursor')).toBe(cursor);
			expect(pulls.slice(before).every((url) => url.searchParams.has('cursor'))).toBe(true);
			const storedResidents = await storedRows(page, user.id, 'residents');
			expect((await storedRows(page, user.id, 'households')).length).toBe(households);
			expect(storedResidents.length).toBe(residents);
			// Phone numbers are stored sealed, never in clear.
			const withPhone = storedResidents.filter((row) => row.phone !== null);
			expect(withPhone.length).toBeGreaterThan(0);
			for (const row of withPhone) expect(Object.keys(row.phone as object)).toEqual(['sealed']);

			// Offline, the app opens from the device and its pull worker starts from the precache.
			await app.waitForServiceWorkerControl();
			await context.setOffline(true);
			const started = workers.length;
			await page.reload();
			await app.waitForHome();
			await page.getByText(`/ ${households} 户`).first().waitFor();
			await expect
				.poll(() => workers.slice(started).some((w) => w.url().includes('/workers/pull')))
				.toBe(true);
			const offlineWorker = workers.slice(started).find((w) => w.url().includes('/workers/pull'))!;
			// Its script loaded and runs: it answers.
			expect(await offlineWorker.evaluate(() => self.name)).toBe('pull');
			await expect.poll(() => app.networkStatusText()).toContain('离线');
		}
	);
});
