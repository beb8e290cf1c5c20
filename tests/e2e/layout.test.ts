// Every screen lays out at every size, in the standard look and in 长辈版 with high contrast: no
// line breaks inside a word and nothing wider than the viewport (tests/e2e/layout-check.ts).
// One page per user and mode is reused for all routes; each screen is measured at each size by
// resizing the viewport, without loading it again.
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { test } from './fixtures';
import { AUDITED_ROUTES, demoIds, signedInPage, type AuditedRoute } from './a11y-routes';
import { layoutProblems } from './layout-check';

const MODES = {
	standard: { elderly: false, highContrast: false },
	'elderly + high contrast': { elderly: true, highContrast: true }
} as const;

/** A worker's phone, a tablet (or small laptop) held sideways, an office desktop. */
const SIZES = {
	phone: { width: 390, height: 844 },
	tablet: { width: 1280, height: 800 },
	desktop: { width: 1440, height: 900 }
} as const;

/** The community's self-service terminals: tall, landscape, and a small portrait tablet. */
const KIOSK_SIZES = {
	'kiosk portrait': { width: 1080, height: 1920 },
	'kiosk landscape': { width: 1280, height: 800 },
	'tablet portrait': { width: 800, height: 1280 }
} as const;

const heading = (name: string | RegExp) => (page: Page) =>
	page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 60_000 });

/** Screens not in the accessibility list, and the views of the other supervision levels. */
const MORE_ROUTES: AuditedRoute[] = [
	{ name: 'not found', user: null, path: () => '/no-such-page', ready: heading(/.+/) },
	{
		name: 'household form',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}/edit`,
		ready: (page) => page.locator('form').first().waitFor({ timeout: 60_000 })
	},
	{
		name: 'new household form',
		user: 'worker1',
		path: (ids) => `/worker/grid/${ids.gridId}/household-new`,
		ready: (page) => page.locator('form').first().waitFor({ timeout: 60_000 })
	},
	{
		name: 'new resident form',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}/resident-new`,
		ready: (page) => page.locator('form').first().waitFor({ timeout: 60_000 })
	},
	{
		name: 'supervise grids',
		user: 'head',
		path: () => '/supervise',
		ready: (page) => page.getByRole('table').first().waitFor({ timeout: 60_000 })
	},
	{ name: 'supervise map', user: 'head', path: () => '/supervise/map', ready: heading(/.+/) },
	{
		name: 'supervise incidents',
		user: 'head',
		path: () => '/supervise/incidents',
		ready: heading(/.+/)
	},
	{
		name: 'supervise incident',
		user: 'head',
		path: (ids) => `/supervise/incidents/${ids.incidentId}`,
		ready: (page) => page.locator('#incident-what').waitFor({ timeout: 60_000 })
	},
	{ name: 'rounds', user: 'head', path: () => '/supervise/rounds', ready: heading(/.+/) },
	{
		name: 'supervise settings',
		user: 'head',
		path: () => '/supervise/settings',
		ready: heading(/.+/)
	},
	{ name: 'audit', user: 'head', path: () => '/audit', ready: heading(/.+/) },
	{ name: 'duplicates', user: 'head', path: () => '/duplicates', ready: heading(/.+/) },
	{
		name: 'street rollup',
		user: 'street',
		path: () => '/supervise',
		ready: (page) => page.getByRole('table').first().waitFor({ timeout: 60_000 })
	},
	{
		name: 'roster import, admin choosing a community',
		user: 'admin',
		path: () => '/import?code=450102001',
		ready: (page) => page.getByRole('heading', { level: 2, name: '选择要导入名册的社区' }).waitFor()
	},
	{
		name: 'county rollup',
		user: 'county',
		path: () => '/supervise',
		ready: (page) => page.getByRole('table').first().waitFor({ timeout: 60_000 })
	}
];

const isKiosk = (route: AuditedRoute) => route.path(PLACEHOLDER_IDS).startsWith('/kiosk');
const PLACEHOLDER_IDS = {
	gridId: '',
	householdId: '',
	residentId: '',
	incidentId: '',
	elder: { tail: '', maskedName: '' }
};
const ROUTES = [...AUDITED_ROUTES, ...MORE_ROUTES];
const SCREENS = ROUTES.filter((route) => !isKiosk(route));
const KIOSK_SCREENS = ROUTES.filter(isKiosk);

/** Nothing is loading any more, the fonts are in, and a frame has been laid out. */
async function settle(page: Page): Promise<void> {
	await page.waitForFunction(() => !document.querySelector('main .loading'), undefined, {
		timeout: 30_000
	});
	await page.evaluate(async () => {
		await document.fonts.ready;
		await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
	});
}

