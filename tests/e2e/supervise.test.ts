// The supervisors' screens in a real browser against the built app and the real server: the
// community head's grid table follows visits pushed from a worker's device within seconds, a
// street officer drills down to the community and sees figures but no personal data, the head
// accepts and dispatches an incident and its history names who did each step, and with no
// network the last figures stay on screen marked with their time.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import {
	apiSignIn,
	DEMO_PASSWORD,
	pushMutations,
	screenshot,
	serverRows,
	test,
	type RunningServer
} from './fixtures';
import { AppShell, LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

const COMMUNITY = '兴宁社区居委会';
const FIRST_GRID = '第一网格';

/** The community head's and officers' screens, named the way a supervisor would say it. */
class SupervisePage extends AppShell {
	/** A table row by its header; the header may also carry a "needs attention" mark. */
	gridRow(name: string) {
		return this.page
			.getByRole('row')
			.filter({ has: this.page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });
	}

	/** Waits until the row of `name` shows `text` (the screen polls the server). */
	async waitForRowText(name: string, text: string): Promise<void> {
		await this.gridRow(name).getByText(text, { exact: false }).first().waitFor({ timeout: 20_000 });
	}

	mainText(): Promise<string> {
		return this.page.locator('main').innerText();
	}
}

async function signIn(page: Page, username: string): Promise<SupervisePage> {
	const login = new LoginPage(page);
	await login.open();
	await login.signIn(username, DEMO_PASSWORD);
	await page.waitForURL('**/supervise');
	// A community head's device caches the community's data: a PIN is required, as for workers.
	if (username === 'head') {
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
	}
	const screen = new SupervisePage(page);
	await screen.waitForHeading('辖区概况');
	return screen;
}

interface GridFigures {
	id: string;
	name: string;
	metrics: { households: number; visitedHouseholds: number };
}

async function gridFigures(server: RunningServer, token: string, code: string) {
	const response = await fetch(`${server.url}/api/v1/communities/${code}/grids`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	if (!response.ok) throw new Error(`grids: ${response.status}`);
	return ((await response.json()) as { grids: GridFigures[] }).grids;
}

const visitedText = (g: GridFigures) =>
	`${g.metrics.visitedHouseholds.toLocaleString('zh-CN')} / ${g.metrics.households.toLocaleString('zh-CN')} 户`;

async function newContext(page: Page): Promise<BrowserContext> {
	const context = page.context();
	const browser = context.browser();
	if (!browser) throw new Error('no browser');
	return browser.newContext({
		baseURL: new URL(page.url()).origin,
		locale: 'zh-CN',
		viewport: { width: 1280, height: 860 }
	});
}

describe('supervision screens', () => {
	test('new coverage reaches the head within seconds; the street officer sees counts only', async ({
		page,
		server
	}) => {
		const head = await apiSignIn(server.url, 'head');
		const communityCode = head.user.scope[0];
		const worker = await apiSignIn(server.url, 'worker1');
		const gridId = worker.user.scope[0];

		const screen = await signIn(page, 'head');
		const before = (await gridFigures(server, head.token, communityCode)).find(
			(g) => g.id === gridId
		);
		if (!before) throw new Error('worker1 grid not in the community');
		await screen.waitForRowText(FIRST_GRID, visitedText(before));
		// The grid's worker by name, not by login.
		await screen.waitForRowText(FIRST_GRID, '韦丽萍');
		expect(await screen.gridRow(FIRST_GRID).innerText()).not.toContain('worker1');
		await screenshot(page, '30-supervise-head-grids');

		// Another device: worker1's tablet delivers visits to households not visited today.
		const rows = await serverRows(server.url, head.token);
		const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
			new Date()
		);
		const visitedToday = new Set(
			[...(rows.visits?.values() ?? [])]
				.filter(
					(v) =>
						new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
							new Date(v.visitedAt as string)
						) === today
				)
				.map((v) => v.householdId as string)
		);
		const targets = [...(rows.households?.entries() ?? [])]
			.filter(([id, h]) => h.gridId === gridId && !visitedToday.has(id))
			.slice(0, 3)
			.map(([id]) => id);
		expect(targets).toHaveLength(3);
		const results = await pushMutations(
			server.url,
			worker.token,
			targets.map((householdId) => ({
				table: 'visits',
				op: 'insert' as const,
				fields: {
					householdId,
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: []
				}
			}))
		);
		expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);

		const after = (await gridFigures(server, head.token, communityCode)).find(
			(g) => g.id === gridId
		)!;
		expect(after.metrics.visitedHouseholds).toBe(before.metrics.visitedHouseholds + 3);
		// No reload: the screen picks the new figure up by itself.
		await screen.waitForRowText(FIRST_GRID, visitedText(after));

		// A street officer on another browser drills down to the community.
		const streetContext = await newContext(page);
		try {
			const street = await signIn(await streetContext.newPage(), 'street');
			await street.page.getByRole('link', { name: COMMUNITY, exact: true }).click();
			await street.page.getByRole('heading', { level: 2, name: COMMUNITY }).waitFor();
			await street.waitForRowText(FIRST_GRID, visitedText(after));
			await screenshot(street.page, '31-supervise-street-community');

			const text = await street.mainText();
			const names = [...(rows.residents?.values() ?? [])].map((r) => r.name as string);
			const addresses = [...(rows.households?.values() ?? [])].map((h) => h.address as string);
			expect(names.length).toBeGreaterThan(100);
			expect(names.filter((name) => name.length >= 2 && text.includes(name))).toEqual([]);
			expect(addresses.filter((address) => text.includes(address))).toEqual([]);
			expect(text).not.toMatch(/(?<![\w-])1[3-9]\d{9}(?![\w-])/);
			expect(text).not.toMatch(/\d{6}(19|20)\d{2}[01]\d[0-3]\d\d{3}[\dX]/);
			expect(text).not.toContain('worker1');
		} finally {
			await streetContext.close();
		}
	});

	test('the head accepts and dispatches an incident; its history names who did each step', async ({
		page,
		server
	}) => {
		const worker = await apiSignIn(server.url, 'worker1');
		const rows = await serverRows(server.url, worker.token);
		const [householdId] = [...(rows.households?.keys() ?? [])];
		const description = '独居老人需要有人代买降压药（测试）';
		const [result] = await pushMutations(server.url, worker.token, [
			{
				table: 'incidents',
				op: 'insert',
				fields: {
					gridId: worker.user.scope[0],
					householdId,
					category: 'help_request',
					severity: 'high',
					description,
					status: 'reported'
				}
			}
		]);
		expect(result.status).toBe('applied');

		const screen = await signIn(page, 'head');
		await page.getByRole('link', { name: '事件处置' }).click();
		await screen.waitForHeading('事件处置');
		await page.getByRole('link', { name: new RegExp(description) }).click();
		await screen.waitForHeading('事件详情');
		await page.getByText(description).waitFor();

		// Only the legal next step of a reported incident is offered.
		const actions = page.locator('section[aria-labelledby="actions-title"]').getByRole('button');
		expect(await actions.allInnerTexts()).toEqual(['受理']);
		await actions.getByText('受理').click();
		await page.getByRole('button', { name: '派遣给网格员' }).waitFor();

		// Dispatching without a worker names the missing choice.
		await page.getByRole('button', { name: '派遣给网格员' }).click();
		await page.getByText('请选择派遣给哪位网格员').waitFor();
		// The dispatch list names the community's workers, with their grids; no logins.
		const choices = await page.getByLabel('派遣给').locator('option').allInnerTexts();
		expect(choices).toContain(`韦丽萍（${FIRST_GRID}）`);
		expect(choices.filter((c) => /worker\d/.test(c))).toEqual([]);
		await page.getByLabel('派遣给').selectOption({ label: `韦丽萍（${FIRST_GRID}）` });
		await page.getByLabel('备注（选填）').fill('请今天下午送到');
		await page.getByRole('button', { name: '派遣给网格员' }).click();

		const history = page.locator('section[aria-labelledby="history-title"]');
		await history.getByText('已受理 → 已分流派遣').waitFor({ timeout: 15_000 });
		const steps = (await history.getByRole('listitem').allInnerTexts()).map((t) =>
			t.replace(/\s+/g, ' ')
		);
		const accepted = steps.find((s) => s.includes('已上报 → 已受理'));
		const dispatched = steps.find((s) => s.includes('已受理 → 已分流派遣'));
		// Inside the community the history names the person and their role.
		expect(accepted).toContain('覃秀梅（社区书记/主任）');
		expect(dispatched).toContain('覃秀梅');
		expect(dispatched).toContain('请今天下午送到');
		await page.getByText('韦丽萍（网格员）').first().waitFor();
		await screenshot(page, '32-supervise-incident');

		// The server agrees.
		const head = await apiSignIn(server.url, 'head');
		const queue = (await (
			await fetch(`${server.url}/api/v1/incidents?code=${head.user.scope[0]}&status=open`, {
				headers: { Authorization: `Bearer ${head.token}` }
			})
		).json()) as { incidents: { description?: string; status: string; assignee?: string }[] };
		const stored = queue.incidents.find((i) => i.description === description);
		expect(stored?.status).toBe('dispatched');
		expect(stored?.assignee).toBe('韦丽萍');
	});

	test('the head sends a handled incident back only with a reason, then finishes it directly', async ({
		page,
		server
	}) => {
		const worker = await apiSignIn(server.url, 'worker1');
		const description = '楼道灯不亮，老人夜里出门不便（测试）';
		const [result] = await pushMutations(server.url, worker.token, [
			{
				table: 'incidents',
				op: 'insert',
				fields: {
					gridId: worker.user.scope[0],
					category: 'safety',
					severity: 'medium',
					description,
					status: 'reported'
				}
			}
		]);
		expect(result.status).toBe('applied');
		// The head takes it on directly and marks it handled, through the API.
		const head = await apiSignIn(server.url, 'head');
		const api = (path: string, body?: unknown) =>
			fetch(`${server.url}/api/v1${path}`, {
				method: body ? 'POST' : 'GET',
				headers: { Authorization: `Bearer ${head.token}`, 'Content-Type': 'application/json' },
				...(body ? { body: JSON.stringify(body) } : {})
			});
		const queue = (await (
			await api(`/incidents?code=${head.user.scope[0]}&status=open`)
		).json()) as {
			incidents: { id: string; description?: string }[];
		};
		const id = queue.incidents.find((i) => i.description === description)!.id;
		for (const to of ['accepted', 'in_progress', 'resolved'])
			expect((await api(`/incidents/${id}/transition`, { to })).status, to).toBe(200);

		const screen = await signIn(page, 'head');
		await page.goto(`${server.url}/supervise/incidents/${id}`);
		await screen.waitForHeading('事件详情');
		const actions = page.locator('section[aria-labelledby="actions-title"]').getByRole('button');
		await actions.first().waitFor();
		// Verification first; sending back, which needs a reason, last.
		expect(await actions.allInnerTexts()).toEqual(['核查通过', '退回重办']);
		await page.getByLabel('备注（退回重办时必填）').waitFor();
		await actions.getByText('退回重办').click();
		await page.getByText('请填写退回重办的原因').waitFor();
		await page.getByLabel('备注（退回重办时必填）').fill('灯泡换了但开关仍坏，请再修');
		await actions.getByText('退回重办').click();
		const history = page.locator('section[aria-labelledby="history-title"]');
		await history.getByText('已办结 → 处置中').waitFor({ timeout: 15_000 });
		expect(await history.innerText()).toContain('灯泡换了但开关仍坏，请再修');

		// The head still handles it, so the head can finish it: 办结, 核查通过, 结案.
		for (const [action, step] of [
			['办结', '处置中 → 已办结'],
			['核查通过', '已办结 → 已核查'],
			['结案', '已核查 → 已结案']
		]) {
			await actions.getByText(action, { exact: true }).click();
			await history.getByText(step).last().waitFor({ timeout: 15_000 });
		}
		await screenshot(page, '33-supervise-incident-closed');
		const stored = (await (await api(`/incidents/${id}`)).json()) as { status: string };
		expect(stored.status).toBe('closed');
	});

	test('the head starts a check round, sees it on the map, and changes the alert settings', async ({
		page,
		server
	}) => {
		const head = await apiSignIn(server.url, 'head');
		const code = head.user.scope[0];
		const screen = await signIn(page, 'head');

		await page.getByRole('link', { name: '排查任务', exact: true }).click();
		await screen.waitForHeading('排查任务');
		await page.getByLabel('任务名称').fill('冬季全面入户排查');
		const start = await page.getByLabel('开始日期').inputValue();
		const before = new Date(Date.parse(`${start}T00:00:00Z`) - 86_400_000)
			.toISOString()
			.slice(0, 10);
		await page.getByLabel('截止日期').fill(before);
		await page.getByRole('button', { name: '发起任务' }).click();
		await page.getByText('截止日期不能早于开始日期').waitFor();
		expect(await page.getByLabel('截止日期').getAttribute('aria-invalid')).toBe('true');

		const due = new Date(Date.parse(`${start}T00:00:00Z`) + 7 * 86_400_000)
			.toISOString()
			.slice(0, 10);
		await page.getByLabel('截止日期').fill(due);
		// Shown as a date in words: "2026年12月13日".
		const [dueYear, dueMonth, dueDay] = due.split('-').map(Number);
		const dueWords = `${dueYear}年${dueMonth}月${dueDay}日`;
		await page.getByRole('button', { name: '发起任务' }).click();
		await page.getByText('已发起排查任务“冬季全面入户排查”。').waitFor();
		await page
			.getByRole('heading', { name: `当前排查任务：冬季全面入户排查（${dueWords} 截止）` })
			.waitFor({ timeout: 15_000 });
		await page.getByRole('table', { name: '各网格本轮排查进度' }).waitFor();
		expect(
			await page.getByRole('table', { name: '各网格本轮排查进度' }).getByRole('rowheader').count()
		).toBe(6);
		const rounds = (await (
			await fetch(`${server.url}/api/v1/rounds?code=${code}`, {
				headers: { Authorization: `Bearer ${head.token}` }
			})
		).json()) as { rounds: { name: string; dueDate: string }[] };
		expect(rounds.rounds).toContainEqual(
			expect.objectContaining({ name: '冬季全面入户排查', dueDate: due })
		);
		await screenshot(page, '34-supervise-rounds');

		// The map colours every grid's outline by the round's coverage, with the figure in words.
		await page.getByRole('link', { name: '网格地图', exact: true }).click();
		await screen.waitForHeading('网格地图');
		await page.getByText('颜色表示本轮排查任务“冬季全面入户排查”的覆盖率').waitFor();
		await page.locator('path.coverage-area').nth(5).waitFor({ timeout: 20_000 });
		expect(await page.locator('path.coverage-area').count()).toBe(6);
		await page.locator('.coverage-label', { hasText: /^第一网格 \d+%$/ }).waitFor();
		await screenshot(page, '35-supervise-map');

		// Settings: a bad value is named in Chinese; a good one is stored.
		await page.getByRole('link', { name: '预警设置', exact: true }).click();
		await screen.waitForHeading('预警设置');
		await page.getByLabel('排查落后预警值（%）').fill('120');
		await page.getByLabel('未签到预警值').fill('');
		await page.getByRole('button', { name: '保存设置' }).click();
		await page.getByText('排查落后预警值（%）须是 0 到 100 之间的整数').waitFor();
		await page.getByText('请填写未签到预警值').waitFor();
		await page.getByLabel('排查落后预警值（%）').fill('30');
		await page.getByLabel('未签到预警值').fill('4');
		await page.getByRole('button', { name: '保存设置' }).click();
		await page.getByText('设置已保存。').waitFor();
		const settings = (await (
			await fetch(`${server.url}/api/v1/communities/${code}/settings`, {
				headers: { Authorization: `Bearer ${head.token}` }
			})
		).json()) as { thresholds: { coverageBehindPct: number; missedCheckins: number } };
		expect(settings.thresholds).toMatchObject({ coverageBehindPct: 30, missedCheckins: 4 });
		await screenshot(page, '36-supervise-settings');
	});

	test('with no network the head still sees the last figures, marked with their time', async ({
		page,
		context,
		server
	}) => {
		const head = await apiSignIn(server.url, 'head');
		const figures = await gridFigures(server, head.token, head.user.scope[0]);
		const screen = await signIn(page, 'head');
		for (const grid of figures) await screen.waitForRowText(grid.name, visitedText(grid));
		await screen.waitForServiceWorkerControl();

		await context.setOffline(true);
		await page.reload();
		await screen.waitForHeading('辖区概况');
		await page.getByText(/当前无网络：显示的是截至 .+的数据/).waitFor({ timeout: 15_000 });
		for (const grid of figures) await screen.waitForRowText(grid.name, visitedText(grid));
		await screenshot(page, '33-supervise-offline');
		await context.setOffline(false);
	});
});
