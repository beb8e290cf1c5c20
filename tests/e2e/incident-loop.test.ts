// The closed loop (上报 → 受理/分流 → 处置 → 办结 → 核查 → 结案) walked to its end in a real browser
// against the built app and the real server: the worker handles dispatched incidents from
// "我的待办" with no network and syncs later, the head verifies and closes them or sends one back
// with a reason; the head handles one directly; an overdue incident climbs to the street and
// above, where officers see it without personal data. The roll-up's openIncidents and
// overdueIncidents follow at every level, read through the API.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { escalateOverdue } from '../../server/supervision/incidents';
import { openStore } from '../../server/store';
import {
	apiSignIn,
	DEMO_PASSWORD,
	screenshot,
	test,
	VIEWPORTS,
	type RunningServer
} from './fixtures';
import { AppShell, LockScreen, LoginPage } from './pages';
import { autoUnlock, WorkerApp } from './worker-pages';

const TZ = 'Asia/Shanghai';
const HEAD_NAME = '覃秀梅';
const WORKER_NAME = '韦丽萍';

type Session = Awaited<ReturnType<typeof apiSignIn>>;
type Json = Record<string, unknown>;

async function call<T = Json>(
	server: RunningServer,
	who: Session,
	path: string,
	body?: unknown
): Promise<T> {
	const response = await fetch(`${server.url}/api/v1${path}`, {
		method: body ? 'POST' : 'GET',
		headers: { Authorization: `Bearer ${who.token}`, 'Content-Type': 'application/json' },
		...(body ? { body: JSON.stringify(body) } : {})
	});
	if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
	return (await response.json()) as T;
}

/** A worker's device reports an incident; its id. */
async function report(
	server: RunningServer,
	worker: Session,
	description: string,
	severity = 'medium'
): Promise<string> {
	const rowId = randomUUID();
	const { results } = await call<{ results: { status: string }[] }>(server, worker, '/sync/push', {
		deviceId: 'e2e-fixture',
		mutations: [
			{
				id: randomUUID(),
				table: 'incidents',
				op: 'insert',
				rowId,
				fields: {
					gridId: worker.user.scope[0],
					category: 'help_request',
					severity,
					description,
					status: 'reported'
				}
			}
		]
	});
	expect(results[0].status).toBe('applied');
	return rowId;
}

interface Detail {
	status: string;
	escalatedTo: string | null;
	description?: string;
	transitions: { from: string | null; to: string; who: string | null; role: string }[];
}

/** openIncidents and overdueIncidents at the community and each level above it. */
async function figures(server: RunningServer, officers: Session[], community: string) {
	const codes = [community, '450102001', '450102', '4501', '45'];
	const out: Record<string, [number, number]> = {};
	for (const [index, code] of codes.entries()) {
		const reader = officers[Math.min(index, officers.length - 1)];
		const { metrics } = await call<{ metrics: Json }>(server, reader, `/rollup/${code}`);
		out[code] = [metrics.openIncidents as number, metrics.overdueIncidents as number];
	}
	return out;
}

/** Each level's figures moved by `open` and `overdue` from `before`. */
function shifted(before: Record<string, [number, number]>, open: number, overdue: number) {
	return Object.fromEntries(
		Object.entries(before).map(([code, [o, d]]) => [code, [o + open, d + overdue]])
	);
}

/** The head signs in on a browser of their own (their device keeps data: a PIN is required). */
async function headScreen(browser: Browser, server: RunningServer): Promise<AppShell> {
	const context = await browser.newContext({
		baseURL: server.url,
		locale: 'zh-CN',
		viewport: { width: 1280, height: 860 }
	});
	const page = await context.newPage();
	const login = new LoginPage(page);
	await login.open();
	await login.signIn('head', DEMO_PASSWORD);
	await page.waitForURL('**/supervise');
	await new LockScreen(page).setRequiredPin();
	autoUnlock(page);
	const screen = new AppShell(page);
	await screen.waitForHeading('辖区概况');
	return screen;
}

const actions = (page: Page) =>
	page.locator('section[aria-labelledby="actions-title"]').getByRole('button');
const history = (page: Page) => page.locator('section[aria-labelledby="history-title"]');

async function historySteps(page: Page): Promise<string[]> {
	return (await history(page).getByRole('listitem').allInnerTexts()).map((t) =>
		t.replace(/\s+/g, ' ')
	);
}

