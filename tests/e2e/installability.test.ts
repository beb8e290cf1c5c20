// Chromium's own verdict on whether the app can be installed (the DevTools call
// `Page.getInstallabilityErrors`: the manifest's fields, its icons fetched and decoded, a secure
// origin). Lighthouse 12 has no PWA category; docs/field-performance.md, "Lighthouse".
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS, test, VIEWPORTS } from './fixtures';
import { LoginPage } from './pages';
import { WorkerApp } from './worker-pages';

async function installabilityErrors(context: BrowserContext, page: Page): Promise<string[]> {
	const cdp = await context.newCDPSession(page);
	try {
		const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
		return installabilityErrors.map((e) => e.errorId);
	} finally {
		await cdp.detach();
	}
}

/**
 * A browser profile on disk, as a tablet has: an off-the-record context (what `newContext` makes)
 * is never installable ("in-incognito").
 */
async function withProfile(
	baseURL: string,
	serviceWorkers: 'allow' | 'block',
	use: (context: BrowserContext, page: Page) => Promise<void>
): Promise<void> {
	const dir = await mkdtemp(join(tmpdir(), 'gridcare-installable-'));
	const context = await chromium.launchPersistentContext(dir, {
		executablePath: CHROMIUM,
		args: CHROMIUM_ARGS,
		baseURL,
		locale: 'zh-CN',
		viewport: VIEWPORTS.phone,
		serviceWorkers
	});
	try {
		await use(context, context.pages()[0] ?? (await context.newPage()));
	} finally {
		await context.close();
		await rm(dir, { recursive: true, force: true });
	}
}

describe('installability', () => {
	test('Chromium finds the app installable on the login page and on the worker home', async ({
		server
	}) => {
		await withProfile(server.url, 'allow', async (context, page) => {
			await new LoginPage(page).open();
			expect(await installabilityErrors(context, page)).toEqual([]);

			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await app.waitForServiceWorkerControl();
			expect(await installabilityErrors(context, page)).toEqual([]);

			// Served by the service worker now, as on a later day.
			await page.reload();
			await app.waitForHome();
			expect(await installabilityErrors(context, page)).toEqual([]);
		});
	});

	test('a broken manifest or missing icons make it not installable', async ({ server }) => {
		// No service worker, so that every request of the page reaches the routes below.
		await withProfile(server.url, 'block', async (context, page) => {
			await page.route('**/icons/*.png', (route) => route.fulfill({ status: 404, body: '' }));
			await new LoginPage(page).open();
			expect(await installabilityErrors(context, page)).toContain('no-acceptable-icon');
		});
		await withProfile(server.url, 'block', async (context, page) => {
			await page.route('**/manifest.webmanifest', async (route) => {
				const response = await route.fetch();
				const manifest = (await response.json()) as Record<string, unknown>;
				await route.fulfill({ response, json: { ...manifest, display: 'browser' } });
			});
			await new LoginPage(page).open();
			expect(await installabilityErrors(context, page)).toContain('manifest-display-not-supported');
		});
	});
});
