// A new version of the app never discards the outbox or a form in progress. Build A is served; a
// visit recorded offline waits in the outbox and a second visit form is half-typed. Then the
// server gets a new version (build A with another version number, as after a deployment: a new
// service worker with a new precache). The banner offers it; nothing reloads by itself. Tapping
// "update" with the form unsaved asks first, and "keep filling in" goes back to the form; once the
// form is saved the update goes through: the new service worker controls the reloaded app, the
// old precache is gone, the outbox still holds both visits, and they reach the server once each.
import { AxeBuilder } from '@axe-core/playwright';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, startServer, test, VIEWPORTS } from './fixtures';
import { UpdateBanner } from './pages';
import { HouseholdPage, VisitFormPage, WorkerApp } from './worker-pages';

const DRAFT = '老人说明天去医院复查，还没写完';

/** Give the app in `appDir` a new version number, as a new deployment would; returns both. */
function deployNewVersion(appDir: string): { from: string; to: string } {
	const versionFile = join(appDir, '_app', 'version.json');
	const from = (JSON.parse(readFileSync(versionFile, 'utf8')) as { version: string }).version;
	const to = String(Number(from) + 1);
	for (const file of [versionFile, join(appDir, 'service-worker.js')]) {
		const text = readFileSync(file, 'utf8');
		expect(text).toContain(from);
		const next = text.replaceAll(from, to);
		writeFileSync(file, next);
		// The server sends the build's brotli and gzip copies first: they must be the new file too.
		writeFileSync(`${file}.br`, new Uint8Array(brotliCompressSync(next)));
		writeFileSync(`${file}.gz`, new Uint8Array(gzipSync(next)));
	}
	return { from, to };
}

/** What the service worker registration of the page looks like now. */
function registrationState(page: Page) {
	return page.evaluate(async () => {
		const registration = await navigator.serviceWorker.getRegistration();
		return {
			controlled: navigator.serviceWorker.controller !== null,
			active: registration?.active?.state ?? null,
			waiting: registration?.waiting?.state ?? null,
			installing: registration?.installing?.state ?? null
		};
	});
}

/** The precache names in this origin's Cache Storage. */
function precaches(page: Page): Promise<string[]> {
	return page.evaluate(async () =>
		(await caches.keys()).filter((name) => name.includes('precache'))
	);
}

/** Accessibility problems axe finds in the update banner, as readable lines. */
async function bannerViolations(page: Page): Promise<string[]> {
	const result = await new AxeBuilder({ page }).include('.banner').analyze();
	return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

/** Set on the window: gone after any reload. */
const markPage = (page: Page) =>
	page.evaluate(() => ((window as unknown as { notReloaded: boolean }).notReloaded = true));
const stillSamePage = (page: Page) =>
	page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded === true);

