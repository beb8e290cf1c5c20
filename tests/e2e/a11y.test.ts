// axe-core on every screen of the built app (tests/e2e/a11y-routes.ts), in the standard look and
// in elderly + high-contrast mode, where the AAA contrast rule (7:1) is switched on as well.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { test } from './fixtures';
import { AUDITED_ROUTES, demoIds, signedInPage } from './a11y-routes';

const MODES = {
	standard: null,
	'elderly + high contrast': { elderly: true, highContrast: true }
} as const;

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
