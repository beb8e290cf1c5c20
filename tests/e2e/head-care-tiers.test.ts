// Care tiers on the community head's screens in a real browser against the built app and the
// real server (docs/care-tiers.md): the grid table shows the households due and overdue for a
// visit that the server counts, the settings form refuses a frequency out of range naming it,
// and when the head changes the frequency of a tier the counts follow.
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { addDays } from '../../src/lib/domain/day';
import {
	apiSignIn,
	pushMutations,
	screenshot,
	serverRows,
	test,
	type RunningServer
} from './fixtures';
import { DEMO_PASSWORD } from './fixtures';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const FIRST_GRID = '第一网格';
/** The deployment's zone: the server's days, whatever the browser's and Node's zone. */
const TZ = 'Asia/Shanghai';
const dayInTz = (at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(at);

interface Due {
	visitsDue: number;
	visitsOverdue: number;
}

async function grids(server: RunningServer, token: string, code: string) {
	const response = await fetch(`${server.url}/api/v1/communities/${code}/grids`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	if (!response.ok) throw new Error(`grids: ${response.status}`);
	return (await response.json()) as { metrics: Due; grids: { id: string; metrics: Due }[] };
}

/** The grid table's row of a grid (or the community total), by its header. */
const row = (page: Page, name: string) =>
	page
		.locator('table.grid-table tr')
		.filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

/** Waits until a row of the grid table shows these counts (the screen polls the server). */
async function waitForDue(page: Page, name: string, due: Due): Promise<void> {
	const cells = row(page, name);
	await cells
		.locator('[data-metric="visitsDue"]', { hasText: new RegExp(`^${due.visitsDue}$`) })
		.waitFor({ timeout: 20_000 });
	await cells
		.locator('[data-metric="visitsOverdue"]', { hasText: new RegExp(`^${due.visitsOverdue}$`) })
		.waitFor({ timeout: 20_000 });
}

describe("the community head's care tiers", () => {
	test(
		'the grid table shows the due and overdue households, and they follow a new frequency',
		{ timeout: 180_000 },
		async ({ page, server }) => {
			const head = await apiSignIn(server.url, 'head');
			const community = head.user.scope[0];
			const worker = await apiSignIn(server.url, 'worker1');
			const gridId = worker.user.scope[0];
			const before = await grids(server, head.token, community);
			const gridBefore = before.grids.find((g) => g.id === gridId)!.metrics;

			// Three households of the grid's "elderly alone" tier (7 days by default), each visited
			// by another device on a past day: 10 and 8 days ago (overdue), 7 days ago (due today).
			const rows = await serverRows(server.url, worker.token);
			const alone = [...(rows.households?.entries() ?? [])]
				.filter(([, h]) => h.gridId === gridId && h.careTag === 'elderly_alone')
				.map(([id]) => id)
				.slice(0, 3);
			expect(alone).toHaveLength(3);
			const today = dayInTz(new Date());
			const results = await pushMutations(
				server.url,
				worker.token,
				alone.map((householdId, i) => ({
					table: 'visits',
					op: 'insert' as const,
					fields: {
						householdId,
						visitedAt: new Date(`${addDays(today, -[10, 8, 7][i])}T12:00:00+08:00`).toISOString(),
						outcome: 'visited',
						checks: []
					}
				}))
			);
			expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);
			const after = await grids(server, head.token, community);
			const grid = after.grids.find((g) => g.id === gridId)!.metrics;
			expect([grid.visitsDue, grid.visitsOverdue]).toEqual([
				gridBefore.visitsDue + 3,
				gridBefore.visitsOverdue + 2
			]);

			// The head's grid table shows the server's counts, the community total too.
			const login = new LoginPage(page);
			await login.open();
			await login.signIn('head', DEMO_PASSWORD);
			await page.waitForURL('**/supervise');
			await new LockScreen(page).setRequiredPin();
			autoUnlock(page);
			await page.getByRole('columnheader', { name: '应走访', exact: true }).waitFor();
			await page.getByRole('columnheader', { name: '逾期未走访' }).waitFor();
			await waitForDue(page, FIRST_GRID, grid);
			await waitForDue(page, '全社区合计', after.metrics);
			// Overdue households stand out.
			expect(
				await row(page, FIRST_GRID).locator('[data-metric="visitsOverdue"]').getAttribute('class')
			).toContain('sv-alert');
			await page.locator('table.grid-table').scrollIntoViewIfNeeded();
			await screenshot(page, 'head-care-tiers-grid-table');

			// The settings form: a frequency out of range is refused, naming the tier.
			await page.getByRole('link', { name: '预警设置' }).first().click();
			await page.waitForURL('**/supervise/settings');
			const aloneField = page.getByLabel('独居老人走访间隔（天）');
			await aloneField.waitFor();
			expect(await aloneField.inputValue()).toBe('7');
			expect(await page.getByLabel('逾期未走访预警值').inputValue()).toBe('10');
			await aloneField.fill('0');
			await page.getByRole('button', { name: '保存设置' }).click();
			await page.getByText('独居老人走访间隔（天）须是 1 到 365 之间的整数').waitFor();
			expect(await aloneField.getAttribute('aria-invalid')).toBe('true');
			await page.locator('form').first().screenshot({
				path: 'test-results/e2e/head-care-tiers-settings-error.png'
			});

			// Nine days: the household visited 10 days ago stays overdue; the others are not due.
			await aloneField.fill('9');
			await page.getByLabel('逾期未走访预警值').fill('5');
			await page.getByRole('button', { name: '保存设置' }).click();
			await page.getByText('设置已保存。').waitFor();
			await screenshot(page, 'head-care-tiers-settings');
			const settings = (await (
				await fetch(`${server.url}/api/v1/communities/${community}/settings`, {
					headers: { Authorization: `Bearer ${head.token}` }
				})
			).json()) as {
				thresholds: { visitsOverdue: number };
				visitFrequency: Record<string, number>;
			};
			expect(settings.visitFrequency.elderly_alone).toBe(9);
			expect(settings.thresholds.visitsOverdue).toBe(5);

			const changed = await grids(server, head.token, community);
			const gridChanged = changed.grids.find((g) => g.id === gridId)!.metrics;
			expect([gridChanged.visitsDue, gridChanged.visitsOverdue]).toEqual([
				gridBefore.visitsDue + 1,
				gridBefore.visitsOverdue + 1
			]);
			await page.getByRole('link', { name: '概况', exact: true }).first().click();
			await page.waitForURL('**/supervise');
			await waitForDue(page, FIRST_GRID, gridChanged);
			await waitForDue(page, '全社区合计', changed.metrics);
		}
	);
});
