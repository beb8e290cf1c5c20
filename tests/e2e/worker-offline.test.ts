// The grid worker's offline day, in a real browser against the built app and the real server:
// first download, visits recorded with no network (a routine one and one with abnormal answers), kept
// across a closed page, delivered exactly once when the network returns, received by the same
// worker's second device and by nobody outside the grid. Also the household list's search and
// filters (and how fast they are with 600 households), refused changes fixed or discarded by a
// person, and field history with a value that lost a merge.
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, test, VIEWPORTS, type RunningServer } from './fixtures';
import {
	autoUnlock,
	addStoredRows,
	HouseholdListPage,
	HouseholdPage,
	OutboxPage,
	storedRows,
	viewportScreenshot,
	VisitFormPage,
	WorkerApp
} from './worker-pages';

interface DemoHousehold {
	id: string;
	address: string;
	tags: string[];
	residents: { id: string; name: string; birthYear: number | null }[];
}

/** The households of worker1's grid as the server holds them, with their residents. */
async function gridOfWorker1(server: RunningServer) {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const gridId = user.scope[0];
	const rows = await serverRows(server.url, token);
	const households = new Map<string, DemoHousehold>();
	for (const [id, row] of rows.households ?? [])
		if (row.gridId === gridId)
			households.set(id, {
				id,
				address: row.address as string,
				tags: row.tags as string[],
				residents: []
			});
	for (const [id, row] of rows.residents ?? [])
		households.get(row.householdId as string)?.residents.push({
			id,
			name: row.name as string,
			birthYear: row.birthYear as number | null
		});
	// The household page lists members eldest first.
	for (const household of households.values())
		household.residents.sort((a, b) => (a.birthYear ?? 9999) - (b.birthYear ?? 9999));
	return { token, user, gridId, households: [...households.values()] };
}

async function newWorkerContext(
	browser: Browser,
	server: RunningServer,
	viewport = VIEWPORTS.tablet
) {
	return browser.newContext({ baseURL: server.url, locale: 'zh-CN', viewport });
}

/** Open the database the server writes, read-only (WAL lets it read while the server runs). */
function serverDb(server: RunningServer) {
	return new Database(server.databasePath, { readonly: true, fileMustExist: true });
}

