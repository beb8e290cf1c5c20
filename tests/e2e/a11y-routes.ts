// Every screen of the app, in one list, for the accessibility checks (tests/e2e/a11y.test.ts)
// and the layout checks (tests/e2e/layout.test.ts).
// A route added to the app is added here: who opens it, where, and what shows once it is ready.
import { randomUUID } from 'node:crypto';
import { ROUTINE_TEMPLATE_ID } from '../../src/lib/shared/templates';
import type { Browser, Page } from 'playwright-core';
import {
	apiSignIn,
	DEMO_PASSWORD,
	pushMutations,
	serverRows,
	type RunningServer
} from './fixtures';
import { idNumber, withWrongCheck } from './import-pages';
import { demoElders } from './kiosk-pages';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

/** Ids a route's path may need, found on the demo server before the walk. */
export interface DemoIds {
	gridId: string;
	householdId: string;
	residentId: string;
	/** An incident reported in that grid. */
	incidentId: string;
	/** A daily check-in resident of the demo community: ID tail and masked name. */
	elder: { tail: string; maskedName: string };
}

export interface AuditedRoute {
	name: string;
	/** The demo user who opens it; null for a signed-out screen. */
	user: string | null;
	path: (ids: DemoIds) => string;
	/** Resolves once the screen shows its content (not a loading state). */
	ready: (page: Page) => Promise<void>;
	/** Steps within the screen before the check (e.g. a later step of the kiosk's flow). */
	then?: (page: Page, ids: DemoIds) => Promise<void>;
}

const heading = (name: string | RegExp) => (page: Page) =>
	page.getByRole('heading', { level: 1, name }).waitFor({ timeout: 60_000 });

