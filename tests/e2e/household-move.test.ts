// Changes of place and scope reaching the devices (docs/administration.md, "Moving households
// and changing scopes"), in real browsers against the built app and the demo server: the head
// moves a household of worker1's grid to worker2's; worker1's tablet drops it on its next sync
// and worker2's shows it with its visit history. Then worker1 is given a second grid: their
// tablet downloads it and keeps a visit recorded offline before.
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import {
	apiSignIn,
	pushMutations,
	screenshot,
	test,
	VIEWPORTS,
	type RunningServer
} from './fixtures';
import { HouseholdPage, storedRows, VisitFormPage, WorkerApp } from './worker-pages';

function query<T>(server: RunningServer, sql: string, ...args: unknown[]): T[] {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		return db.prepare(sql).all(...args) as T[];
	} finally {
		db.close();
	}
}

/** Poll until `check` holds (the sync engine works in the background). */
async function eventually(page: Page, check: () => Promise<boolean>, what: string) {
	const deadline = Date.now() + 60_000;
	while (Date.now() < deadline) {
		if (await check()) return;
		await page.waitForTimeout(300);
	}
	throw new Error(`never: ${what}`);
}

const ids = async (page: Page, userId: string, store: string) =>
	new Set((await storedRows(page, userId, store)).map((r) => r.id as string));

describe('households moved and scopes changed', () => {
	test(
		'a moved household leaves the old grid’s tablet and reaches the new one’s with its history; a new grid is downloaded, an offline visit kept',
		{ timeout: 300_000 },
		async ({ browser, server }) => {
			const w1 = await apiSignIn(server.url, 'worker1');
			const w2 = await apiSignIn(server.url, 'worker2');
			const head = await apiSignIn(server.url, 'head');
			const [grid1] = w1.user.scope;
			const [grid2] = w2.user.scope;
			// A household of worker1's grid, given two visits of the last weeks by worker1.
			const [household] = query<{ id: string }>(
				server,
				'SELECT id FROM households WHERE grid_id = ? AND deleted = 0 ORDER BY address LIMIT 1',
				grid1
			);
			const visits = await pushMutations(
				server.url,
				w1.token,
				[3, 10].map((days) => ({
					table: 'visits',
					op: 'insert' as const,
					fields: {
						householdId: household.id,
						visitedAt: new Date(Date.now() - days * 86_400_000).toISOString(),
						outcome: 'visited',
						checks: []
					}
				}))
			);
			expect(visits.map((v) => v.status)).toEqual(['applied', 'applied']);
			const moved = { id: household.id, n: visits.length };

			const open = async (username: string) => {
				const context = await browser.newContext({
					baseURL: server.url,
					locale: 'zh-CN',
					viewport: VIEWPORTS.tablet
				});
				const page = await context.newPage();
				const app = new WorkerApp(page);
				await app.signIn(username);
				await app.waitForHome();
				return { context, page, app };
			};
			const tablet1 = await open('worker1');
			const tablet2 = await open('worker2');
			try {
				await eventually(
					tablet1.page,
					async () => (await ids(tablet1.page, w1.user.id, 'households')).has(moved.id),
					'worker1 holds the household'
				);

				// The head moves it through the API.
				const res = await fetch(`${server.url}/api/v1/households/move`, {
					method: 'POST',
					headers: { authorization: `Bearer ${head.token}`, 'content-type': 'application/json' },
					body: JSON.stringify({ householdIds: [moved.id], toGridId: grid2 })
				});
				expect(res.status).toBe(200);
				expect(await res.json()).toEqual({ moved: 1 });

				// worker1's tablet drops it, with its residents and visits, on its next sync.
				await tablet1.app.syncNow();
				await eventually(
					tablet1.page,
					async () => !(await ids(tablet1.page, w1.user.id, 'households')).has(moved.id),
					'worker1 dropped the household'
				);
				const leftVisits = (await storedRows(tablet1.page, w1.user.id, 'visits')).filter(
					(v) => v.householdId === moved.id
				);
				expect(leftVisits).toEqual([]);

				// worker2's tablet shows it with its visit history.
				await tablet2.app.syncNow();
				await eventually(
					tablet2.page,
					async () => (await ids(tablet2.page, w2.user.id, 'households')).has(moved.id),
					'worker2 received the household'
				);
				const household2 = new HouseholdPage(tablet2.page);
				await household2.open(moved.id);
				await eventually(
					tablet2.page,
					async () => (await household2.visits.count()) >= moved.n,
					'the visit history shows'
				);
				await screenshot(tablet2.page, 'am1-moved-household-on-new-grid-tablet');

				// worker1 records a visit offline, then is given a second grid.
				const [other] = query<{ id: string }>(
					server,
					`SELECT id FROM households WHERE grid_id = ? AND deleted = 0 AND id <> ? LIMIT 1`,
					grid1,
					moved.id
				);
				// Offline, the pages come from the service worker: it must control the page first.
				await tablet1.app.waitForServiceWorkerControl();
				await tablet1.context.setOffline(true);
				const household1 = new HouseholdPage(tablet1.page);
				await household1.open(other.id);
				await household1.recordVisit();
				await new VisitFormPage(tablet1.page).saveAllFine();
				await household1.saved().waitFor();
				await tablet1.app.waitForUnsynced(1);
				const offlineVisit = (await storedRows(tablet1.page, w1.user.id, 'visits')).find(
					(v) => v.householdId === other.id && v.version === undefined
				);
				expect(offlineVisit).toBeDefined();

				const [third] = query<{ id: string }>(
					server,
					`SELECT g.id FROM grids g WHERE g.id NOT IN (?, ?) AND EXISTS
					 (SELECT 1 FROM households h WHERE h.grid_id = g.id AND h.deleted = 0) LIMIT 1`,
					grid1,
					grid2
				);
				const db = new Database(server.databasePath, { fileMustExist: true });
				try {
					db.pragma('busy_timeout = 10000');
					db.prepare(
						'UPDATE users SET scope = ?, scope_version = scope_version + 1 WHERE id = ?'
					).run(JSON.stringify([grid1, third.id]), w1.user.id);
				} finally {
					db.close();
				}
				const thirdHouseholds = query<{ id: string }>(
					server,
					'SELECT id FROM households WHERE grid_id = ? AND deleted = 0',
					third.id
				).map((h) => h.id);

				// Back online: the visit goes out, the scope is downloaded again with the new grid.
				await tablet1.context.setOffline(false);
				await tablet1.app.syncNow();
				await eventually(
					tablet1.page,
					async () => {
						const held = await ids(tablet1.page, w1.user.id, 'households');
						return thirdHouseholds.every((id) => held.has(id));
					},
					'worker1 downloaded the second grid'
				);
				await tablet1.app.waitForUnsynced(0);
				expect(
					(await ids(tablet1.page, w1.user.id, 'visits')).has(offlineVisit!.id as string)
				).toBe(true);
				expect((await ids(tablet1.page, w1.user.id, 'households')).has(moved.id)).toBe(false);
				const onServer = query<{ id: string }>(
					server,
					'SELECT id FROM visits WHERE id = ?',
					offlineVisit!.id
				);
				expect(onServer).toHaveLength(1);
				await screenshot(tablet1.page, 'am2-second-grid-downloaded-tablet');
			} finally {
				await tablet1.context.close();
				await tablet2.context.close();
			}
		}
	);
});
