// Byte budgets (budgets.json; docs/field-performance.md, "Caching and budgets"), measured in
// Chromium against the real server. "Transferred" is what the requests and answers weigh on the
// wire, headers included, with answers as encoded (brotli, gzip), until the network is quiet;
// page loads are measured with the service worker blocked, so they are what a device without it
// (or before it installs) downloads. The precache is measured on its own: what the service
// worker downloads to install, on a device that has loaded nothing else.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect } from 'vitest';
import { DEMO_PASSWORD, ROOT, VIEWPORTS, test, type RunningServer } from './fixtures';
import { LockScreen, LoginPage } from './pages';
import { largest, sum, TransferLog, type Transfer } from './transfer';

type BudgetName = 'login-first-load' | 'worker-home-after-sign-in' | 'precache';

/** Limits in kB of 1,000 bytes. */
const BUDGETS = JSON.parse(readFileSync(join(ROOT, 'budgets.json'), 'utf8')) as Record<
	BudgetName,
	number
>;

const figures: Record<string, { bytes: number; requests: number; limitKb: number }> = {};

/** Hold a measurement to its budget; the message names the budget, the figure and the largest. */
function check(name: BudgetName, transfers: Transfer[]): void {
	const bytes = sum(transfers);
	const limitKb = BUDGETS[name];
	expect(limitKb, `budgets.json has no "${name}"`).toBeGreaterThan(0);
	figures[name] = { bytes, requests: transfers.length, limitKb };
	const message = [
		`budget "${name}" exceeded: ${(bytes / 1000).toFixed(1)} kB transferred in ${transfers.length} requests, over ${limitKb} kB.`,
		'Largest requests:',
		...largest(transfers).map((line) => `  ${line}`)
	].join('\n');
	expect(bytes, message).toBeLessThanOrEqual(limitKb * 1000);
}

async function blockedContext(browser: Browser, server: RunningServer) {
	return browser.newContext({
		baseURL: server.url,
		locale: 'zh-CN',
		viewport: VIEWPORTS.tablet,
		serviceWorkers: 'block'
	});
}

describe('byte budgets', () => {
	test(
		'the sign-in page from an empty cache, then the worker home after signing in through the form',
		{ timeout: 180_000 },
		async ({ browser, server }) => {
			const context = await blockedContext(browser, server);
			try {
				const page = await context.newPage();
				let log = new TransferLog(context);
				await new LoginPage(page).open();
				await log.waitForIdle();
				const login = await log.stop();
				check('login-first-load', login);

				// What the tap on "登录" sets off: the sign-in, the worker's screens, the first download
				// of the worker's scope (its /sync/pull pages count: the home shows nothing without
				// them), until the network is quiet with the home on screen.
				log = new TransferLog(context);
				await page.getByLabel('用户名', { exact: true }).fill('worker1');
				await page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
				await page.getByRole('button', { name: '登录', exact: true }).click();
				await page.waitForURL('**/worker');
				await new LockScreen(page).setRequiredPin();
				await page
					.getByRole('heading', { level: 1, name: '我的网格' })
					.waitFor({ timeout: 60_000 });
				await page.getByRole('heading', { level: 2, name: /网格/ }).first().waitFor();
				await log.waitForIdle(1_000);
				const home = await log.stop();
				const pulls = home.filter((transfer) => transfer.path.startsWith('/api/v1/sync/pull'));
				expect(pulls.length, 'the first download happened while measured').toBeGreaterThan(0);
				figures['of which /sync/pull'] = { bytes: sum(pulls), requests: pulls.length, limitKb: 0 };
				check('worker-home-after-sign-in', home);
			} finally {
				await context.close();
			}
		}
	);

	test(
		"the service worker's install on its own",
		{ timeout: 180_000 },
		async ({ browser, server }) => {
			const context = await browser.newContext({ baseURL: server.url, locale: 'zh-CN' });
			try {
				// A same-origin document that loads none of the app: the worker's downloads are its own.
				const page = await context.newPage();
				await page.goto('/manifest.webmanifest');
				const log = new TransferLog(context);
				const scriptUrl = await page.evaluate(async () => {
					const registration = await navigator.serviceWorker.register('/service-worker.js');
					await navigator.serviceWorker.ready;
					return registration.active?.scriptURL ?? null;
				});
				expect(scriptUrl).toMatch(/\/service-worker\.js$/);
				await log.waitForIdle(1_000);
				const install = await log.stop();
				// Every download of the install is the worker's (the precache), listed in its script.
				expect(install.every((transfer) => transfer.byServiceWorker)).toBe(true);
				const precache = await page.evaluate(async () => {
					const names = await caches.keys();
					const name = names.find((n) => n.includes('precache'));
					return name ? (await (await caches.open(name)).keys()).length : 0;
				});
				expect(precache).toBeGreaterThan(50);
				expect(install.length).toBeGreaterThanOrEqual(precache);
				check('precache', install);
			} finally {
				await context.close();
			}
		}
	);
});

// The figures of this run, for people: printed, and kept in test-results/ (not in the repository).
afterAll(() => {
	if (Object.keys(figures).length === 0) return;
	console.table(
		Object.fromEntries(
			Object.entries(figures).map(([name, { bytes, requests, limitKb }]) => [
				name,
				{ kB: Number((bytes / 1000).toFixed(1)), requests, 'limit kB': limitKb || '' }
			])
		)
	);
	const dir = join(ROOT, 'test-results');
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'budgets.json'), `${JSON.stringify(figures, null, '\t')}\n`);
});
