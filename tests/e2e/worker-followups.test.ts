// A grid worker's follow-ups in the browser against the real server: a one-tap check-in shows
// what was recorded and waits 5 s in the outbox with 撤销, the list not moving under the finger;
// undone, it leaves nothing behind, here or on the server; left alone, it is pushed and 撤销 goes.
// A call button reveals the phone for the reason 联系本人 (audited online, queued offline) and
// opens a tel: link, on the follow-ups and on the household page.
import type { Locator, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { unmaskEntries } from './audit';
import { apiSignIn, screenshot, serverRows, test, type RunningServer } from './fixtures';
import { demoElders } from './kiosk-pages';
import { storedRows, WorkerApp } from './worker-pages';

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** 11:00 in Shanghai (after the default cut-off) on the latest day where that time has passed. */
function lateMorning(): Date {
	const shanghaiDay = new Date(Date.now() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
	const at = new Date(`${shanghaiDay}T03:00:00Z`);
	return at.getTime() > Date.now() ? new Date(at.getTime() - 86_400_000) : at;
}

/** worker1's daily check-in residents who have a phone, in the order the server lists them. */
async function eldersWithPhones(server: RunningServer) {
	const worker = await apiSignIn(server.url, 'worker1');
	const rows = await serverRows(server.url, worker.token);
	const elders = demoElders(server)
		.filter((e) => e.gridId === worker.user.scope[0])
		.map((e) => ({ ...e, phone: rows.residents?.get(e.id)?.phone as string | null }))
		.filter((e): e is typeof e & { phone: string } => typeof e.phone === 'string');
	return { worker, elders };
}

async function serverCheckins(server: RunningServer, token: string, residentId: string) {
	const rows = await serverRows(server.url, token);
	return [...(rows.checkins?.values() ?? [])].filter((c) => c.residentId === residentId);
}

/**
 * What the page asks the device to dial. Headless Chromium has no dialler: a tel: link it follows
 * leaves the page unable to navigate, so the test takes the place of the dialler and records the
 * number instead of letting the browser hand it on.
 */
async function recordDialling(page: Page): Promise<() => Promise<string[]>> {
	await page.addInitScript(() => {
		const w = window as unknown as { dialled: string[] };
		w.dialled = [];
		document.addEventListener(
			'click',
			(event) => {
				const link = (event.target as Element | null)?.closest?.('a[href^="tel:"]');
				if (!link) return;
				w.dialled.push(link.getAttribute('href') ?? '');
				event.preventDefault();
			},
			true
		);
	});
	return () => page.evaluate(() => (window as unknown as { dialled: string[] }).dialled);
}

/**
 * Where a row and the row after it sit in their list. Measured from the list's own top, so a notice
 * above the list that closes by itself (the PIN notice does after ten seconds) is not mistaken for
 * the list moving.
 */
async function layout(row: Locator, next: Locator) {
	const list = row.locator('xpath=..');
	const [a, b, l] = await Promise.all([row.boundingBox(), next.boundingBox(), list.boundingBox()]);
	return { top: a!.y - l!.y, height: a!.height, nextTop: b!.y - l!.y };
}

/** The page's check-ins of a resident and the outbox entries of check-ins, from IndexedDB. */
async function stored(page: Page, userId: string, residentId: string) {
	const [checkins, outbox] = await Promise.all([
		storedRows(page, userId, 'checkins'),
		storedRows(page, userId, 'outbox')
	]);
	return {
		checkins: checkins.filter((c) => c.residentId === residentId),
		outbox: outbox.filter((e) => e.table === 'checkins')
	};
}

describe('worker follow-ups', () => {
	test(
		'a tapped check-in can be undone for 5 s without the list moving; left alone it is pushed',
		{ timeout: 180_000 },
		async ({ page, server }) => {
			const { worker, elders } = await eldersWithPhones(server);
			expect(elders.length).toBeGreaterThan(1);
			await page.clock.install({ time: lateMorning() });
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const section = page.getByRole('region', { name: '今日待跟进：未签到的长辈' });
			const count = section.getByText(/^\d+ 位居民今天还没有签到。$/);
			await count.waitFor({ timeout: 60_000 });
			const waiting = Number(/\d+/.exec(await count.innerText())![0]);

			const rows = section.locator('li');
			const names = await rows.locator('.who a').allInnerTexts();
			// A resident with a row after theirs, to see that nothing below moves.
			const target = elders.find(
				(e) => names.indexOf(e.name) >= 0 && names.indexOf(e.name) < names.length - 1
			);
			expect(target).toBeDefined();
			const index = names.indexOf(target!.name);
			const row = rows.nth(index);
			const next = rows.nth(index + 1);
			const before = await layout(row, next);

			// Tap: the row shows what was recorded, with 撤销, in the same place and height.
			await row.getByRole('button', { name: '身体不舒服' }).click();
			const undo = row.getByRole('button', { name: `撤销${target!.name}的记录` });
			await undo.waitFor();
			await row.getByText('已记录：身体不舒服').waitFor();
			await row.getByText(/^\d 秒内可撤销$/).waitFor();
			expect(await layout(row, next)).toEqual(before);
			await section.getByText(`${waiting - 1} 位居民今天还没有签到。`).waitFor();
			await screenshot(page, 'fu01-recorded-with-undo');
			const held = await stored(page, worker.user.id, target!.id);
			expect(held.checkins).toHaveLength(1);
			expect(held.outbox).toMatchObject([{ attempts: 0, holdUntil: expect.any(Number) }]);
			expect(await app.unsyncedCount()).toBe(1);

			// 撤销: the outbox entry and the local row go; the row is as before the tap.
			await undo.click();
			await row.getByRole('button', { name: '身体不舒服' }).waitFor();
			expect(await row.getByText('已记录：身体不舒服').count()).toBe(0);
			expect(await layout(row, next)).toEqual(before);
			expect(await stored(page, worker.user.id, target!.id)).toEqual({ checkins: [], outbox: [] });
			await app.waitForUnsynced(0);
			await section.getByText(`${waiting} 位居民今天还没有签到。`).waitFor();
			// Past the hold and a sync later, the server never saw it.
			await page.waitForTimeout(5_500);
			await app.syncNow();
			await app.waitForUnsynced(0);
			expect(await serverCheckins(server, worker.token, target!.id)).toEqual([]);

			// Tap and wait: it is pushed and 撤销 goes; the row stays, showing it is synced.
			await row.getByRole('button', { name: '平安' }).click();
			await undo.waitFor();
			await undo.waitFor({ state: 'detached', timeout: 15_000 });
			await row.getByText('已同步').waitFor({ timeout: 30_000 });
			await row.getByText('已记录：平安').waitFor();
			expect(await layout(row, next)).toEqual(before);
			await app.waitForUnsynced(0);
			await screenshot(page, 'fu02-recorded-synced');
			const pushed = await serverCheckins(server, worker.token, target!.id);
			expect(pushed).toHaveLength(1);
			expect(pushed[0]).toMatchObject({
				status: 'fine',
				channel: 'worker',
				recordedBy: worker.user.id
			});
			expect(await stored(page, worker.user.id, target!.id)).toMatchObject({
				checkins: [{ status: 'fine', version: expect.any(Number) }],
				outbox: []
			});
		}
	);

	test(
		'a call reveals the phone for 联系本人, audited online and offline, and opens tel:',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const { worker, elders } = await eldersWithPhones(server);
			const dialled = await recordDialling(page);
			await page.clock.install({ time: lateMorning() });
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			const audited = unmaskEntries(server).length;

			// On the follow-ups, online: the server answers and audits the reveal.
			const section = page.getByRole('region', { name: '今日待跟进：未签到的长辈' });
			await section.getByText(/位居民今天还没有签到。$/).waitFor({ timeout: 60_000 });
			const names = await section.locator('li .who a').allInnerTexts();
			const first = elders.find((e) => names.includes(e.name))!;
			expect(first).toBeDefined();
			const row = section.locator('li').nth(names.indexOf(first.name));
			const masked = `${first.phone.slice(0, 3)}****${first.phone.slice(-4)}`;
			await row.getByText(masked).waitFor();
			expect(await section.innerText()).not.toContain(first.phone);
			await row.getByRole('button', { name: `给${first.name}打电话` }).click();
			const link = row.getByRole('link', { name: `拨打 ${first.phone}` });
			await link.waitFor();
			expect(await link.getAttribute('href')).toBe(`tel:${first.phone}`);
			// The call is handed to the dialler at once; the app stays where it was.
			expect(await dialled()).toEqual([`tel:${first.phone}`]);
			expect(new URL(page.url()).pathname).toBe('/worker');
			await screenshot(page, 'fu03-call-from-followups');
			expect(unmaskEntries(server).slice(audited)).toMatchObject([
				{ user_id: worker.user.id, reason: 'contact_resident', subject_id: first.id }
			]);

			// On the household page (from the follow-up's link), offline: the device's copy, and the
			// audit entry waits to be sent.
			const second = elders.find((e) => e.id !== first.id && names.includes(e.name))!;
			expect(second).toBeDefined();
			await section.getByRole('link', { name: second.name, exact: true }).click();
			await page.waitForURL(`**/worker/household/${second.householdId}`);
			const member = page.locator('li.member').filter({ hasText: second.name });
			await member.getByText(`${second.phone.slice(0, 3)}****${second.phone.slice(-4)}`).waitFor();
			await context.setOffline(true);
			await member.getByRole('button', { name: `给${second.name}打电话` }).click();
			await member.getByText('离线查看，已记入待同步的审计日志。').waitFor();
			const offlineLink = member.getByRole('link', { name: `拨打 ${second.phone}` });
			expect(await offlineLink.getAttribute('href')).toBe(`tel:${second.phone}`);
			expect(await dialled()).toEqual([`tel:${first.phone}`, `tel:${second.phone}`]);
			expect(new URL(page.url()).pathname).toBe(`/worker/household/${second.householdId}`);
			await screenshot(page, 'fu04-call-offline');
			await app.waitForUnsynced(1);
			expect(unmaskEntries(server)).toHaveLength(audited + 1);

			await context.setOffline(false);
			await app.syncNow();
			await app.waitForUnsynced(0);
			const entries = unmaskEntries(server).slice(audited);
			expect(entries).toHaveLength(2);
			expect(entries[1]).toMatchObject({
				user_id: worker.user.id,
				reason: 'contact_resident',
				subject_id: second.id
			});
			expect(JSON.parse(entries[1].details)).toMatchObject({ field: 'phone', offline: true });
		}
	);
});
