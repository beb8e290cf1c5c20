// axe-core on every screen of the built app (tests/e2e/a11y-routes.ts), in the standard look and
// in elderly + high-contrast mode, where the AAA contrast rule (7:1) is switched on as well.
import { randomUUID } from 'node:crypto';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import {
	apiSignIn,
	DEMO_PASSWORD,
	pushMutations,
	serverRows,
	test,
	type RunningServer
} from './fixtures';
import { AUDITED_ROUTES, type DemoIds } from './a11y-routes';
import { demoElders } from './kiosk-pages';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const MODES = {
	standard: null,
	'elderly + high contrast': { elderly: true, highContrast: true }
} as const;

async function demoIds(server: RunningServer): Promise<DemoIds> {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const gridId = user.scope[0];
	const rows = await serverRows(server.url, token);
	const resident = [...(rows.residents?.entries() ?? [])].find(
		([, r]) => typeof r.householdId === 'string' && r.gridId === gridId
	)!;
	const [elder] = demoElders(server);
	const incidentId = randomUUID();
	const [reported] = await pushMutations(server.url, token, [
		{
			table: 'incidents',
			op: 'insert',
			rowId: incidentId,
			fields: {
				gridId,
				householdId: resident[1].householdId,
				category: 'help_request',
				severity: 'medium',
				description: '需要帮忙代买药品（测试）',
				status: 'reported'
			}
		}
	]);
	if (reported.status !== 'applied') throw new Error(`incident: ${reported.reason}`);
	return {
		gridId,
		householdId: resident[1].householdId as string,
		residentId: resident[0],
		incidentId,
		elder: { tail: elder.tail, maskedName: elder.maskedName }
	};
}

async function signedInPage(
	browser: Browser,
	server: RunningServer,
	user: string | null,
	modes: (typeof MODES)[keyof typeof MODES]
): Promise<Page> {
	const context = await browser.newContext({
		baseURL: server.url,
		locale: 'zh-CN',
		viewport: { width: 1280, height: 860 }
	});
	if (modes)
		await context.addInitScript((value) => {
			localStorage.setItem('gridcare:modes', value);
		}, JSON.stringify(modes));
	const page = await context.newPage();
	if (user) {
		const login = new LoginPage(page);
		await login.open();
		await login.signIn(user, DEMO_PASSWORD);
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
		// Workers and heads cache personal data: the app asks for a PIN before showing any of it.
		if (user === 'worker1' || user === 'head') {
			await new LockScreen(page).setRequiredPin();
			autoUnlock(page);
		}
	}
	return page;
}

describe('accessibility (axe)', () => {
	for (const [modeName, modes] of Object.entries(MODES))
		test(
			`no violations on any route, ${modeName}`,
			{ timeout: 300_000 },
			async ({ browser, server }) => {
				const ids = await demoIds(server);
				const pages = new Map<string | null, Page>();
				const failures: string[] = [];
				try {
					for (const route of AUDITED_ROUTES) {
						let page = pages.get(route.user);
						if (!page) {
							page = await signedInPage(browser, server, route.user, modes);
							pages.set(route.user, page);
						}
						await page.goto(route.path(ids));
						await route.ready(page);
						await route.then?.(page, ids);
						if (modes)
							expect(
								await page.evaluate(() => [
									document.documentElement.hasAttribute('data-elderly'),
									document.documentElement.dataset.contrast
								])
							).toEqual([true, 'high']);
						let builder = new AxeBuilder({ page });
						if (modes)
							builder = builder.options({
								rules: { 'color-contrast-enhanced': { enabled: true } }
							});
						const result = await builder.analyze();
						for (const v of result.violations)
							failures.push(
								`${route.name}: ${v.id} (${v.impact}) ${v.help}\n    ${v.nodes
									.slice(0, 4)
									.map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`)
									.join('\n    ')}`
							);
					}
				} finally {
					for (const page of pages.values()) await page.context().close();
				}
				expect(failures.join('\n')).toBe('');
			}
		);
});
