// A new version of the app never discards the outbox or a form in progress: build A is served, a
// change waits in the outbox and a form is half-typed; then the server has build B (the same app
// with a changed service worker, as after a deployment). The banner offers the update, the form
// and the outbox are untouched until the worker taps it, the app reloads under the new service
// worker, and the queued change reaches the server exactly once.
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { apiSignIn, serverRows, startServer, test, VIEWPORTS } from './fixtures';
import { HouseholdPage, VisitFormPage, WorkerApp } from './worker-pages';

const DRAFT = '还没写完的备注：老人说明天去医院复查';

describe('app update', () => {
	test(
		'a new version waits for the worker: the form text and the outbox survive, and the queued change goes out once after the update',
		{ timeout: 180_000 },
		async ({ browser, build }) => {
			const appDir = mkdtempSync(join(tmpdir(), 'gridcare-build-a-'));
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
				const visitsOfHousehold = (tables: typeof rows) =>
					[...(tables.visits?.values() ?? [])].filter((v) => v.householdId === householdId).length;
				const visitsBefore = visitsOfHousehold(rows);
				const page = await context.newPage();
				const app = new WorkerApp(page);
				await app.signIn('worker1');
				await app.waitForHome();
				await app.waitForServiceWorkerControl();
				const firstWorker = await page.evaluate(
					() => navigator.serviceWorker.controller?.scriptURL ?? null
				);
				expect(firstWorker).toMatch(/service-worker\.js$/);

				// The sync API is unreachable (the app shell is not): a routine visit waits in the outbox.
				let pushes = 0;
				await context.route('**/api/v1/sync/**', (route) => route.abort('internetdisconnected'));
				const householdPage = new HouseholdPage(page);
				await householdPage.open(householdId);
				await householdPage.recordVisit();
				await new VisitFormPage(page).saveAllFine();
				await householdPage.saved().waitFor();
				await app.waitForUnsynced(1);

				// A second visit form, half-typed.
				await householdPage.recordVisit();
				await page.locator('#visit-note').fill(DRAFT);

				// Deployment of build B; the app's periodic update check finds it.
				appendFileSync(join(appDir, 'service-worker.js'), '\n// build B\n');
				expect(readFileSync(join(appDir, 'service-worker.js'), 'utf8')).toContain('build B');
				await page.evaluate(async () => {
					const registration = await navigator.serviceWorker.getRegistration();
					await registration?.update();
				});
				const banner = page.getByRole('button', { name: '立即更新' });
				await banner.waitFor({ timeout: 30_000 });

				// Nothing was interrupted: the form keeps its text, the outbox its change.
				expect(await page.locator('#visit-note').inputValue()).toBe(DRAFT);
				expect(await app.unsyncedCount()).toBe(1);
				const waiting = await page.evaluate(async () => {
					const registration = await navigator.serviceWorker.getRegistration();
					return registration?.waiting?.state ?? null;
				});
				expect(waiting).toBe('installed');

				// The worker taps "update": the page reloads under the new service worker.
				await context.unroute('**/api/v1/sync/**');
				await context.route('**/api/v1/sync/push', async (route) => {
					pushes++;
					await route.continue();
				});
				const reloaded = page.waitForEvent('load');
				await banner.click();
				await reloaded;
				await app.unlock();
				const afterUpdate = await page.evaluate(async () => {
					const registration = await navigator.serviceWorker.getRegistration();
					return {
						waiting: registration?.waiting ?? null,
						controlled: navigator.serviceWorker.controller !== null
					};
				});
				expect(afterUpdate).toEqual({ waiting: null, controlled: true });
				expect(await page.getByRole('button', { name: '立即更新' }).count()).toBe(0);

				// The queued visit goes out, once.
				await app.waitForUnsynced(0, 60_000);
				expect(pushes).toBeGreaterThanOrEqual(1);
				expect(visitsOfHousehold(await serverRows(server.url, token))).toBe(visitsBefore + 1);
			} finally {
				await context.close();
				await server.stop();
				rmSync(appDir, { recursive: true, force: true });
			}
		}
	);
});
