import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { idCheckChar } from '../../src/lib/shared/id-number';
import {
	apiSignIn,
	DEMO_PASSWORD,
	pushMutations,
	screenshot,
	serverRows,
	test,
	VIEWPORTS
} from './fixtures';
import { EntryFormPage, LockScreen, LoginPage, MapPage } from './pages';
import { autoUnlock } from './worker-pages';

const FIRST17 = '45010219450312002'; // born 12 March 1945; 2 is even: female
const VALID_ID = FIRST17 + idCheckChar(FIRST17);
const WRONG_ID = FIRST17 + (idCheckChar(FIRST17) === '1' ? '2' : '1');
const ADDRESS = '民生路99号1栋2单元101室';
const RESIDENT = '蒙桂英';
const NEED = '独居老人需要代购降压药，本人行动不便';
const RESIDENT_NOTE = '腿脚不便，上下楼需搀扶';
const EDITED_NOTE = '已安排志愿者每周探访';

/** Sign in online; the app then requires a PIN before it shows any data. */
async function signInWithoutPin(page: Page): Promise<void> {
	const login = new LoginPage(page);
	await login.open();
	await login.signIn('worker1', DEMO_PASSWORD);
	await page.waitForURL('**/worker');
}

async function signInAsWorker(page: Page): Promise<void> {
	await signInWithoutPin(page);
	await new LockScreen(page).setRequiredPin();
	autoUnlock(page);
}

/** A resident as this device stores it, read straight from IndexedDB. */
function storedResident(page: Page, userId: string, name: string) {
	return page.evaluate(
		async ({ dbName, name }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(dbName);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
				const request = db.transaction('residents').objectStore('residents').getAll();
				request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
				request.onerror = () => reject(request.error);
			});
			db.close();
			return rows.find((row) => row.name === name) ?? null;
		},
		{ dbName: `gridcare-${userId}`, name }
	);
}

async function waitFor<T>(read: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('timed out');
		await new Promise((r) => setTimeout(r, 500));
	}
}