/** On the head's incident page: take `action`, then wait for the step it adds to the history. */
async function headMove(page: Page, action: string, step: string): Promise<void> {
	await actions(page).getByText(action, { exact: true }).click();
	await history(page).getByText(step).last().waitFor({ timeout: 15_000 });
}

describe('the incident loop', () => {
	test('dispatched incidents are handled offline from 我的待办, synced, verified and closed; one is sent back and handled again', async ({
		page,
		context,
		browser,
		server
	}) => {
		const head = await apiSignIn(server.url, 'head');
		const worker = await apiSignIn(server.url, 'worker1');
		const street = await apiSignIn(server.url, 'street');
		const province = await apiSignIn(server.url, 'province');
		const community = head.user.scope[0];
		const before = await figures(server, [head, street, province], community);

		const first = '独居老人家中水管漏水（测试）';
		const second = '楼道堆放杂物堵住通道（测试）';
		const ids = [await report(server, worker, first), await report(server, worker, second)];
		for (const id of ids) {
			await call(server, head, `/incidents/${id}/transition`, { to: 'accepted' });
			await call(server, head, `/incidents/${id}/transition`, {
				to: 'dispatched',
				assigneeId: worker.user.id,
				note: '请尽快上门'
			});
		}
		expect(await figures(server, [head, street, province], community)).toEqual(
			shifted(before, 2, 0)
		);

		// The worker's tablet: both wait in 我的待办 with their due time.
		await page.setViewportSize(VIEWPORTS.tablet);
		const app = new WorkerApp(page);
		await app.signIn('worker1');
		await app.waitForHome();
		const tasks = page.locator('section[aria-labelledby="tasks-title"]');
		await tasks.getByText(first).waitFor({ timeout: 30_000 });
		await tasks.getByText(second).waitFor();
		expect(await tasks.innerText()).toMatch(/办理期限：/);
		await app.waitForServiceWorkerControl();
		await screenshot(page, '40-worker-tasks');

		// No network: both are handled on the device, each with a note.
		await context.setOffline(true);
		for (const [description, note] of [
			[first, '已关闭总阀并联系维修'],
			[second, '已清理杂物']
		]) {
			await tasks.getByText(description).click();
			await app.waitForHeading('事件详情');
			// Only the worker's own moves are offered.
			await actions(page).first().waitFor();
			expect(await actions(page).allInnerTexts()).toEqual(['开始处置']);
			await actions(page).getByText('开始处置').click();
			await actions(page).getByText('办结', { exact: true }).waitFor();
			expect(await actions(page).allInnerTexts()).toEqual(['办结']);
			await page.getByLabel(/处置情况/).fill(note);
			await actions(page).getByText('办结', { exact: true }).click();
			await page.getByText('已保存在本机，联网后自动同步。').waitFor();
			await page.getByText('已办结，等社区核查结案。').waitFor();
			const steps = await historySteps(page);
			expect(steps.some((s) => s.includes('处置中 → 已办结') && s.includes(note))).toBe(true);
			expect(steps.filter((s) => s.includes('待同步'))).toHaveLength(2);
			await screenshot(page, '41-worker-incident-offline');
			await page.getByRole('link', { name: /返回首页/ }).click();
			await app.waitForHome();
		}
		await tasks.getByText('没有派给您的待办事件。').waitFor();
		expect(await app.unsyncedCount()).toBe(4);

		// The network is back: the moves reach the server with their notes.
		await context.setOffline(false);
		await app.syncNow();
		await app.waitForUnsynced(0, 60_000);
		for (const id of ids) {
			const detail = await call<Detail & { transitions: { note: string | null }[] }>(
				server,
				head,
				`/incidents/${id}`
			);
			expect(detail.status).toBe('resolved');
			expect(detail.transitions.slice(-2)).toMatchObject([
				{ from: 'dispatched', to: 'in_progress', who: WORKER_NAME, role: 'grid_worker' },
				{ from: 'in_progress', to: 'resolved', who: WORKER_NAME, role: 'grid_worker' }
			]);
		}
		// Handled is not closed: still open at every level.
		expect(await figures(server, [head, street, province], community)).toEqual(
			shifted(before, 2, 0)
		);

		// The head: handled incidents wait for verification at the top of the queue.
		const screen = await headScreen(browser, server);
		const headPage = screen.page;
		try {
			await headPage.getByRole('link', { name: '事件处置' }).click();
			await screen.waitForHeading('事件处置');
			const toVerify = headPage.getByRole('list', { name: /待核查/ });
			await toVerify.getByText(first).waitFor({ timeout: 15_000 });
			await toVerify.getByText(second).waitFor();
			await screenshot(headPage, '42-head-to-verify');

			// The first passes: verified and closed, one tap each.
			await toVerify.getByRole('link', { name: new RegExp(first) }).click();
			await screen.waitForHeading('事件详情');
			await actions(headPage).first().waitFor();
			expect(await actions(headPage).allInnerTexts()).toEqual(['核查通过', '退回重办']);
			await headMove(headPage, '核查通过', '已办结 → 已核查');
			expect(await actions(headPage).allInnerTexts()).toEqual(['结案']);
			await headMove(headPage, '结案', '已核查 → 已结案');
			const steps = await historySteps(headPage);
			expect(steps.find((s) => s.includes('处置中 → 已办结'))).toContain(
				`${WORKER_NAME}（网格员）`
			);
			expect(steps.find((s) => s.includes('处置中 → 已办结'))).toContain('已关闭总阀并联系维修');
			expect(steps.find((s) => s.includes('已核查 → 已结案'))).toContain(
				`${HEAD_NAME}（社区书记/主任）`
			);
			await screenshot(headPage, '43-head-closed');

			// The second is sent back: only with a reason.
			await headPage.goto(`/supervise/incidents/${ids[1]}`);
			await screen.waitForHeading('事件详情');
			await actions(headPage).first().waitFor();
			await actions(headPage).getByText('退回重办').click();
			await headPage.getByText('请填写退回重办的原因').waitFor();
			await headPage.getByLabel('备注（退回重办时必填）').fill('楼梯拐角还有纸箱，请再清理');
			await headMove(headPage, '退回重办', '已办结 → 处置中');
			expect(await actions(headPage).count()).toBe(0);

			// Back on the worker's tablet: it is in 我的待办 again, with the head's reason.
			await app.syncNow();
			await tasks.getByText(second).waitFor({ timeout: 30_000 });
			await tasks.getByText(second).click();
			await app.waitForHeading('事件详情');
			await history(page).getByText('楼梯拐角还有纸箱，请再清理').waitFor({ timeout: 15_000 });
			expect(await actions(page).allInnerTexts()).toEqual(['办结']);
			await page.getByLabel(/处置情况/).fill('纸箱已清走');
			await actions(page).getByText('办结', { exact: true }).click();
			await page.getByText('已办结，等社区核查结案。').waitFor();
			await app.waitForUnsynced(0, 60_000);

			await headPage.reload();
			await screen.waitForHeading('事件详情');
			await actions(headPage).getByText('核查通过').waitFor({ timeout: 15_000 });
			await headMove(headPage, '核查通过', '已办结 → 已核查');
			await headMove(headPage, '结案', '已核查 → 已结案');
		} finally {
			await headPage.context().close();
		}
		for (const id of ids)
			expect((await call<Detail>(server, head, `/incidents/${id}`)).status).toBe('closed');
		expect(await figures(server, [head, street, province], community)).toEqual(before);
	});

	test('the head handles an incident directly and finishes it', async ({ browser, server }) => {
		const head = await apiSignIn(server.url, 'head');
		const worker = await apiSignIn(server.url, 'worker1');
		const description = '社区活动室门锁坏了（测试）';
		const id = await report(server, worker, description, 'low');

		const screen = await headScreen(browser, server);
		const page = screen.page;
		try {
			await page.goto(`/supervise/incidents/${id}`);
			await screen.waitForHeading('事件详情');
			await actions(page).first().waitFor();
			expect(await actions(page).allInnerTexts()).toEqual(['受理']);
			// Accepted meanwhile elsewhere (another tab): the refusal names the action, not "查看".
			await call(server, head, `/incidents/${id}/transition`, { to: 'accepted' });
			await actions(page).getByText('受理', { exact: true }).click();
			await page.getByText('无法受理：事件已有新的进展，请刷新后再试。').waitFor();
			expect(await page.locator('main').innerText()).not.toContain('您没有查看此内容的权限');
			await history(page).getByText('已上报 → 已受理').waitFor({ timeout: 15_000 });
			await actions(page).getByText('直接处置').waitFor();
			expect(await actions(page).allInnerTexts()).toEqual(['分流派遣给网格员', '直接处置']);
			await headMove(page, '直接处置', '已受理 → 处置中');
			// The head now holds it: 办结 is theirs.
			expect(await actions(page).allInnerTexts()).toEqual(['办结']);
			await page.getByLabel(/备注/).fill('已换新锁');
			await headMove(page, '办结', '处置中 → 已办结');
			await headMove(page, '核查通过', '已办结 → 已核查');
			await headMove(page, '结案', '已核查 → 已结案');
			expect(await actions(page).count()).toBe(0);
			const steps = await historySteps(page);
			expect(steps[0]).toContain(`${WORKER_NAME}（网格员）`);
			expect(steps.slice(1).every((s) => s.includes(`${HEAD_NAME}（社区书记/主任）`))).toBe(true);
		} finally {
			await page.context().close();
		}
		const detail = await call<Detail>(server, head, `/incidents/${id}`);
		expect(detail.status).toBe('closed');
	});

	test('an overdue incident climbs to the street and above, where officers see counts and no personal data', async ({
		browser,
		server
	}) => {
		const head = await apiSignIn(server.url, 'head');
		const worker = await apiSignIn(server.url, 'worker1');
		const street = await apiSignIn(server.url, 'street');
		const county = await apiSignIn(server.url, 'county');
		const province = await apiSignIn(server.url, 'province');
		const community = head.user.scope[0];
		const readers = [head, street, county, province];
		const before = await figures(server, readers, community);
		const description = '张桂兰高烧不退，无人照看（测试）';
		const id = await report(server, worker, description, 'urgent');
		expect(await figures(server, readers, community)).toEqual(shifted(before, 1, 0));

		// As if it had been reported three hours ago: an urgent incident is due in two.
		const db = new Database(server.databasePath, { fileMustExist: true });
		try {
			const now = Date.now();
			db.prepare('UPDATE incidents SET created_at = ?, due_at = ? WHERE id = ?').run(
				now - 3 * 3600_000,
				now - 3600_000,
				id
			);
		} finally {
			db.close();
		}
		const store = openStore(`file:${server.databasePath}`);
		try {
			// The figures follow the write path; a change made behind its back, like this one, is
			// counted by a rebuild (`gridcare recompute-rollups`).
			await store.rollup().recompute();
			expect(await figures(server, readers, community)).toEqual(shifted(before, 1, 1));
			// The escalation job (run here with its clock; `serve` runs it every minute).
			expect(await escalateOverdue(store, new Date(), TZ)).toBeGreaterThanOrEqual(1);
		} finally {
			await store.close();
		}
		const detail = await call<Detail>(server, street, `/incidents/${id}`);
		expect(detail.escalatedTo).toBe('450102001');
		expect(detail).not.toHaveProperty('description');
		expect(detail.transitions.map((t) => [t.who, t.role])).toEqual([
			[null, 'grid_worker'],
			[null, 'system']
		]);
		expect(await figures(server, readers, community)).toEqual(shifted(before, 1, 1));

		// The street officer sees it at their level, with counts only.
		const context = await browser.newContext({
			baseURL: server.url,
			locale: 'zh-CN',
			viewport: { width: 1280, height: 860 }
		});
		try {
			const page = await context.newPage();
			const login = new LoginPage(page);
			await login.open();
			await login.signIn('street', DEMO_PASSWORD);
			await page.waitForURL('**/supervise');
			const screen = new AppShell(page);
			await screen.waitForHeading('辖区概况');
			const escalated = page.locator('section[aria-labelledby="escalated-title"]');
			await escalated.getByText('已升级至街道/乡镇').waitFor({ timeout: 20_000 });
			const text = await page.locator('main').innerText();
			expect(text).not.toContain(description);
			expect(text).not.toContain('张桂兰');
			expect(text).not.toContain(WORKER_NAME);
			await screenshot(page, '44-street-escalated');
		} finally {
			await context.close();
		}

		// The head sees which level holds it, and its history says the job moved it.
		const screen = await headScreen(browser, server);
		const page = screen.page;
		try {
			await page.goto(`/supervise/incidents/${id}`);
			await screen.waitForHeading('事件详情');
			await page.getByText(/已升级至街道\/乡镇：/).waitFor();
			await history(page).getByText('超期未办结，升级至街道/乡镇').waitFor();
			// Handling it closes the loop; every level's figures follow.
			await headMove(page, '受理', '已上报 → 已受理');
			await headMove(page, '直接处置', '已受理 → 处置中');
			await headMove(page, '办结', '处置中 → 已办结');
			await headMove(page, '核查通过', '已办结 → 已核查');
			await headMove(page, '结案', '已核查 → 已结案');
		} finally {
			await page.context().close();
		}
		expect(await figures(server, readers, community)).toEqual(before);
	});
});
