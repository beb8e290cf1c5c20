// A check round started by the community head reaches the grid worker's tablet: the home screen
// names the round and counts coverage over it; the household list and the map say "this round".
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, test, VIEWPORTS } from './fixtures';
import { MapPage } from './pages';
import { WorkerApp } from './worker-pages';

/** A local calendar day, `days` from today, as YYYY-MM-DD. */
function localDate(days: number): string {
	const now = new Date();
	const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

describe('check rounds on the worker tablet', () => {
	test(
		'a round the community head starts shows on the worker home screen with its coverage',
		{ timeout: 180_000 },
		async ({ page, server }) => {
			const head = await apiSignIn(server.url, 'head');
			const name = '冬季安全排查';
			const response = await fetch(`${server.url}/api/v1/rounds`, {
				method: 'POST',
				headers: { authorization: `Bearer ${head.token}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					divisionCode: head.user.scope[0],
					name,
					startDate: localDate(0),
					dueDate: localDate(7)
				})
			});
			expect(response.status).toBeLessThan(300);

			await page.setViewportSize(VIEWPORTS.tablet);
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const meter = page.getByText(new RegExp(`^${name}：已走访 \\d+ / \\d+ 户（.+ 截止）`));
			await meter.first().waitFor({ timeout: 60_000 });
			expect(await page.getByText('本月已走访').count()).toBe(0);
			await screenshot(page, 'w60-worker-home-round-tablet');

			// The grid's list counts "not visited" over the round and says so.
			await page
				.getByRole('link', { name: /第一网格/ })
				.first()
				.click();
			await page.getByRole('button', { name: /本轮未走访/ }).waitFor({ timeout: 30_000 });
			expect(await page.getByText('本月未走访').count()).toBe(0);
			expect(await page.getByText('本轮未走访').count()).toBeGreaterThan(1);

			// The map colours by the round, and its intro and legend say so, naming the round.
			const map = new MapPage(page);
			await map.open();
			const intro = page.getByText(/^按本轮排查/);
			expect((await intro.innerText()).trim()).toBe(
				`按本轮排查“${name}”的走访情况显示住户位置。点击圆点可查看地址并进入住户详情。`
			);
			const legend = await map.legend().innerText();
			expect(legend).toMatch(/本轮已走访 \d+ 户/);
			expect(legend).toMatch(/本轮未走访 \d+ 户/);
			expect(legend).not.toContain('本月');
			expect(await page.getByText(/本月/).count()).toBe(0);
			await screenshot(page, 'w61-worker-map-round-tablet');

			await map.switchLanguage('English');
			await page.getByRole('region', { name: 'Key' }).waitFor();
			expect(
				await page.getByText(`Households by visits in this check round, “${name}”.`).count()
			).toBe(1);
			const legendEn = await page.getByRole('region', { name: 'Key' }).innerText();
			expect(legendEn).toContain('Visited this round');
			expect(legendEn).toContain('Not visited this round');
			expect(legendEn).not.toContain('this month');
		}
	);
});