async function walk(
	browser: Parameters<typeof signedInPage>[0],
	server: Parameters<typeof signedInPage>[1],
	routes: AuditedRoute[],
	modes: (typeof MODES)[keyof typeof MODES],
	modeName: string,
	sizes: Record<string, { width: number; height: number }>
): Promise<string[]> {
	const ids = await demoIds(server);
	const pages = new Map<string | null, Page>();
	const failures: string[] = [];
	try {
		for (const route of routes) {
			let page = pages.get(route.user);
			if (!page) {
				page = await signedInPage(browser, server, route.user, modes);
				pages.set(route.user, page);
			}
			const [first] = Object.values(sizes);
			await page.setViewportSize(first);
			await page.goto(route.path(ids));
			await route.ready(page);
			await route.then?.(page, ids);
			expect(await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))).toBe(
				modes.elderly
			);
			for (const [sizeName, size] of Object.entries(sizes)) {
				await page.setViewportSize(size);
				await settle(page);
				for (const problem of await layoutProblems(page))
					failures.push(`${route.name}, ${modeName}, ${sizeName}: ${problem}`);
			}
		}
	} finally {
		for (const page of pages.values()) await page.context().close();
	}
	return failures;
}

/** The header's boxes on a phone: its height and every control a finger taps in it. */
async function headerOnPhone(page: Page) {
	return page.evaluate(() => {
		const header = document.querySelector('header')!;
		const visible = (e: Element) => e.checkVisibility({ visibilityProperty: true });
		const targets = [...header.querySelectorAll('a, button, input')].filter(visible).map((e) => {
			const box = e.getBoundingClientRect();
			return { text: e.textContent!.trim(), width: box.width, height: box.height };
		});
		return { height: header.getBoundingClientRect().height, targets };
	});
}

describe('layout', () => {
	for (const [modeName, modes] of Object.entries(MODES))
		test(
			`on a phone the header is one compact bar with large targets, ${modeName}`,
			{ timeout: 120_000 },
			async ({ browser, server }) => {
				const minTarget = modes.elderly ? 60 : 44;
				for (const user of ['worker1', 'head', null]) {
					const page = await signedInPage(browser, server, user, modes, SIZES.phone);
					try {
						if (!user) await page.goto('/login');
						await heading(/.+/)(page);
						// Users who sync see the unsynced count in the bar; wait for the first sync.
						if (user)
							await page
								.getByRole('link', { name: '已同步', exact: true })
								.waitFor({ timeout: 60_000 });
						await settle(page);
						const { height, targets } = await headerOnPhone(page);
						// 15 % of the screen at most, well under it in fact: one row of controls.
						expect(height, `${user}: header height`).toBeLessThan(0.12 * SIZES.phone.height);
						for (const target of targets) {
							expect(target.height, `${user}: ${target.text}`).toBeGreaterThanOrEqual(minTarget);
							expect(target.width, `${user}: ${target.text}`).toBeGreaterThanOrEqual(minTarget);
						}
						expect(targets.map((t) => t.text)).toContain('菜单');

						// The rest is one tap away, the display modes two: open the menu, then switch.
						await page.getByRole('button', { name: '菜单' }).click();
						await page.getByRole('button', { name: 'English', exact: true }).waitFor();
						if (user) await page.getByRole('button', { name: '退出登录' }).waitFor();
						await page.getByRole('switch', { name: /长辈版/ }).click();
						expect(
							await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))
						).toBe(!modes.elderly);
						await page.keyboard.press('Escape');
						await page.getByRole('button', { name: 'English', exact: true }).waitFor({
							state: 'hidden'
						});
					} finally {
						await page.context().close();
					}
				}
			}
		);

	for (const [modeName, modes] of Object.entries(MODES)) {
		test(
			`every screen fits phone, tablet and desktop without breaking a word, ${modeName}`,
			{ timeout: 300_000 },
			async ({ browser, server }) => {
				const failures = await walk(browser, server, SCREENS, modes, modeName, SIZES);
				expect(failures.join('\n')).toBe('');
			}
		);

		for (const route of KIOSK_SCREENS)
			test(
				`the kiosk's ${route.name} fits its three sizes without breaking a word, ${modeName}`,
				{ timeout: 120_000 },
				async ({ browser, server }) => {
					const failures = await walk(browser, server, [route], modes, modeName, KIOSK_SIZES);
					expect(failures.join('\n')).toBe('');
				}
			);
	}
});