describe('app update', () => {
	test(
		'a new version waits for the worker: the half-typed form and the outbox survive, the new service worker takes over on the tap, and the queued visits go out once',
		{ timeout: 240_000 },
		async ({ browser, build }) => {
			const appDir = mkdtempSync(join(tmpdir(), 'gridcare-deployed-'));
			cpSync(build, appDir, { recursive: true });
			const server = await startServer(appDir);
			const context = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: VIEWPORTS.tablet
			});
			try {
				const { token, user } = await apiSignIn(server.url, 'worker1');
				const rows = await serverRows(server.url, token);
				const householdId = [...rows.households.entries()]
					.filter(([, row]) => row.gridId === user.scope[0])
					.map(([id]) => String(id))
					.sort()[0];
				const visitsOf = (tables: typeof rows) =>
					[...(tables.visits?.values() ?? [])].filter((v) => v.householdId === householdId);
				const visitsBefore = visitsOf(rows).length;

				const page = await context.newPage();
				const app = new WorkerApp(page);
				const banner = new UpdateBanner(page);
				await app.signIn('worker1');
				await app.waitForHome();
				await app.waitForServiceWorkerControl();

				// Online, the household page asks the server for its grid's name once, not over and
				// over (a request loop keeps the service worker busy, and the browser then never lets
				// a new version take over).
				const divisionRequests: string[] = [];
				page.on('request', (request) => {
					if (new URL(request.url()).pathname.startsWith('/api/v1/divisions/'))
						divisionRequests.push(request.url());
				});
				const householdPage = new HouseholdPage(page);
				await householdPage.open(householdId);
				await page.waitForTimeout(1_000);
				const settled = divisionRequests.length;
				await page.waitForTimeout(3_000);
				expect(divisionRequests.length).toBe(settled);
				expect(settled).toBeLessThanOrEqual(3);

				// Offline: a routine visit waits in the outbox, and a second visit form is half-typed.
				await context.setOffline(true);
				await householdPage.recordVisit();
				await new VisitFormPage(page).saveAllFine();
				await householdPage.saved().waitFor();
				await app.waitForUnsynced(1);
				await householdPage.recordVisit();
				await page.locator('#visit-note').fill(DRAFT);
				const formUrl = page.url();
				await markPage(page);

				// A new version is deployed while the tablet is offline. The network comes back (the
				// app then looks for a new version at once), but the sync API stays out of reach, so
				// the outbox cannot empty before the update.
				const { from, to } = deployNewVersion(appDir);
				expect((await precaches(page)).some((name) => name.includes(from))).toBe(true);
				let pushes = 0;
				await context.route('**/api/v1/sync/**', (route) => route.abort('internetdisconnected'));
				await context.setOffline(false);
				await banner.waitForOffer();
				await screenshot(page, 'u01-update-offered', { fullPage: false });
				expect(await bannerViolations(page)).toEqual([]);

				// Nothing was interrupted and nothing reloads by itself.
				await page.waitForTimeout(2_000);
				expect(await stillSamePage(page)).toBe(true);
				expect(page.url()).toBe(formUrl);
				expect(await page.locator('#visit-note').inputValue()).toBe(DRAFT);
				expect(await app.unsyncedCount()).toBe(1);
				expect(await registrationState(page)).toEqual({
					controlled: true,
					active: 'activated',
					waiting: 'installed',
					installing: null
				});

				// The form is not saved: tapping "update" asks first, and the new version still waits.
				await banner.updateButton.click();
				await banner.unsavedConfirm.waitFor();
				expect(await banner.unsavedConfirm.innerText()).toContain('没保存的内容会丢失');
				expect(
					await banner.keepFillingButton.evaluate((button) => button === document.activeElement)
				).toBe(true);
				await screenshot(page, 'u02-update-asks-about-unsaved-form', { fullPage: false });
				expect(await bannerViolations(page)).toEqual([]);
				await page.waitForTimeout(1_000);
				expect((await registrationState(page)).waiting).toBe('installed');
				expect(await stillSamePage(page)).toBe(true);

				// "Keep filling in": back in the form, the text still there; the worker saves it.
				await banner.keepFillingButton.click();
				await banner.unsavedConfirm.waitFor({ state: 'detached' });
				expect(await page.evaluate(() => document.activeElement?.closest('form') !== null)).toBe(
					true
				);
				expect(await page.locator('#visit-note').inputValue()).toBe(DRAFT);
				await new VisitFormPage(page).saveAllFine();
				await householdPage.saved().waitFor();
				await app.waitForUnsynced(2);

				// Nothing unsaved now: the tap updates at once, and the page reloads into the new version.
				const reloaded = page.waitForEvent('load', { timeout: 60_000 });
				await banner.updateButton.click();
				expect(await banner.unsavedConfirm.count()).toBe(0);
				await reloaded;
				await app.unlock();
				expect(await stillSamePage(page)).toBe(false);
				expect(await registrationState(page)).toEqual({
					controlled: true,
					active: 'activated',
					waiting: null,
					installing: null
				});
				const cachesAfter = await precaches(page);
				expect(cachesAfter.some((name) => name.includes(to))).toBe(true);
				expect(cachesAfter.some((name) => name.includes(from))).toBe(false);
				expect(await banner.updateButton.count()).toBe(0);
				await app.waitForUnsynced(2);
				await screenshot(page, 'u03-updated-outbox-kept', { fullPage: false });

				// The sync API is back: both visits go out, once each, the typed note with them.
				await context.unroute('**/api/v1/sync/**');
				await context.route('**/api/v1/sync/push', async (route) => {
					pushes++;
					await route.continue();
				});
				await app.syncNow();
				await app.waitForUnsynced(0, 60_000);
				expect(pushes).toBeGreaterThanOrEqual(1);
				const visitsAfter = visitsOf(await serverRows(server.url, token));
				expect(visitsAfter.length).toBe(visitsBefore + 2);
				expect(visitsAfter.filter((visit) => visit.note === DRAFT)).toHaveLength(1);
			} finally {
				await context.close();
				await server.stop();
				rmSync(appDir, { recursive: true, force: true });
			}
		}
	);
});