export const AUDITED_ROUTES: AuditedRoute[] = [
	{ name: 'login', user: null, path: () => '/login', ready: heading('登录') },
	{
		name: 'kiosk enrolment',
		user: null,
		path: () => '/kiosk/enrol',
		ready: heading('设置签到终端')
	},
	{ name: 'worker home', user: 'worker1', path: () => '/worker', ready: heading('我的网格') },
	{
		name: 'grid list',
		user: 'worker1',
		path: (ids) => `/worker/grid/${ids.gridId}`,
		ready: (page) => page.getByRole('list', { name: '住户名单' }).waitFor({ timeout: 60_000 })
	},
	{
		name: 'household page',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}`,
		ready: (page) =>
			page.getByRole('heading', { level: 2, name: '家庭成员' }).waitFor({ timeout: 30_000 })
	},
	{
		name: 'visit form',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}/visit`,
		ready: heading('记录走访')
	},
	{
		name: 'resident form',
		user: 'worker1',
		path: (ids) => `/worker/household/${ids.householdId}/resident/${ids.residentId}/edit`,
		ready: (page) => page.locator('form').first().waitFor()
	},
	{
		name: 'worker incident',
		user: 'worker1',
		path: (ids) => `/worker/incident/${ids.incidentId}`,
		ready: (page) =>
			page.getByRole('heading', { level: 2, name: '处理经过' }).waitFor({ timeout: 60_000 })
	},
	{ name: 'outbox', user: 'worker1', path: () => '/worker/outbox', ready: heading(/待同步|同步/) },
	{ name: 'settings', user: 'worker1', path: () => '/worker/settings', ready: heading(/设置/) },
	{
		name: 'map',
		user: 'worker1',
		path: () => '/worker/map',
		ready: (page) => page.locator('.leaflet-container').waitFor({ timeout: 60_000 })
	},
	{
		name: 'incident form',
		user: 'worker1',
		path: () => '/worker/incident-new',
		ready: (page) => page.locator('form').first().waitFor()
	},
	{
		name: 'kiosk start',
		user: 'kiosk',
		path: () => '/kiosk',
		ready: heading('请输入您身份证号码的最后4位')
	},
	{
		name: 'kiosk question',
		user: 'kiosk',
		path: () => '/kiosk',
		ready: heading('请输入您身份证号码的最后4位'),
		then: async (page, ids) => {
			await page.getByLabel('身份证最后4位').fill(ids.elder.tail);
			await page.getByRole('button', { name: '下一步' }).click();
			await page.getByRole('button', { name: ids.elder.maskedName }).click();
			await heading('您今天身体怎么样？')(page);
		}
	},
	{
		name: 'kiosk help needed',
		user: 'kiosk',
		path: () => '/kiosk',
		ready: heading('请输入您身份证号码的最后4位'),
		then: async (page, ids) => {
			await page.getByLabel('身份证最后4位').fill(ids.elder.tail);
			await page.getByRole('button', { name: '下一步' }).click();
			await page.getByRole('button', { name: ids.elder.maskedName }).click();
			await page.getByRole('button', { name: '我需要帮助' }).click();
			await page.getByRole('button', { name: '去看医生' }).click();
			await heading('您需要什么帮助？')(page);
		}
	},
	{ name: 'supervise', user: 'head', path: () => '/supervise', ready: heading(/.+/) },
	{
		name: 'supervise grid',
		user: 'head',
		path: (ids) => `/supervise?code=${encodeURIComponent(ids.gridId)}`,
		ready: (page) => page.locator('figure.trend svg').waitFor({ timeout: 60_000 })
	},
	{
		name: 'supervise street',
		user: 'street',
		path: () => '/supervise',
		ready: (page) => page.getByRole('button', { name: /导出汇总表/ }).waitFor({ timeout: 60_000 })
	},
	{
		name: 'check templates',
		user: 'head',
		path: () => '/supervise/templates',
		ready: (page) => page.getByRole('heading', { level: 2, name: '日常走访' }).waitFor()
	},
	{
		name: 'check template editor',
		user: 'head',
		path: () => '/supervise/templates/new',
		ready: heading('新建模板'),
		then: async (page) => {
			await page.getByLabel('题目', { exact: true }).fill('家中有积水');
			await page.getByRole('button', { name: '保存模板' }).click();
			await page.getByRole('alert').filter({ hasText: '模板名称' }).waitFor();
		}
	},
	{
		name: 'check template copy, elderly preview',
		user: 'head',
		path: () => `/supervise/templates/new?copy=${ROUTINE_TEMPLATE_ID}`,
		ready: heading('复制模板'),
		then: async (page) => {
			await page.getByRole('radio', { name: '长辈版' }).check();
			await page.locator('[data-preview-mode="elderly"]').waitFor();
		}
	},
	{
		name: 'check rounds',
		user: 'head',
		path: () => '/supervise/rounds',
		ready: (page) => page.getByLabel('排查模板').waitFor({ timeout: 60_000 })
	},
	{ name: 'admin', user: 'admin', path: () => '/admin', ready: heading(/.+/) },
	{
		name: 'manage people',
		user: 'head',
		path: () => '/manage/people',
		ready: (page) =>
			page.getByRole('heading', { level: 2, name: /可管理的人员/ }).waitFor({ timeout: 60_000 })
	},
	{
		name: 'manage people: add and manage',
		user: 'head',
		path: () => '/manage/people',
		ready: (page) =>
			page.getByRole('heading', { level: 2, name: /可管理的人员/ }).waitFor({ timeout: 60_000 }),
		then: async (page) => {
			await page.getByRole('button', { name: '添加人员' }).click();
			await page
				.getByRole('button', { name: /^管理 / })
				.first()
				.click();
		}
	},
	{
		name: 'roster import',
		user: 'head',
		path: () => '/import',
		ready: (page) => page.getByRole('heading', { level: 2, name: /选择名册文件/ }).waitFor()
	},
	{
		name: 'roster import preview',
		user: 'head',
		path: () => '/import',
		ready: (page) => page.getByRole('heading', { level: 2, name: /选择名册文件/ }).waitFor(),
		// Checked, not imported: nothing is written.
		then: async (page) => {
			await page
				.getByRole('button', { name: '选择文件', exact: true })
				.setInputFiles({ name: '检查用名册.csv', mimeType: 'text/csv', buffer: CHECK_ROSTER });
			await page.getByRole('heading', { level: 2, name: /检查结果/ }).waitFor({ timeout: 60_000 });
		}
	},
	{
		name: 'roster import, choosing the names column',
		user: 'head',
		path: () => '/import',
		ready: (page) => page.getByRole('heading', { level: 2, name: /选择名册文件/ }).waitFor(),
		then: async (page) => {
			const unnamed = CHECK_ROSTER.toString().replace('姓名', '成员名字');
			await page.getByRole('button', { name: '选择文件', exact: true }).setInputFiles({
				name: '无姓名列.csv',
				mimeType: 'text/csv',
				buffer: Buffer.from(unnamed)
			});
			await page
				.getByRole('heading', { level: 2, name: /选择姓名所在的列/ })
				.waitFor({ timeout: 60_000 });
		}
	},
	{
		name: 'roster import, choosing a community',
		user: 'street',
		path: () => '/import',
		ready: (page) => page.getByRole('heading', { level: 2, name: '选择要导入名册的社区' }).waitFor()
	},
	{
		name: 'manage devices',
		user: 'head',
		path: () => '/manage/devices',
		ready: (page) =>
			page.getByRole('heading', { level: 2, name: '自助签到机' }).waitFor({ timeout: 60_000 })
	},
	{
		name: 'manage divisions',
		user: 'admin',
		path: () => '/manage/divisions',
		ready: (page) => page.getByLabel('省份').waitFor({ timeout: 60_000 })
	},
	{
		name: 'manage grids',
		user: 'head',
		path: () => '/manage/grids',
		ready: (page) => page.getByRole('table').waitFor({ timeout: 60_000 })
	},
	{
		name: 'manage grids, choosing a community',
		user: 'street',
		path: () => '/manage/grids',
		ready: heading('网格管理')
	},
	{
		name: 'grid boundary',
		user: 'head',
		path: (ids) => `/manage/grids/${ids.gridId}/boundary`,
		ready: (page) => page.locator('.leaflet-pm-toolbar').first().waitFor({ timeout: 60_000 })
	},
	{
		name: 'grid households',
		user: 'head',
		path: (ids) => `/manage/grids/${ids.gridId}/households`,
		ready: (page) => page.getByRole('checkbox', { name: '全选' }).waitFor({ timeout: 60_000 })
	}
];

