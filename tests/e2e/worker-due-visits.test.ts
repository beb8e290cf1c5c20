// Today's due visits on the worker tablet (docs/care-tiers.md), in a real browser against the
// built app and the real server: households seeded through the API are overdue by their tier or
// due after an unwell check-in yesterday; offline, the home lists them overdue first with why, a
// visit recorded offline clears its household at once, and the household list's due and overdue
// filters show the same households.
import { describe, expect } from 'vitest';
import { addDays, dayInZone } from '../../src/lib/domain/day';
import { apiSignIn, pushMutations, screenshot, test, VIEWPORTS } from './fixtures';
import { HouseholdListPage, HouseholdPage, VisitFormPage, WorkerApp } from './worker-pages';

/** The deployment's zone (the server's default): days are its calendar days, not the browser's. */
const TZ = 'Asia/Shanghai';
/** Noon of a day `days` from today on the deployment's calendar, as an instant. */
const noonOf = (days: number) =>
	new Date(`${addDays(dayInZone(new Date(), TZ), days)}T12:00:00+08:00`).toISOString();

const ALONE = '关爱路1号';
const PLAIN = '关爱路2号';
const UNWELL = '关爱路3号';

describe('today’s due visits on the worker tablet', () => {
	test(
		'offline, the home lists due visits overdue first with why; a visit recorded offline clears one; the list filters due and overdue',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const { token, user } = await apiSignIn(server.url, 'worker1');
			const gridId = user.scope[0];
			const [alone, plain, unwell] = [
				crypto.randomUUID(),
				crypto.randomUUID(),
				crypto.randomUUID()
			];
			const unwellResident = crypto.randomUUID();
			const results = await pushMutations(server.url, token, [
				// An elderly resident living alone, last visited 10 days ago: 7 days, overdue 3.
				{ table: 'households', op: 'insert', rowId: alone, fields: { gridId, address: ALONE } },
				{
					table: 'residents',
					op: 'insert',
					fields: { householdId: alone, name: '覃秀兰', tags: ['elderly_alone'] }
				},
				{
					table: 'visits',
					op: 'insert',
					fields: { householdId: alone, visitedAt: noonOf(-10), outcome: 'visited', checks: [] }
				},
				// No care tag, last visited 92 days ago: 90 days, overdue 2.
				{ table: 'households', op: 'insert', rowId: plain, fields: { gridId, address: PLAIN } },
				{
					table: 'visits',
					op: 'insert',
					fields: { householdId: plain, visitedAt: noonOf(-92), outcome: 'visited', checks: [] }
				},
				// Registered today, but a resident checked in unwell yesterday: due today.
				{ table: 'households', op: 'insert', rowId: unwell, fields: { gridId, address: UNWELL } },
				{
					table: 'residents',
					op: 'insert',
					rowId: unwellResident,
					fields: { householdId: unwell, name: '黄志强' }
				},
				{
					table: 'checkins',
					op: 'insert',
					fields: {
						residentId: unwellResident,
						at: noonOf(-1),
						status: 'unwell',
						channel: 'worker'
					}
				}
			]);
			expect(results.map((r) => r.reason ?? r.status)).toEqual(results.map(() => 'applied'));

			// Online: sign in; the first download brings the households with their due days.
			await page.setViewportSize(VIEWPORTS.tablet);
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const due = page.getByRole('region', { name: /^今日应访/ });
			await due.getByRole('heading', { name: '今日应访 · 3 户' }).waitFor({ timeout: 60_000 });
			await app.waitForServiceWorkerControl();

			// No network from here on.
			await context.setOffline(true);
			await page.goto('/worker');
			await due.getByRole('heading', { name: '今日应访 · 3 户' }).waitFor({ timeout: 30_000 });
			const rows = async () =>
				(await due.getByRole('listitem').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
			expect(await rows()).toEqual([
				`${ALONE} 逾期 3 天 独居老人 · 已 10 天未走访`,
				`${PLAIN} 逾期 2 天 常规走访 · 已 92 天未走访`,
				`${UNWELL} 今日到期 昨日身体不适`
			]);
			expect(await due.getByText('其中 2 户已逾期，排在前面。').count()).toBe(1);
			await screenshot(page, 'w80-home-due-visits-tablet');

			// Tapping a household opens it; a visit recorded there offline clears it from the list.
			await due.getByRole('link', { name: new RegExp(`^${ALONE}`) }).click();
			const household = new HouseholdPage(page);
			await page.getByRole('heading', { level: 2, name: '家庭成员' }).waitFor();
			expect(page.url()).toContain(`/worker/household/${alone}`);
			await household.recordVisit();
			await new VisitFormPage(page).saveAllFine();
			await household.saved().waitFor();
			expect(await household.pendingVisits()).toBe(1);
			await page.goto('/worker');
			await due.getByRole('heading', { name: '今日应访 · 2 户' }).waitFor({ timeout: 30_000 });
			expect(await rows()).toEqual([
				`${PLAIN} 逾期 2 天 常规走访 · 已 92 天未走访`,
				`${UNWELL} 今日到期 昨日身体不适`
			]);
			await screenshot(page, 'w81-home-due-visits-after-visit-tablet');

			// The grid's household list, still offline: due and overdue filters.
			const list = new HouseholdListPage(page);
			await list.open(gridId);
			await list.filter('今日应访').click();
			await list.waitForShown(2);
			expect(await list.addresses()).toEqual([PLAIN, UNWELL]);
			await list.filter('今日应访').click();
			await list.filter('走访逾期').click();
			await list.waitForShown(1);
			expect(await list.addresses()).toEqual([PLAIN]);
			expect(await list.list.getByText('走访逾期').count()).toBe(1);
			await screenshot(page, 'w82-household-list-overdue-tablet');
		}
	);
});