describe('grid worker offline', () => {
	// Three browser profiles and two first downloads: give it room on a busy machine.
	test(
		'visits recorded offline survive a closed page, sync exactly once, reach the same worker’s other device and nobody outside the grid',
		{ timeout: 240_000 },
		async ({ page, context, browser, server }) => {
			const grid = await gridOfWorker1(server);
			// A household of several members; the eldest is found unwell.
			const household = grid.households
				.filter((h) => h.residents.length >= 2)
				.sort((a, b) => a.address.localeCompare(b.address))[0];
			const feverish = household.residents[0];

			// Online: sign in; the first download fills the device.
			await page.setViewportSize(VIEWPORTS.tablet);
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await page.getByText(`/ ${grid.households.length} 户`).first().waitFor();
			expect(await app.lastSyncText()).toMatch(/^上次同步 /);
			await app.waitForServiceWorkerControl();
			await screenshot(page, 'w30-worker-home-after-download-tablet');

			// The network goes; the app opens again from the device.
			await context.setOffline(true);
			await page.reload();
			await app.waitForHome();
			expect(await app.networkStatusText()).toContain('离线');

			// A routine visit: "记录走访" → "全部正常，保存" (two taps from the household page). No
			// round runs: the form asks the shipped 日常走访.
			const householdPage = new HouseholdPage(page);
			await householdPage.open(household.id);
			await householdPage.recordVisit();
			const form = new VisitFormPage(page);
			expect(await form.templateText()).toBe('日常走访');
			await screenshot(page, 'w31-visit-form-tablet');
			await form.saveAllFine();
			await householdPage.saved().waitFor();
			expect(await householdPage.saved().innerText()).toContain('待同步');
			expect(await householdPage.pendingVisits()).toBe(1);

			// A visit with abnormal answers: said in words, and a health incident in one more tap.
			await householdPage.recordVisit();
			await form.choose(feverish.name, '身体状况', '较差');
			const warning = form.findings(feverish.name);
			await warning.waitFor();
			expect(await warning.innerText()).toContain('身体状况：较差');
			await form.choose(null, '家中有安全隐患', '是');
			await form.findings(null).waitFor();
			expect(await form.findings(null).innerText()).toContain(
				'家中有安全隐患（用电、燃气、消防）：是'
			);
			await screenshot(page, 'w32-visit-form-abnormal-tablet');
			await form.save();
			await householdPage.saved().waitFor();
			const saved = householdPage.saved();
			expect(await saved.innerText()).toContain(`${feverish.name}：身体状况：较差`);
			expect(await saved.innerText()).toContain('家中有安全隐患（用电、燃气、消防）：是');
			await saved.getByRole('button', { name: '一键上报健康事件' }).click();
			await saved.getByText('已上报健康事件').waitFor();
			expect(await householdPage.pendingVisits()).toBe(2);
			expect(
				await page.locator('section[aria-labelledby="incidents-title"]').innerText()
			).toContain('待同步');
			await app.waitForUnsynced(3);
			await screenshot(page, 'w33-household-offline-pending-tablet');
			await page.setViewportSize(VIEWPORTS.phone);
			await screenshot(page, 'w34-household-offline-pending-phone');

			// The page is closed; a new one, still offline, shows the same three changes waiting.
			const localVisits = (await storedRows(page, grid.user.id, 'visits')).filter(
				(v) => v.householdId === household.id
			);
			expect(localVisits).toHaveLength(2);
			await page.close();
			const again = await context.newPage();
			await again.setViewportSize(VIEWPORTS.tablet);
			const appAgain = new WorkerApp(again);
			autoUnlock(again);
			await again.goto('/worker');
			await appAgain.waitForHome();
			await appAgain.waitForUnsynced(3);
			await screenshot(again, 'w35-worker-home-offline-pending-tablet');

			// Back online: the engine delivers them without a tap.
			await context.setOffline(false);
			await appAgain.waitForUnsynced(0);
			expect(await appAgain.syncBar.innerText()).toContain('已全部同步');
			const againHousehold = new HouseholdPage(again);
			await againHousehold.open(household.id);
			expect(await againHousehold.visits.count()).toBe(2);
			expect(await againHousehold.pendingVisits()).toBe(0);
			await screenshot(again, 'w36-household-synced-tablet');

			// The server holds each visit exactly once, and the incident once.
			const db = serverDb(server);
			try {
				const visits = db
					.prepare(
						'SELECT id, outcome, abnormal FROM visits WHERE household_id = ? ORDER BY visited_at'
					)
					.all(household.id) as { id: string; outcome: string; abnormal: number }[];
				expect(visits.map((v) => v.id).sort()).toEqual(localVisits.map((v) => v.id).sort());
				expect(visits.map((v) => [v.outcome, Boolean(v.abnormal)])).toEqual([
					['visited', false],
					['visited', true]
				]);
				for (const visit of visits) {
					const logged = db
						.prepare(
							"SELECT count(*) AS n FROM change_log WHERE table_name = 'visits' AND row_id = ?"
						)
						.get(visit.id) as { n: number };
					expect(logged.n).toBe(1);
				}
				const incidents = db
					.prepare('SELECT category, description FROM incidents WHERE household_id = ?')
					.all(household.id) as { category: string; description: string }[];
				expect(incidents).toHaveLength(1);
				expect(incidents[0].category).toBe('health');
				expect(incidents[0].description).toContain(
					`${feverish.name} 身体状况：较差；家中有安全隐患（用电、燃气、消防）：是`
				);
			} finally {
				db.close();
			}

			// The same worker's second device (a browser profile of its own) receives them.
			const tablet2 = await newWorkerContext(browser, server);
			try {
				const page2 = await tablet2.newPage();
				const app2 = new WorkerApp(page2);
				await app2.signIn('worker1');
				await app2.waitForHome();
				await page2.getByText(`本月已走访 1 / ${grid.households.length} 户`).waitFor();
				const household2 = new HouseholdPage(page2);
				await household2.open(household.id);
				const texts = await household2.visitTexts();
				expect(texts).toHaveLength(2);
				expect(texts[0]).toContain(`${feverish.name} 身体状况：较差`);
				// Only the questions answered, the abnormal ones marked in words.
				expect(texts[0]).toContain('本户 家中有安全隐患（用电、燃气、消防）：是⚠ 异常');
				expect(texts[1]).toContain(`${household.residents.length} 人均正常`);
				expect(await household2.pendingVisits()).toBe(0);
				await screenshot(page2, 'w37-second-device-household-tablet');
			} finally {
				await tablet2.close();
			}

			// worker2 (another grid) never receives them: not in their pull, not on their device.
			const worker2 = await apiSignIn(server.url, 'worker2');
			const pulled = await serverRows(server.url, worker2.token);
			for (const visit of localVisits) expect(pulled.visits?.has(visit.id as string)).toBeFalsy();
			for (const row of pulled.households?.values() ?? []) expect(row.gridId).not.toBe(grid.gridId);
			const other = await newWorkerContext(browser, server);
			try {
				const page3 = await other.newPage();
				const app3 = new WorkerApp(page3);
				await app3.signIn('worker2');
				await app3.waitForHome();
				const theirVisits = await storedRows(page3, worker2.user.id, 'visits');
				expect(theirVisits.filter((v) => v.householdId === household.id)).toEqual([]);
				const theirHouseholds = await storedRows(page3, worker2.user.id, 'households');
				expect(theirHouseholds.some((h) => h.gridId === grid.gridId)).toBe(false);
				await page3.goto(`/worker/household/${household.id}`);
				await page3.getByText('本机没有这户的信息').waitFor();
			} finally {
				await other.close();
			}
		}
	);

	test('a push that fails offline registers a Background Sync wake-up; the service worker relays it to the page, which delivers the outbox', async ({
		page,
		context,
		server
	}) => {
		const grid = await gridOfWorker1(server);
		const app = new WorkerApp(page);
		await page.setViewportSize(VIEWPORTS.tablet);
		await app.signIn('worker1');
		await app.waitForHome();
		await app.waitForServiceWorkerControl();
		const cdp = await context.newCDPSession(page);
		const registrations: { registrationId: string; scopeURL: string }[] = [];
		cdp.on('ServiceWorker.workerRegistrationUpdated', (event) =>
			registrations.push(...event.registrations)
		);
		await cdp.send('ServiceWorker.enable');

		await context.setOffline(true);
		const householdPage = new HouseholdPage(page);
		await householdPage.open(grid.households.at(-1)!.id);
		// What the service worker tells this page from now on (in-app navigation keeps it).
		await page.evaluate(() => {
			const seen: unknown[] = [];
			(window as unknown as { swMessages: unknown[] }).swMessages = seen;
			navigator.serviceWorker.addEventListener('message', (event) => seen.push(event.data));
		});
		await householdPage.recordVisit();
		await new VisitFormPage(page).saveAllFine();
		await householdPage.saved().waitFor();
		// The engine's debounced push fails for want of a network: the page asks for a wake-up.
		await expect
			.poll(
				() =>
					page.evaluate(async () => {
						const registration = (await navigator.serviceWorker.getRegistration()) as
							(ServiceWorkerRegistration & { sync?: { getTags(): Promise<string[]> } }) | undefined;
						return (await registration?.sync?.getTags()) ?? [];
					}),
				{ timeout: 15_000 }
			)
			.toContain('gridcare-outbox');
		expect(await app.unsyncedCount()).toBe(1);

		// The browser fires the sync event (here through DevTools, as it would on reconnecting).
		await context.setOffline(false);
		const registration = registrations.find((r) => r.scopeURL === `${server.url}/`);
		expect(registration).toBeDefined();
		await cdp.send('ServiceWorker.dispatchSyncEvent', {
			origin: server.url,
			registrationId: registration!.registrationId,
			tag: 'gridcare-outbox',
			lastChance: false
		});
		await expect
			.poll(() => page.evaluate(() => (window as unknown as { swMessages: unknown[] }).swMessages))
			.toContainEqual({ type: 'SYNC_NOW' });
		await app.waitForUnsynced(0);
	});

	test('the household list searches address, name and tag, and filters, as the worker types', async ({
		page,
		server
	}) => {
		const grid = await gridOfWorker1(server);
		const app = new WorkerApp(page);
		await page.setViewportSize(VIEWPORTS.tablet);
		await app.signIn('worker1');
		await app.waitForHome();

		const list = new HouseholdListPage(page);
		await list.open(grid.gridId);
		expect(await list.counts()).toEqual([grid.households.length, grid.households.length]);
		await viewportScreenshot(page, 'w40-household-list-tablet');

		// By a resident's name.
		const someone = grid.households.find((h) => h.residents.length > 0)!;
		const name = someone.residents[0].name;
		const withName = grid.households.filter((h) => h.residents.some((r) => r.name.includes(name)));
		await list.search.fill(name);
		await list.waitForShown(withName.length);
		expect((await list.addresses()).sort()).toEqual(withName.map((h) => h.address).sort());

		// By part of an address: the building of that household.
		const building = /^(.+?栋)/.exec(someone.address)![1];
		const inBuilding = grid.households.filter((h) => h.address.includes(building));
		await list.search.fill(building);
		await list.waitForShown(inBuilding.length);

		// By a tag's words, and by the same tag as a filter.
		const alone = grid.households.filter((h) => h.tags.includes('elderly_alone'));
		expect(alone.length).toBeGreaterThan(0);
		await list.search.fill('独居');
		await list.waitForShown(alone.length);
		await list.search.fill('');
		await list.waitForShown(grid.households.length);
		await list.filter('独居老人').click();
		await list.waitForShown(alone.length);
		expect(await list.filter('独居老人').getAttribute('aria-pressed')).toBe('true');

		// Filters combine: elderly alone and not yet visited this month (other tests of this file
		// share the server and may have visited some).
		const db = serverDb(server);
		const visited = new Set(
			(db.prepare('SELECT DISTINCT household_id AS id FROM visits').all() as { id: string }[]).map(
				(row) => row.id
			)
		);
		db.close();
		await list.filter('本月未走访').click();
		await list.waitForShown(alone.filter((h) => !visited.has(h.id)).length);
		await list.filter('上次走访有异常').click();
		await list.waitForShown(0);
		await page.getByText('没有符合条件的住户。').waitFor();
		await page.getByRole('button', { name: '清除搜索和筛选' }).click();
		await list.waitForShown(grid.households.length);

		// Sorted by address as people read it: "2号" before "12号" on the same street.
		const addresses = await list.addresses();
		const collator = new Intl.Collator('zh-CN', { numeric: true });
		expect(addresses).toEqual([...addresses].sort(collator.compare));

		// Into a household and back: the search is as it was.
		await list.search.fill(name);
		await list.waitForShown(withName.length);
		await list.list.getByRole('link').first().click();
		await page.getByRole('heading', { level: 2, name: '家庭成员' }).waitFor();
		await page.goBack();
		await list.waitForShown(withName.length);
		expect(await list.search.inputValue()).toBe(name);

		await page.setViewportSize(VIEWPORTS.phone);
		await list.search.fill('独居');
		await list.waitForShown(alone.length);
		await viewportScreenshot(page, 'w41-household-list-search-phone');
	});

	test('the household list stays fast with 600 households', async ({ page, server }) => {
		const grid = await gridOfWorker1(server);
		const app = new WorkerApp(page);
		await page.setViewportSize(VIEWPORTS.tablet);
		await app.signIn('worker1');
		await app.waitForHome();

		// A synthetic grid of 600 households, 1,600 residents and 3,000 visits, straight into the
		// device's database (the list reads only the device).
		const synthetic = await syntheticGrid(page, grid.user.id, 600);
		const list = new HouseholdListPage(page);
		const measurements: Record<string, number> = {};
		for (const [label, gridId, size] of [
			['demo', grid.gridId, grid.households.length],
			['synthetic', synthetic.gridId, 600]
		] as const) {
			const started = Date.now();
			await list.open(gridId);
			await list.waitForShown(size);
			await list.list
				.getByRole('link')
				.nth(Math.min(size, 20) - 1)
				.waitFor();
			measurements[`${label}: open list of ${size}`] = Date.now() - started;
			const inPage = await pageTimings(page);
			measurements[`${label}: read rows from IndexedDB`] = inPage.rows;
			measurements[`${label}: build summaries`] = inPage.summaries;
			// Typing: from the last keystroke to the list showing the answer (includes the 150 ms pause).
			const term = label === 'demo' ? '独居' : synthetic.searchTerm;
			measurements[`${label}: search "${term}"`] = await timeToUpdate(page, async () => {
				await list.search.fill(term);
			});
			await list.search.fill('');
			await list.waitForShown(size);
			measurements[`${label}: filter elderly alone`] = await timeToUpdate(page, async () => {
				await list.filter('独居老人').click();
			});
			measurements[`${label}: one filter pass`] = (await pageTimings(page)).filter;
			await list.filter('独居老人').click();
		}
		console.log('household list timings (ms):', measurements);
		await page.mouse.wheel(0, 12_000);
		await page.waitForTimeout(300);
		await viewportScreenshot(page, 'w42-household-list-600-tablet');
		expect(measurements['synthetic: open list of 600']).toBeLessThan(3_000);
		for (const key of [
			`synthetic: search "${synthetic.searchTerm}"`,
			'synthetic: filter elderly alone'
		]) {
			expect(measurements[key]).toBeGreaterThan(0);
			expect(measurements[key]).toBeLessThan(1_000);
		}
	});

	test('a change the server refuses waits for a person, who corrects it or discards it', async ({
		page,
		server
	}) => {
		const grid = await gridOfWorker1(server);
		const worker2 = await apiSignIn(server.url, 'worker2');
		const app = new WorkerApp(page);
		await page.setViewportSize(VIEWPORTS.tablet);
		await app.signIn('worker1');
		await app.waitForHome();

		// Two changes queued as an older app version might have queued them: a household put in a
		// grid that is not this worker's, and a visit that checks someone of another household.
		const [a, b] = grid.households;
		const householdId = crypto.randomUUID();
		const visitId = crypto.randomUUID();
		const now = Date.now();
		await addStoredRows(page, grid.user.id, 'outbox', [
			{
				table: 'households',
				rowId: householdId,
				state: 'pending',
				createdAt: now,
				attempts: 0,
				mutation: {
					id: crypto.randomUUID(),
					table: 'households',
					op: 'insert',
					rowId: householdId,
					fields: { gridId: worker2.user.scope[0], address: '民生路1号9栋9单元909室' }
				}
			},
			{
				table: 'visits',
				rowId: visitId,
				state: 'pending',
				createdAt: now,
				attempts: 0,
				mutation: {
					id: crypto.randomUUID(),
					table: 'visits',
					op: 'insert',
					rowId: visitId,
					fields: {
						householdId: a.id,
						visitedAt: new Date(now).toISOString(),
						outcome: 'visited',
						checks: [{ residentId: b.residents[0].id, symptoms: [] }]
					}
				}
			}
		]);
		await app.syncNow();
		const outbox = new OutboxPage(page);
		await app.syncBar.getByRole('link', { name: /2 条被退回/ }).waitFor({ timeout: 30_000 });
		await outbox.open();
		await outbox.refused().nth(1).waitFor();
		const [first, second] = await outbox.refused().allInnerTexts();
		expect(first).toContain('添加住户');
		expect(first).toContain('退回原因：“所属网格”不在您负责的范围内');
		expect(second).toContain('走访记录');
		expect(second).toContain(a.address);
		expect(second).toContain('退回原因：“第 1 位成员的居民”不是这户的成员');
		await screenshot(page, 'w50-outbox-refused-tablet');

		// Nothing leaves by itself: another sync keeps both.
		await app.syncNow();
		await page.waitForTimeout(1_000);
		expect(await outbox.refused().count()).toBe(2);

		// The household goes to the right grid, corrected by the person.
		const household = outbox.refused().first();
		await household.getByRole('button', { name: '改正“所属网格”' }).click();
		await household.getByLabel('改正后的所属网格').selectOption(grid.gridId);
		await household.getByRole('button', { name: '改正并重新提交' }).click();
		await outbox.refused().nth(1).waitFor({ state: 'detached', timeout: 30_000 });

		// The visit cannot be right: discarded, after a confirmation.
		const visit = outbox.refused().first();
		await visit.getByRole('button', { name: '放弃这条修改' }).click();
		await visit.getByText('放弃后，这条修改会从本机删除').waitFor();
		await screenshot(page, 'w51-outbox-discard-confirm-tablet');
		await visit.getByRole('button', { name: '确定放弃' }).click();
		await page.getByText('没有被退回的修改。').waitFor();
		await app.waitForUnsynced(0);

		const db = serverDb(server);
		try {
			const row = db
				.prepare('SELECT grid_id AS gridId FROM households WHERE id = ?')
				.get(householdId) as { gridId: string } | undefined;
			expect(row?.gridId).toBe(grid.gridId);
			expect(db.prepare('SELECT count(*) AS n FROM visits WHERE id = ?').get(visitId)).toEqual({
				n: 0
			});
		} finally {
			db.close();
		}
		await page.setViewportSize(VIEWPORTS.phone);
		await screenshot(page, 'w52-outbox-done-phone');
	});

	test('field history shows a value that lost a merge, and stays readable offline', async ({
		page,
		context,
		server
	}) => {
		const grid = await gridOfWorker1(server);
		const household = grid.households[0];
		// Two devices change the address from the same version. The edit with the larger mutation id
		// wins whatever the order; arriving second, the other one is refused and kept as lost.
		const version = await householdVersion(server, household.id);
		const [loserId, winnerId] = [uuidV7(), uuidV7()].sort();
		const push = async (deviceId: string, id: string, address: string) => {
			// A push is recorded under the device its session was opened on.
			const { token } = await apiSignIn(server.url, 'worker1', deviceId);
			const response = await fetch(`${server.url}/api/v1/sync/push`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
				body: JSON.stringify({
					deviceId,
					mutations: [
						{
							id,
							table: 'households',
							op: 'update',
							rowId: household.id,
							baseVersion: version,
							fields: { address }
						}
					]
				})
			});
			expect(response.status).toBe(200);
		};
		const winner = `${household.address}（东侧）`;
		const loser = `${household.address}（西侧）`;
		await push('e2e-tablet-b', winnerId, winner);
		await push('e2e-tablet-a', loserId, loser);

		const app = new WorkerApp(page);
		await page.setViewportSize(VIEWPORTS.tablet);
		await app.signIn('worker1');
		await app.waitForHome();
		await app.waitForServiceWorkerControl();
		const householdPage = new HouseholdPage(page);
		await householdPage.open(household.id);
		await page.getByRole('heading', { level: 1, name: winner }).waitFor();
		const history = page.locator('section[aria-labelledby="history-title"]');
		await history.getByText('未采用').first().waitFor({ timeout: 15_000 });
		const text = await history.innerText();
		expect(text).toContain(winner);
		expect(text).toContain(loser);
		expect(await history.locator('li.lost').innerText()).toContain(loser);
		await history.scrollIntoViewIfNeeded();
		await screenshot(page, 'w60-field-history-tablet');

		// Offline, the copy saved on the device is shown, said to be a saved copy.
		await context.setOffline(true);
		await page.reload();
		await history.getByText('未采用').first().waitFor({ timeout: 15_000 });
		expect(await history.innerText()).toContain('当前离线，显示的是');
		await context.setOffline(false);
	});
});

