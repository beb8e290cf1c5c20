// The precache split (docs/field-performance.md, "Caching and budgets"): on a first install the
// grid worker's and the kiosk's screens open with no network, none of them visited before, while
// the supervisors', administrators' and template editor's code is never downloaded. The device
// opens the sign-in page, the service worker installs, and from then on the app's code cannot
// come from the network (only the API can, for the sign-in and the first download); then the
// network goes, and every worker and kiosk screen is opened, the map included.
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { onDemandFiles } from '../../src/lib/sw/offline-routes';
import { readBuildGraph } from '../../src/lib/sw/precache-build';
import { AUDITED_ROUTES, demoIds, type AuditedRoute, type DemoIds } from './a11y-routes';
import { DEMO_PASSWORD, ROOT, VIEWPORTS, test, type RunningServer } from './fixtures';
import { KioskPage } from './kiosk-pages';
import { AppShell, LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const form = (page: Page) => page.locator('main form').first().waitFor({ timeout: 60_000 });

/** The worker's screens the shared route list does not name. */
const MORE_WORKER_ROUTES: AuditedRoute[] = [
	{
		name: 'new household',
		user: 'worker1',
		path: (ids) => `/worker/grid/${ids.gridId}/household-new`,
		ready: form
	},
	{
		name: 'household edit',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}/edit`,
		ready: form
	},
	{
		name: 'new resident',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}/resident-new`,
		ready: form
	}
];

const ENROLMENT = AUDITED_ROUTES.find((route) => route.name === 'kiosk enrolment')!;

/**
 * Records every request of the context (pages and the service worker alike); from
 * `refuseCode()` on, any request for the app's code that reaches the network gets a network
 * error, so only what the service worker holds can load.
 */
class NetworkWatch {
	readonly paths: string[] = [];
	readonly refused: string[] = [];

	constructor(private readonly context: BrowserContext) {
		context.on('request', (request) => this.paths.push(new URL(request.url()).pathname));
	}

	async refuseCode(): Promise<void> {
		await this.context.route('**/_app/**', async (route) => {
			this.refused.push(new URL(route.request().url()).pathname);
			await route.abort('internetdisconnected');
		});
	}
}

/** A fresh device on the sign-in page, once the first service worker has installed. */
async function installedDevice(context: BrowserContext): Promise<Page> {
	const page = await context.newPage();
	await new LoginPage(page).open();
	await new AppShell(page).waitForServiceWorkerControl();
	return page;
}

async function openOffline(page: Page, route: AuditedRoute, ids: DemoIds): Promise<void> {
	await page.goto(route.path(ids));
	await route.ready(page);
	await route.then?.(page, ids);
	expect(await page.getByRole('heading', { name: /页面不存在|页面出现问题/ }).count()).toBe(0);
}

async function onDemand(): Promise<Set<string>> {
	const { manifest, routes } = await readBuildGraph(join(ROOT, '.svelte-kit'));
	return new Set([...onDemandFiles(manifest, routes)].map((file) => `/${file}`));
}

describe('offline on a first install', () => {
	test(
		"every worker screen opens offline without a visit, and no other role's code is downloaded",
		{ timeout: 300_000 },
		async ({ browser, server }) => {
			const ids = await demoIds(server);
			const context = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: VIEWPORTS.tablet
			});
			try {
				const seen = new NetworkWatch(context);
				const page = await installedDevice(context);
				await seen.refuseCode();

				// Online for the sign-in and the first download only.
				await new LoginPage(page).signIn('worker1', DEMO_PASSWORD);
				await page.waitForURL('**/worker');
				await new LockScreen(page).setRequiredPin();
				autoUnlock(page);
				await page.getByRole('heading', { level: 2, name: /网格/ }).first().waitFor();
				await context.setOffline(true);

				const routes = [
					...AUDITED_ROUTES.filter((route) => route.user === 'worker1'),
					...MORE_WORKER_ROUTES,
					ENROLMENT
				];
				expect(routes.length).toBeGreaterThanOrEqual(14);
				for (const route of routes) await openOffline(page, route, ids);

				expect(seen.refused).toEqual([]);
				const fetched = seen.paths.filter((path) => path.startsWith('/_app/immutable/'));
				expect(fetched.length).toBeGreaterThan(50);
				const notNeeded = await onDemand();
				expect(notNeeded.size).toBeGreaterThan(20);
				expect(fetched.filter((path) => notNeeded.has(path))).toEqual([]);
			} finally {
				await context.close();
			}
		}
	);

	test(
		'an enrolled kiosk checks a resident in offline without a visit, with no staff code downloaded',
		{ timeout: 300_000 },
		async ({ browser, server }) => {
			const ids = await demoIds(server);
			const context = await browser.newContext({
				baseURL: server.url,
				locale: 'zh-CN',
				viewport: { width: 1080, height: 1920 }
			});
			try {
				const seen = new NetworkWatch(context);
				const page = await installedDevice(context);
				await seen.refuseCode();
				await kioskSignIn(page, server);
				await context.setOffline(true);

				const routes = AUDITED_ROUTES.filter((route) => route.user === 'kiosk');
				expect(routes.length).toBeGreaterThanOrEqual(3);
				for (const route of [...routes, ENROLMENT]) await openOffline(page, route, ids);

				expect(seen.refused).toEqual([]);
				const notNeeded = await onDemand();
				expect(seen.paths.filter((path) => notNeeded.has(path))).toEqual([]);
			} finally {
				await context.close();
			}
		}
	);
});

/** The demo's kiosk user signs in; the check-in shows and its directory is on the device. */
async function kioskSignIn(page: Page, server: RunningServer): Promise<void> {
	const directory = page.waitForResponse(
		(response) => response.url() === `${server.url}/api/v1/kiosk/directory`
	);
	await new LoginPage(page).signIn('kiosk', DEMO_PASSWORD);
	await new KioskPage(page).waitForStart();
	expect((await directory).status()).toBe(200);
}