describe('forms, map and app lock', () => {
	test('offline, a worker adds a household and a resident, and reports an incident', async ({
		page,
		context,
		server
	}) => {
		const { token, user } = await apiSignIn(server.url, 'worker1');
		const gridId = user.scope[0];
		await page.setViewportSize(VIEWPORTS.tablet);
		await signInAsWorker(page);
		const form = new EntryFormPage(page);

		// The form opens once the grid is on the device; from then on no network is needed.
		await page.goto(`/worker/grid/${gridId}/household-new`);
		await form.heading('添加住户').waitFor({ timeout: 60_000 });
		await form.waitForServiceWorkerControl();
		await context.setOffline(true);
		await page.reload();
		await form.waitForHeading('添加住户');

		// A missing part of the address is named; nothing typed is lost.
		await form.fill('小区或门牌', '民生路99号');
		await form.fill('楼栋（栋）', '1');
		await form.submit('保存');
		expect(await form.errorSummary()).toEqual(['房号（室）：不能为空']);
		expect(await form.fieldError('房号（室）')).toBe('房号（室）：不能为空');
		expect(await form.focusedId()).toBe('hh-room');
		expect(await form.field('小区或门牌').inputValue()).toBe('民生路99号');
		await screenshot(page, 'f20-household-new-error-tablet');

		// A character the address cannot hold is named on the box it was typed in.
		await form.fill('单元（选填）', '2\u0007');
		await form.fill('房号（室）', '101');
		await form.submit('保存');
		expect(await form.fieldError('单元（选填）')).toContain('控制字符');
		expect(await form.focusedId()).toBe('hh-unit');

		await form.fill('单元（选填）', '2');
		await form.fill('房号（室）', '101');
		await form.tick('独居老人');
		expect(await page.locator('#hh-address').innerText()).toBe(ADDRESS);
		await form.submit('保存');
		expect(await form.savedTitle()).toBe('住户已添加');
		expect(await page.getByText('当前离线，联网后会自动上传').count()).toBe(1);
		const householdHref = await page
			.getByRole('link', { name: '查看住户详情' })
			.getAttribute('href');
		const householdId = householdHref!.split('/').at(-1)!;
		await screenshot(page, 'f21-household-saved-tablet');

		// A resident: a wrong ID number is refused with the field named, then corrected.
		await page.getByRole('link', { name: '添加这户的居民' }).click();
		await form.waitForHeading('添加居民');
		await form.fill('姓名', RESIDENT);
		await form.fill('身份证号（选填）', WRONG_ID);
		await form.submit('保存');
		expect(await form.fieldError('身份证号（选填）')).toContain('身份证号：校验位不正确');
		expect((await form.errorSummary())[0]).toContain('身份证号：校验位不正确');
		expect(await form.focusedId()).toBe('res-id');
		expect(await form.field('姓名').inputValue()).toBe(RESIDENT);
		// A household of an elderly person living alone suggests daily check-ins.
		expect(await page.getByRole('checkbox', { name: /需要每日签到/ }).isChecked()).toBe(true);
		await screenshot(page, 'f22-resident-id-error-tablet');
		await page.setViewportSize(VIEWPORTS.phone);
		await screenshot(page, 'f23-resident-id-error-phone');
		await page.setViewportSize(VIEWPORTS.tablet);

		await form.fill('身份证号（选填）', VALID_ID);
		expect(await form.fieldError('身份证号（选填）')).toBeNull();
		// Birth year and sex come from the ID number.
		expect(await form.field('出生年份（选填）').inputValue()).toBe('1945');
		expect(await form.radio('女').isChecked()).toBe(true);
		await form.fill('手机号（选填）', '1381234567');
		// Relation (suggested, or typed), a landline as people write it, and a note.
		await form.fill('与户主关系（选填）', '户主');
		expect(await page.locator('#res-relation-options option').evaluateAll((o) => o.length)).toBe(8);
		await form.fill('固定电话（选填）', '5851234');
		await form.fill('备注（选填）', RESIDENT_NOTE);
		await form.tick('高龄');
		await form.submit('保存');
		expect(await form.fieldError('手机号（选填）')).toBe('手机号：须为11位手机号码');
		expect(await form.fieldError('固定电话（选填）')).toBe(
			'固定电话：须为区号加电话号码，如 0771-1234567'
		);
		expect(await form.errorSummary()).toEqual([
			'手机号：须为11位手机号码',
			'固定电话：须为区号加电话号码，如 0771-1234567'
		]);
		await form.fill('手机号（选填）', '13812345678');
		await form.fill('固定电话（选填）', '(0771) 585 1234');
		expect(await form.fieldError('固定电话（选填）')).toBeNull();
		await form.submit('保存');
		expect(await form.savedTitle()).toBe(`已添加居民 ${RESIDENT}`);
		await screenshot(page, 'f24-resident-saved-tablet');

		// The household page: the relation beside the name, the landline masked like the phone.
		await page.goto(`/worker/household/${householdId}`);
		const member = page.locator('li.member').filter({ hasText: RESIDENT });
		await member.waitFor({ timeout: 15_000 });
		expect((await member.locator('.who').innerText()).replace(/\s+/g, ' ')).toContain(
			`${RESIDENT} 户主`
		);
		expect(await member.getByText('0771-***1234').count()).toBe(1);
		expect(await member.getByText('5851234').count()).toBe(0);
		expect(await member.getByText(RESIDENT_NOTE).count()).toBe(1);
		expect(await member.getByText('高龄').count()).toBe(1);
		expect(await member.getByRole('button', { name: `拨打${RESIDENT}的固定电话` }).count()).toBe(1);
		await screenshot(page, 'f24a-household-members-tablet');

		// Only the masked number stays on the device (the full one is in the outbox until sent).
		const stored = await storedResident(page, user.id, RESIDENT);
		expect(stored).not.toBeNull();
		expect(stored!.idNumberMasked).toBe(`450102********${VALID_ID.slice(-4)}`);
		expect(JSON.stringify(stored)).not.toContain(VALID_ID);
		// The phone number, landline and note are kept encrypted (AES-GCM bytes), never as text.
		for (const secret of ['13812345678', '5851234', RESIDENT_NOTE])
			expect(JSON.stringify(stored)).not.toContain(secret);
		expect(stored!.phone).toMatchObject({ sealed: expect.anything() });
		expect(stored!.landline).toMatchObject({ sealed: expect.anything() });
		expect(stored!.note).toMatchObject({ sealed: expect.anything() });
		expect(stored!.relation).toBe('户主');

		// Editing sends only what changed; a form with no change says so and saves nothing.
		await page.goto(`/worker/household/${householdId}/edit`);
		await form.waitForHeading('修改住户信息');
		expect(await form.field('小区或门牌').inputValue()).toBe('民生路99号');
		expect(await form.field('房号（室）').inputValue()).toBe('101');
		await form.submit('保存');
		await page.getByText('没有修改任何内容，无需保存。').waitFor();
		await form.tick('低保');
		await form.submit('保存');
		expect(await form.savedTitle()).toBe('修改已保存');

		await page.goto(`/worker/household/${householdId}/resident/${String(stored!.id)}/edit`);
		await form.waitForHeading('修改居民信息');
		expect(await form.field('身份证号（选填）').inputValue()).toBe('');
		expect(await form.field('出生年份（选填）').inputValue()).toBe('1945');
		expect(await form.field('与户主关系（选填）').inputValue()).toBe('户主');
		expect(await form.field('固定电话（选填）').inputValue()).toBe('0771-5851234');
		expect(await form.field('备注（选填）').inputValue()).toBe(RESIDENT_NOTE);
		await form.fill('备注（选填）', EDITED_NOTE);
		await form.fill('出生年份（选填）', '');
		await form.fill('手机号（选填）', '13912345678');
		await form.submit('保存');
		expect(await form.fieldError('出生年份（选填）')).toBe(
			'出生年份：已有的内容不能在此清空，可改为新的内容'
		);
		await screenshot(page, 'f24b-resident-edit-error-tablet');
		await form.fill('出生年份（选填）', '1945');
		await form.submit('保存');
		expect(await form.savedTitle()).toBe('修改已保存');

		// An incident, prefilled from the household page's link.
		await page.goto(
			`/worker/incident-new?household=${householdId}&category=help_request&description=${encodeURIComponent(NEED)}`
		);
		await form.waitForHeading('上报事件');
		expect(await form.radio('居民求助').isChecked()).toBe(true);
		expect(await form.field('情况描述').inputValue()).toBe(NEED);
		expect(await page.getByText(ADDRESS).count()).toBeGreaterThan(0);
		await form.submit('上报事件');
		expect(await form.errorSummary()).toEqual(['紧急程度：请选择一项']);
		await form.choose('紧急');
		expect(await page.getByText(/现在上报，须在 .+ 前办结/).count()).toBe(1);
		await screenshot(page, 'f25-incident-new-tablet');
		await page.setViewportSize(VIEWPORTS.phone);
		await screenshot(page, 'f26-incident-new-phone');
		await page.setViewportSize(VIEWPORTS.tablet);
		await form.submit('上报事件');
		expect(await form.savedTitle()).toBe('事件已上报');
		await screenshot(page, 'f27-incident-saved-tablet');

		// Back online, everything reaches the server exactly as entered; ID numbers come back masked.
		await context.setOffline(false);
		// Edits of rows created offline go out once the server has the rows: wait for all of it.
		const rows = await waitFor(async () => {
			const tables = await serverRows(server.url, token);
			const incident = [...(tables.incidents?.values() ?? [])].find((i) => i.description === NEED);
			const tags = tables.households?.get(householdId)?.tags as string[] | undefined;
			const phone = [...(tables.residents?.values() ?? [])].find((r) => r.name === RESIDENT)?.phone;
			const note = [...(tables.residents?.values() ?? [])].find((r) => r.name === RESIDENT)?.note;
			return incident &&
				tags?.includes('low_income') &&
				phone === '13912345678' &&
				note === EDITED_NOTE
				? tables
				: undefined;
		});
		const household = rows.households.get(householdId);
		expect(household).toMatchObject({ address: ADDRESS, tags: ['elderly_alone', 'low_income'] });
		const resident = [...rows.residents.values()].find((r) => r.name === RESIDENT);
		expect(resident).toMatchObject({
			householdId,
			birthYear: 1945,
			sex: 'F',
			phone: '13912345678',
			relation: '户主',
			landline: '0771-5851234',
			note: EDITED_NOTE,
			tags: ['advanced_age'],
			dailyCheckIn: true,
			idNumberMasked: `450102********${VALID_ID.slice(-4)}`
		});
		expect(resident).not.toHaveProperty('idNumber');
		const incident = [...rows.incidents.values()].find((i) => i.description === NEED);
		expect(incident).toMatchObject({
			householdId,
			gridId,
			category: 'help_request',
			severity: 'high',
			status: 'reported'
		});
	});

	test('the map draws the grid and its households with no tile server, online and offline', async ({
		page,
		context,
		server
	}) => {
		const { token, user } = await apiSignIn(server.url, 'worker1');
		const gridId = user.scope[0];
		// Visits recorded on another device: every flat of one building visited (green), and an
		// abnormal finding in another building (red).
		const rows = await serverRows(server.url, token);
		const buildings = new Map<string, string[]>();
		for (const [id, h] of rows.households)
			if (h.gridId === gridId && typeof h.lat === 'number') {
				const key = `${h.lat},${h.lng}`;
				buildings.set(key, [...(buildings.get(key) ?? []), id]);
			}
		const [smallest, other] = [...buildings.values()].sort((a, b) => a.length - b.length);
		const feverish = [...rows.residents.entries()].find(([, r]) => r.householdId === other[0]);
		const visitedAt = new Date().toISOString();
		const results = await pushMutations(server.url, token, [
			...smallest.map((householdId) => ({
				table: 'visits',
				op: 'insert' as const,
				fields: { householdId, visitedAt, outcome: 'visited', checks: [] }
			})),
			{
				table: 'visits',
				op: 'insert',
				fields: {
					householdId: other[0],
					visitedAt,
					outcome: 'visited',
					checks: [{ residentId: feverish![0], temperature: 38.4 }]
				}
			}
		]);
		expect(results.every((r) => r.status === 'applied')).toBe(true);

		await page.setViewportSize(VIEWPORTS.tablet);
		await signInAsWorker(page);
		const map = new MapPage(page);
		await map.open(gridId);
		await map.waitForHeading('第一网格地图');

		expect(await map.outlines.count()).toBe(1);
		const markers = await map.markers.count();
		// One marker per building.
		expect(markers).toBe(buildings.size);
		expect(await page.locator('path.household-marker.status-visited').count()).toBe(1);
		expect(await page.locator('path.household-marker.status-abnormal').count()).toBe(1);
		expect(await map.tiles.count()).toBe(0);
		// No check round runs: the map counts over the month and says so.
		expect(await page.getByText(/^按本月走访情况显示住户位置。/).count()).toBe(1);
		const legend = await map.legend().innerText();
		for (const words of ['本月已走访', '本月未走访', '上次走访有异常', '网格范围'])
			expect(legend).toContain(words);
		expect(legend).toContain(`本月已走访 ${smallest.length} 户`);
		expect(legend).toContain('上次走访有异常 1 户');
		await screenshot(page, 'f30-map-no-tiles-tablet');

		// Tap the red marker: its households' addresses, each with its status and a link.
		await page.locator('path.household-marker.status-abnormal').click();
		const popup = map.popup();
		await popup.waitFor();
		await page.waitForFunction(
			() => getComputedStyle(document.querySelector('.leaflet-popup')!).opacity === '1'
		);
		expect(await popup.innerText()).toContain('上次走访有异常');
		const link = popup.getByRole('link').first();
		expect((await link.innerText()).trim()).toMatch(/栋.*室$/);
		await screenshot(page, 'f31-map-popup-tablet');
		await link.click();
		await page.waitForURL('**/worker/household/**');

		await page.setViewportSize(VIEWPORTS.phone);
		await map.open(gridId);
		await screenshot(page, 'f32-map-phone');

		// Every word on the map follows the language, the legend and the outline's label included.
		await map.switchLanguage('English');
		await map.waitForHeading('Map of 第一网格');
		expect(await page.getByRole('region', { name: 'Key' }).innerText()).toContain(
			'Visited this month'
		);
		await screenshot(page, 'f33-map-phone-en');
		await map.switchLanguage('中文');
		await map.waitForHeading('第一网格地图');

		await map.waitForServiceWorkerControl();
		await context.setOffline(true);
		await page.reload();
		await map.markers.first().waitFor({ timeout: 30_000 });
		expect(await map.markers.count()).toBe(markers);
		expect(await map.outlines.count()).toBe(1);
		await context.setOffline(false);
	});

	test('a PIN is required before any data shows, locks the app: wrong PIN counted, right PIN unlocks, idle and restart lock it, five wrong sign out', async ({
		page,
		server
	}) => {
		const { user } = await apiSignIn(server.url, 'worker1');
		await page.clock.install();
		await page.setViewportSize(VIEWPORTS.tablet);
		await signInWithoutPin(page);
		const lock = new LockScreen(page);
		// No way to the worker pages without a PIN: the page is hidden, the dialog cannot be closed.
		await lock.setupDialog.waitFor();
		expect(await page.locator('#main').isHidden()).toBe(true);
		expect(await lock.setupDialog.getByRole('button', { name: '关闭' }).count()).toBe(0);
		await page.keyboard.press('Escape');
		expect(await lock.setupDialog.isVisible()).toBe(true);
		// A new page load without a PIN cannot open the data key: back to an online sign-in.
		await page.goto('/worker/settings');
		await page.waitForURL('**/login');
		await signInWithoutPin(page);
		await lock.setupDialog.waitFor();
		expect(await page.locator('#main').isHidden()).toBe(true);
		await screenshot(page, 'f40-pin-required-tablet');

		await lock.setPin('1234');
		expect(await page.locator('#pin-new-error').innerText()).toContain('解锁密码：太简单');
		await lock.setPin('2580', '2581');
		expect(await page.locator('#pin-confirm-error').innerText()).toBe(
			'再次输入解锁密码：两次输入不一致'
		);
		await screenshot(page, 'f41-pin-setup-mismatch-tablet', { fullPage: false });
		await lock.setPin('2580');
		await page.getByText('解锁密码已设置').waitFor();
		await lock.setupDialog.waitFor({ state: 'hidden' });
		expect(await page.locator('#main').isVisible()).toBe(true);

		await lock.lockNow();
		// Behind the lock nothing can be used: the dialog takes every tap.
		await expect(
			page.getByRole('button', { name: '退出登录' }).click({ trial: true, timeout: 1_000 })
		).rejects.toThrow();
		await lock.enterPin('1111');
		expect(await lock.pinError()).toBe('解锁密码不正确，还可以再试 4 次。');
		await screenshot(page, 'f42-locked-wrong-pin-tablet', { fullPage: false });
		await page.setViewportSize(VIEWPORTS.phone);
		await screenshot(page, 'f43-locked-wrong-pin-phone', { fullPage: false });
		await page.setViewportSize(VIEWPORTS.tablet);
		await lock.enterPin('2580');
		await lock.dialog.waitFor({ state: 'hidden' });
		await lock.waitForHeading('我的网格');

		// Starting the app with a saved session starts locked.
		await page.reload();
		await lock.dialog.waitFor();
		await lock.enterPin('2580');
		await lock.dialog.waitFor({ state: 'hidden' });

		// Five idle minutes lock it again.
		await page.clock.fastForward('05:30');
		await lock.dialog.waitFor({ timeout: 10_000 });
		await lock.enterPin('2580');
		await lock.dialog.waitFor({ state: 'hidden' });

		// Five wrong PINs in a row: signed out, the local database (and its outbox) kept.
		await lock.lockNow();
		for (let i = 0; i < 5; i++) await lock.enterPin('1111');
		await page.waitForURL('**/login');
		await page.getByText('解锁密码连续输错 5 次，已退出登录').waitFor();
		await screenshot(page, 'f44-signed-out-after-wrong-pins-tablet');
		const databases = await page.evaluate(async () =>
			(await indexedDB.databases()).map((d) => d.name)
		);
		expect(databases).toContain(`gridcare-${user.id}`);

		// An online sign-in opens unlocked and requires a new PIN.
		const login = new LoginPage(page);
		await login.signIn('worker1', DEMO_PASSWORD);
		await page.waitForURL('**/worker');
		await lock.setupDialog.waitFor();
		expect(await lock.isLocked()).toBe(false);
	});
});
