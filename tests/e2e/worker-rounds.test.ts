// A check round started by the community head reaches the grid worker's tablet: the home screen
// names the round and counts coverage over it.
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, test, VIEWPORTS } from './fixtures';
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
		}
	);
});