/** The server's current version of a household (what an edit based on it sends). */
async function householdVersion(server: RunningServer, id: string): Promise<number> {
	const db = serverDb(server);
	try {
		return (
			db.prepare('SELECT version FROM households WHERE id = ?').get(id) as { version: number }
		).version;
	} finally {
		db.close();
	}
}

/** A time-ordered UUID (v7), as devices make them. */
function uuidV7(): string {
	const bytes = crypto.getRandomValues(new Uint8Array(16));
	const ms = BigInt(Date.now());
	for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
	bytes[6] = (bytes[6] & 0x0f) | 0x70;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The app's own latest measurements of the household list (performance.measure). */
async function pageTimings(
	page: Page
): Promise<{ rows: number; summaries: number; filter: number }> {
	return page.evaluate(() => {
		const last = (name: string) =>
			Math.round((performance.getEntriesByName(name).at(-1)?.duration ?? -1) * 10) / 10;
		return {
			rows: last('gridcare:household-rows'),
			summaries: last('gridcare:household-summaries'),
			filter: last('gridcare:household-filter')
		};
	});
}

/**
 * Milliseconds from an action to the list's result line changing, one animation frame later
 * (the action must change how many households are shown); -1 when it did not change in 10 s.
 */
async function timeToUpdate(page: Page, action: () => Promise<void>): Promise<number> {
	const before = await page.getByText(/^显示 [\d,]+ 户，共/).innerText();
	await page.evaluate(() => {
		(window as unknown as { __t0: number }).__t0 = performance.now();
	});
	await action();
	const elapsed = await page.evaluate(
		(before) =>
			new Promise<number>((resolve) => {
				const t0 = (window as unknown as { __t0: number }).__t0;
				const check = () => {
					if (performance.now() - t0 > 10_000) return resolve(-1);
					const now = [...document.querySelectorAll('p')].find((p) =>
						/^显示 [\d,]+ 户，共/.test(p.textContent?.trim() ?? '')
					);
					if (now && now.textContent?.trim() !== before)
						requestAnimationFrame(() =>
							resolve(performance.now() - (window as unknown as { __t0: number }).__t0)
						);
					else requestAnimationFrame(check);
				};
				check();
			}),
		before.trim()
	);
	return Math.round(elapsed);
}

/** Write a grid of `size` households (with residents and visits) into the worker's database. */
async function syntheticGrid(page: Page, userId: string, size: number) {
	const gridId = crypto.randomUUID();
	const surnames = '黄韦李陆覃梁莫蒙农陈潘罗'.split('');
	const given = '建国 秀英 桂兰 志明 丽萍 海燕 文华 玉梅 振华 永康'.split(' ');
	const households = [];
	const residents = [];
	const visits = [];
	const day = 24 * 3600 * 1000;
	for (let i = 0; i < size; i++) {
		const id = crypto.randomUUID();
		const building = 1 + Math.floor(i / 48);
		const unit = 1 + (Math.floor(i / 16) % 3);
		const room = `${1 + (Math.floor(i / 2) % 8)}0${1 + (i % 2)}`;
		const members = 1 + (i % 4);
		const tags = members === 1 && i % 3 === 0 ? ['elderly_alone'] : [];
		households.push({
			id,
			gridId,
			address: `测试路${building}号${unit}单元${room}室`,
			tags,
			lat: null,
			lng: null,
			memberCount: members,
			version: 1
		});
		for (let r = 0; r < members; r++)
			residents.push({
				id: crypto.randomUUID(),
				householdId: id,
				gridId,
				name: surnames[(i + r) % surnames.length] + given[(i * 7 + r) % given.length],
				idNumberMasked: null,
				phone: null,
				birthYear: 1940 + ((i + r * 13) % 70),
				sex: r % 2 ? 'F' : 'M',
				tags: [],
				dailyCheckIn: false,
				version: 1
			});
		for (let v = 0; v < 5; v++)
			visits.push({
				id: crypto.randomUUID(),
				householdId: id,
				gridId,
				visitedAt: new Date(Date.now() - (v * 20 + (i % 40)) * day).toISOString(),
				outcome: 'visited',
				checks: [],
				needs: [],
				note: null,
				abnormal: v === 0 && i % 25 === 0,
				version: 1
			});
	}
	await addStoredRows(page, userId, 'households', households);
	await addStoredRows(page, userId, 'residents', residents);
	await addStoredRows(page, userId, 'visits', visits);
	return { gridId, searchTerm: '秀英' };
}
