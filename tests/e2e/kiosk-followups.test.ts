// Missed daily check-ins on the grid worker's home, in the browser against the real server:
// after the cut-off, residents who check in daily and have not (a kiosk check-in counts) are
// today's follow-ups; one tap after a visit or a call records a "worker" check-in that closes
// the follow-up and reaches the server (after its few seconds' undo window).
import { describe, expect } from 'vitest';
import { apiSignIn, pushMutations, serverRows, test } from './fixtures';
import { demoElders } from './kiosk-pages';
import { WorkerApp } from './worker-pages';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** 11:00 in Shanghai on the latest day where that time has already passed. */
function lateMorning(): Date {
	const shanghaiDay = new Date(Date.now() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
	const at = new Date(`${shanghaiDay}T03:00:00Z`);
	return at.getTime() > Date.now() ? new Date(at.getTime() - 86_400_000) : at;
}

describe('missed check-ins', () => {
	test(
		"a worker's follow-up closes with a worker check-in that reaches the server",
		{ timeout: 180_000 },
		async ({ page, server }) => {
			const worker = await apiSignIn(server.url, 'worker1');
			const gridId = worker.user.scope[0];
			const elders = demoElders(server).filter((e) => e.gridId === gridId);
			const rows = await serverRows(server.url, worker.token);
			const daily = [...(rows.residents?.entries() ?? [])].filter(
				([, r]) => r.gridId === gridId && r.dailyCheckIn === true
			);
			expect(elders.length).toBeGreaterThan(1);

			// One of them has already checked in at the kiosk this morning.
			const now = lateMorning();
			const kiosk = await apiSignIn(server.url, 'kiosk');
			const early = elders[0];
			const pushed = await pushMutations(server.url, kiosk.token, [
				{
					table: 'checkins',
					op: 'insert',
					fields: {
						residentId: early.id,
						at: new Date(now.getTime() - 3_600_000).toISOString(),
						status: 'fine',
						channel: 'kiosk'
					}
				}
			]);
			expect(pushed[0].status).toBe('applied');

			await page.clock.install({ time: now });
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const section = page.getByRole('region', { name: '今日待跟进：未签到的长辈' });
			await section.getByText(`${daily.length - 1} 位居民今天还没有签到。`).waitFor({
				timeout: 60_000
			});
			expect(await section.getByRole('link', { name: early.name, exact: true }).count()).toBe(0);

			const target = elders[1];
			const outcome = section.getByRole('group', { name: `${target.name} 的情况` });
			await outcome.getByRole('button', { name: '身体不舒服' }).click();
			await section.getByText(`${daily.length - 2} 位居民今天还没有签到。`).waitFor();
			// The row stays where it was, showing what was recorded, until the page is left.
			const row = section
				.locator('li')
				.filter({ has: page.getByRole('link', { name: target.name, exact: true }) });
			await row.getByText('已记录：身体不舒服').waitFor();
			await app.waitForUnsynced(0);

			const after = await serverRows(server.url, worker.token);
			const checkins = [...(after.checkins?.values() ?? [])].filter(
				(c) => c.residentId === target.id
			);
			expect(checkins).toHaveLength(1);
			expect(checkins[0]).toMatchObject({
				status: 'unwell',
				channel: 'worker',
				recordedBy: worker.user.id
			});
		}
	);
});
