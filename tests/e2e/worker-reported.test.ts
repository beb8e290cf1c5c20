// The reporter hears back (README, "The grid worker's tablet"): "我上报的" on the worker's home
// follows an incident they reported through 上报, 受理 and 办结 as the device pulls the head's moves.
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, test } from './fixtures';
import { demoElders } from './kiosk-pages';
import { WorkerApp } from './worker-pages';

describe('reported by me', () => {
	test('the worker sees where the incident they reported stands, in the seeds’ words', async ({
		page,
		server
	}) => {
		const worker = await apiSignIn(server.url, 'worker1');
		const head = await apiSignIn(server.url, 'head');
		const home = demoElders(server).find((e) => e.gridId === worker.user.scope[0])!;
		const description = `楼道灯坏了 ${randomUUID().slice(0, 8)}`;
		const incidentId = randomUUID();
		// Reported from another device of the same worker: it reaches this one by pull.
		const pushed = await fetch(`${server.url}/api/v1/sync/push`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${worker.token}` },
			body: JSON.stringify({
				deviceId: 'e2e-fixture',
				mutations: [
					{
						id: randomUUID(),
						table: 'incidents',
						op: 'insert',
						rowId: incidentId,
						fields: {
							gridId: home.gridId,
							householdId: home.householdId,
							category: 'safety',
							severity: 'low',
							description,
							status: 'reported'
						}
					}
				]
			})
		});
		expect(pushed.status).toBe(200);

		const app = new WorkerApp(page);
		await app.signIn('worker1');
		await app.waitForHome();
		const mine = page.getByRole('region', { name: '我上报的' });
		const item = mine.getByRole('listitem').filter({ hasText: description });
		await expect.poll(() => item.innerText(), { timeout: 30_000 }).toContain('上报');

		const move = async (to: string) => {
			const response = await fetch(`${server.url}/api/v1/incidents/${incidentId}/transition`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${head.token}` },
				body: JSON.stringify({ to })
			});
			expect(response.status, to).toBe(200);
		};
		await move('accepted');
		await app.syncNow();
		await expect.poll(() => item.innerText(), { timeout: 30_000 }).toContain('受理');
		for (const to of ['in_progress', 'resolved', 'verified', 'closed']) await move(to);
		await app.syncNow();
		await expect.poll(() => item.innerText(), { timeout: 30_000 }).toContain('办结');
		await screenshot(page, 'w40-reported-by-me');
	});
});
