// The daily reports and the trend in a real browser against the built app and the real server:
// the community head opens a grid from the grid table and sees its figures and its trend with
// dated axis labels, value labels and tooltips; a street officer downloads the street's daily
// report from the division view and it opens as the workbook the server made.
import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, DEMO_PASSWORD, pushMutations, screenshot, serverRows, test } from './fixtures';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const FIRST_GRID = '第一网格';
const ZONE = 'Asia/Shanghai';

async function signIn(page: Page, username: string): Promise<void> {
	const login = new LoginPage(page);
	await login.open();
	await login.signIn(username, DEMO_PASSWORD);
	await page.waitForURL('**/supervise');
	if (username === 'head') {
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
	}
	await login.waitForHeading('辖区概况');
}

/** "3月10日" for 2026-03-10, as the axis writes a day in Chinese. */
const axisDay = (day: string) => `${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

interface TrendDay {
	date: string;
	metrics: { visitedHouseholds: number; overdueIncidents: number };
}

describe('grid trend and daily reports', () => {
	test('the head opens a grid from the table and sees its trend on dated axes', async ({
		page,
		server
	}) => {
		const head = await apiSignIn(server.url, 'head');
		const worker = await apiSignIn(server.url, 'worker1');
		const gridId = worker.user.scope[0];
		// Two households of the grid visited today, so today's point is not zero.
		const rows = await serverRows(server.url, head.token);
		const targets = [...(rows.households?.entries() ?? [])]
			.filter(([, h]) => h.gridId === gridId)
			.slice(0, 2)
			.map(([id]) => id);
		const pushed = await pushMutations(
			server.url,
			worker.token,
			targets.map((householdId) => ({
				table: 'visits',
				op: 'insert' as const,
				fields: { householdId, visitedAt: new Date().toISOString(), outcome: 'visited', checks: [] }
			}))
		);
		expect(pushed.map((r) => r.status)).toEqual(['applied', 'applied']);
		const response = await fetch(`${server.url}/api/v1/rollup/${gridId}/trend?days=14`, {
			headers: { Authorization: `Bearer ${head.token}` }
		});
		const trend = ((await response.json()) as { days: TrendDay[] }).days;
		const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
		expect(trend.at(-1)?.date).toBe(today);
		const visitedToday = trend.at(-1)!.metrics.visitedHouseholds;
		expect(visitedToday).toBeGreaterThanOrEqual(2);

		await signIn(page, 'head');
		await page.getByRole('rowheader', { name: FIRST_GRID }).getByRole('link').click();
		await page.waitForURL((url) => url.searchParams.get('code') === gridId);
		await page.getByRole('heading', { level: 2, name: FIRST_GRID }).waitFor();
		// Back up to the community by the breadcrumbs.
		await page.getByRole('link', { name: '兴宁社区居委会' }).waitFor();

		const chart = page.locator('figure.trend svg');
		await chart.waitFor();
		// The x axis: days of the deployment's zone, oldest first, today last, as "M/D".
		const xLabels = chart.locator('.x-axis text');
		const days = await xLabels.evaluateAll((els) => els.map((e) => e.getAttribute('data-day')));
		const texts = await xLabels.allTextContents();
		expect(days.length).toBeGreaterThanOrEqual(5);
		expect(days.at(-1)).toBe(today);
		expect(days.every((d) => trend.some((t) => t.date === d))).toBe(true);
		expect([...days].sort()).toEqual(days);
		expect(texts).toEqual(days.map((d) => axisDay(d!)));
		// The y axis: round ticks from 0 past the largest value.
		const yTicks = (await chart.locator('.y-axis text').allTextContents()).map(Number);
		expect(yTicks[0]).toBe(0);
		expect(yTicks.at(-1)).toBeGreaterThanOrEqual(
			Math.max(...trend.map((t) => t.metrics.visitedHouseholds))
		);
		// Today's value over its point, and its tooltip with the date and the series.
		expect(await chart.locator('text.value').last().textContent()).toBe(String(visitedToday));
		const [, month, day] = today.split('-').map(Number);
		expect(await chart.locator('circle.visited title').last().textContent()).toBe(
			`${month}月${day}日 走访户数：${visitedToday}`
		);
		await screenshot(page, '36-supervise-grid-trend');
	});

	test("a street officer downloads the street's daily report", async ({ page }) => {
		await signIn(page, 'street');
		const button = page.getByRole('button', { name: /导出汇总表/ });
		await button.waitFor();
		const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
		const book = new ExcelJS.Workbook();
		await book.xlsx.readFile(await download.path());
		const sheet = book.worksheets[0];
		const today = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE }).format(new Date());
		expect(sheet.getCell('A1').value).toBe(`民生街道 网格工作日报汇总（${today}）`);
		expect(sheet.getCell('A4').value).toBe('社区');
		expect(sheet.getCell('A5').value).toBe('兴宁社区居委会');
		expect(sheet.pageSetup.orientation).toBe('landscape');
	});
});