/**
 * A small roster with what the preview shows: an unrecognised column, a wrong ID number, a grid
 * that does not exist (the grids to create).
 */
const CHECK_ROSTER = Buffer.from(
	[
		'网格,小区,楼栋,单元,房号,姓名,身份证号,人员类别,自编序号',
		`第一网格,检查小区,1栋,1单元,101,检查甲,${idNumber('1945-02-03', 11)},独居老人,1`,
		`第一网格,检查小区,1栋,1单元,101,检查乙,${withWrongCheck(idNumber('1947-08-09', 22))},,2`,
		`第九网格,检查小区,2栋,1单元,301,检查丙,${idNumber('1980-12-01', 31)},,3`
	].join('\n') + '\n'
);

/** Finds the ids on the demo server, and reports an incident in worker1's grid for the walk. */
export async function demoIds(server: RunningServer): Promise<DemoIds> {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const gridId = user.scope[0];
	const rows = await serverRows(server.url, token);
	const resident = [...(rows.residents?.entries() ?? [])].find(
		([, r]) => typeof r.householdId === 'string' && r.gridId === gridId
	)!;
	const [elder] = demoElders(server);
	const incidentId = randomUUID();
	const [reported] = await pushMutations(server.url, token, [
		{
			table: 'incidents',
			op: 'insert',
			rowId: incidentId,
			fields: {
				gridId,
				householdId: resident[1].householdId,
				category: 'help_request',
				severity: 'medium',
				description: '需要帮忙代买药品（测试）',
				status: 'reported'
			}
		}
	]);
	if (reported.status !== 'applied') throw new Error(`incident: ${reported.reason}`);
	return {
		gridId,
		householdId: resident[1].householdId as string,
		residentId: resident[0],
		incidentId,
		elder: { tail: elder.tail, maskedName: elder.maskedName }
	};
}

/**
 * A page in a context of its own, with the given display modes stored on the device (null: none
 * chosen), signed in as a demo user (null: signed out) and past the PIN prompt.
 */
export async function signedInPage(
	browser: Browser,
	server: RunningServer,
	user: string | null,
	modes: { elderly: boolean; highContrast: boolean } | null,
	viewport = { width: 1280, height: 860 }
): Promise<Page> {
	const context = await browser.newContext({ baseURL: server.url, locale: 'zh-CN', viewport });
	// The modes chosen, and for kiosk screens the same modes as staff set them at enrolment (a
	// kiosk's floor: without it a kiosk shows elderly mode whatever was chosen).
	if (modes)
		await context.addInitScript((value) => {
			localStorage.setItem('gridcare:modes', value);
			localStorage.setItem('gridcare:kiosk-modes', value);
		}, JSON.stringify(modes));
	const page = await context.newPage();
	if (user) {
		const login = new LoginPage(page);
		await login.open();
		await login.signIn(user, DEMO_PASSWORD);
		await page.waitForURL((url) => !url.pathname.startsWith('/login'));
		// Workers and heads cache personal data: the app asks for a PIN before showing any of it.
		if (user === 'worker1' || user === 'head') {
			await new LockScreen(page).setRequiredPin();
			autoUnlock(page);
		}
	}
	return page;
}
