// The elderly residents' kiosk in a real browser against the built app and the real server:
// enrolment by the community head, a "need help" check-in made with no network and delivered
// when it returns (the grid worker and the community head receive the help request), the whole
// flow by keyboard only, voice prompts, the idle warning, and the sizes of elderly mode.
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, test } from './fixtures';
import { LoginPage } from './pages';
import {
	demoElders,
	demoGridId,
	KioskPage,
	setUserDisabled,
	smallTargets,
	spokenWords,
	stubSpeech
} from './kiosk-pages';
import { DEMO_PASSWORD } from './fixtures';

/** axe-core's findings on the page; with `enhanced`, the AAA contrast rule (7:1) as well. */
async function axeViolations(page: Page, enhanced = false): Promise<string[]> {
	let builder = new AxeBuilder({ page });
	if (enhanced)
		builder = builder.options({ rules: { 'color-contrast-enhanced': { enabled: true } } });
	return (await builder.analyze()).violations.map((v) => `${v.id}: ${v.help}`);
}

describe('kiosk', () => {
	test('enrolled by the head, checks a resident in offline; the help request reaches the worker and the head', async ({
		page,
		context,
		server
	}) => {
		// A resident of worker1's grid, so that the grid's worker can be asked what arrived.
		const worker = await apiSignIn(server.url, 'worker1');
		const elder = demoElders(server).find((e) => e.gridId === worker.user.scope[0])!;
		const kiosk = new KioskPage(page);

		// Enrolment: /kiosk on a fresh device asks for an administrator or the community head.
		await page.goto('/kiosk');
		await page.waitForURL('**/kiosk/enrol');
		await kiosk.waitForHeading('设置签到终端');
		const login = new LoginPage(page);
		await login.signIn('head', DEMO_PASSWORD);
		await expect.poll(() => page.getByLabel('社区代码（12位）').inputValue()).toBe('450102001003');
		await page.getByLabel('终端名称（选填）').fill('兴宁社区服务中心');
		// The head's sign-in served the enrolment only: it ends on the server.
		const enrollerOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
		await page.getByRole('button', { name: '设为签到终端' }).click();
		expect((await enrollerOut).status()).toBe(204);
		await page.waitForURL('**/kiosk');
		await kiosk.waitForStart();
		// Nobody is signed in on an enrolled kiosk: no sign-out, no worker sync bar.
		expect(await page.getByRole('button', { name: '退出登录' }).count()).toBe(0);
		expect(await page.locator('header section.sync').count()).toBe(0);
		expect(await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))).toBe(
			true
		);
		await kiosk.waitForServiceWorkerControl();

		await context.setOffline(true);
		await page.reload();
		await kiosk.waitForStart();
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.answer('我需要帮助');
		await kiosk.waitForHeading('您需要什么帮助？');
		await kiosk.button('买药、取药').click();
		expect(await kiosk.button('买药、取药').getAttribute('aria-pressed')).toBe('true');
		await kiosk.button('下一步').click();
		await kiosk.waitForHeading('请确认您的选择');
		expect(await page.locator('.answer strong').innerText()).toBe('我需要帮助（买药、取药）');
		// Change the answer before submitting, then choose "need help" again.
		await kiosk.button('修改').click();
		await kiosk.answer('我需要帮助');
		await kiosk.button('下一步').click();
		await screenshot(page, '40-kiosk-review');
		await kiosk.button('确认提交').click();
		await page.getByText('签到成功，网格员会尽快联系您。').waitFor();
		expect(await kiosk.deliveryText().innerText()).toBe('已保存在本机，联网后会自动发送。');
		// The resident's name has left the screen.
		expect(await page.getByText(elder.maskedName).count()).toBe(0);
		await screenshot(page, '41-kiosk-done-queued');

		await context.setOffline(false);
		await expect.poll(() => kiosk.deliveryText().innerText(), { timeout: 30_000 }).toBe('已发送。');

		// The grid worker's device receives both through its pull.
		const rows = await serverRows(server.url, worker.token);
		const checkins = [...(rows.checkins?.values() ?? [])].filter((c) => c.residentId === elder.id);
		expect(checkins).toHaveLength(1);
		expect(checkins[0]).toMatchObject({
			status: 'need_help',
			channel: 'kiosk',
			needs: ['medicine']
		});
		const requests = [...(rows.incidents?.values() ?? [])].filter(
			(i) => i.householdId === elder.householdId && i.category === 'help_request'
		);
		expect(requests).toHaveLength(1);
		expect(requests[0]).toMatchObject({
			gridId: elder.gridId,
			status: 'reported',
			severity: 'high'
		});
		expect(requests[0].description).toContain(elder.maskedName);

		// The community head finds it in the community's incident queue.
		const head = await apiSignIn(server.url, 'head');
		const queue = await fetch(`${server.url}/api/v1/incidents?code=450102001003`, {
			headers: { Authorization: `Bearer ${head.token}` }
		});
		expect(queue.status).toBe(200);
		const { incidents } = (await queue.json()) as {
			incidents: { householdId?: string | null; category: string; severity: string }[];
		};
		expect(
			incidents.filter((i) => i.householdId === elder.householdId && i.category === 'help_request')
		).toMatchObject([{ severity: 'high' }]);
	});

	test('a volunteer signs in on the kiosk and checks a resident in on their behalf', async ({
		page,
		server
	}) => {
		const worker = await apiSignIn(server.url, 'worker1');
		const elder = demoElders(server).filter((e) => e.gridId === worker.user.scope[0])[1];
		const volunteer = await apiSignIn(server.url, 'volunteer');
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await kiosk.button('工作人员协助签到').click();
		await page.getByLabel('用户名').fill('volunteer');
		await page.getByLabel('密码').fill(DEMO_PASSWORD);
		// Only the helper's identity is kept: their sign-in ends on the server at once.
		const helperOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'));
		await kiosk.button('开始协助').click();
		expect((await helperOut).status()).toBe(204);
		await page.getByText(/^协助签到：/).waitFor();
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.answer('我很好');
		await kiosk.waitForHeading('请确认您的选择');
		await kiosk.button('确认提交').click();
		await page.getByText('签到成功，祝您身体健康！').waitFor();
		await expect.poll(() => kiosk.deliveryText().innerText(), { timeout: 30_000 }).toBe('已发送。');
		// The kiosk is still the kiosk: the volunteer's sign-in did not replace its session.
		expect(await page.getByRole('button', { name: '退出登录' }).count()).toBe(0);

		const rows = await serverRows(server.url, worker.token);
		const checkins = [...(rows.checkins?.values() ?? [])].filter((c) => c.residentId === elder.id);
		expect(checkins).toHaveLength(1);
		expect(checkins[0]).toMatchObject({
			status: 'fine',
			channel: 'assisted',
			assistedBy: volunteer.user.id
		});
		await kiosk.button('结束协助签到').click();
		expect(await page.getByText(/^协助签到：/).count()).toBe(0);
	});

	test('a grid worker assists only the residents of their own grids', async ({ page, server }) => {
		const worker = await apiSignIn(server.url, 'worker2');
		const ownGrid = worker.user.scope[0];
		expect(ownGrid).toBe(demoGridId(server, '第二网格'));
		const sixth = demoGridId(server, '第六网格');
		const outsider = demoElders(server).filter((e) => e.gridId === sixth)[0];
		const own = demoElders(server).filter((e) => e.gridId === ownGrid)[2];
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await kiosk.signInHelper('worker2');

		// A resident of 第六网格: the kiosk says why, and the check-in does not go on.
		await kiosk.tapTail(outsider.tail);
		await kiosk.chooseName(outsider.maskedName);
		const refusal = page.getByRole('alert');
		await refusal.waitFor();
		expect(await refusal.innerText()).toBe(
			'该居民不在您负责的网格，请由本网格网格员或志愿者协助。'
		);
		expect(await page.getByRole('heading', { name: '您今天身体怎么样？' }).count()).toBe(0);
		expect(await smallTargets(page, 60)).toEqual([]);
		expect(await axeViolations(page)).toEqual([]);
		const stored = await page.evaluate(async () => {
			const names = (await indexedDB.databases()).map((d) => d.name ?? '');
			const name = names.find((n) => n.startsWith('gridcare-'))!;
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(name);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			const count = await new Promise<number>((resolve) => {
				const request = db.transaction('outbox').objectStore('outbox').count();
				request.onsuccess = () => resolve(request.result);
			});
			db.close();
			return count;
		});
		expect(stored).toBe(0);

		// A resident of their own grid is checked in as usual.
		await kiosk.button('都不是我，重新输入').click();
		await kiosk.waitForStart();
		await kiosk.tapTail(own.tail);
		await kiosk.chooseName(own.maskedName);
		await kiosk.answer('我很好');
		await kiosk.waitForHeading('请确认您的选择');
		await kiosk.button('确认提交').click();
		await page.getByText('签到成功，祝您身体健康！').waitFor();
		await expect.poll(() => kiosk.deliveryText().innerText(), { timeout: 30_000 }).toBe('已发送。');

		const head = await apiSignIn(server.url, 'head');
		const checkins = [...((await serverRows(server.url, head.token)).checkins?.values() ?? [])];
		expect(checkins.filter((c) => c.residentId === outsider.id)).toHaveLength(0);
		expect(checkins.filter((c) => c.residentId === own.id)).toMatchObject([
			{ channel: 'assisted', assistedBy: worker.user.id }
		]);
	});

	test('a check-in the server refuses is not shown as sent', async ({ page, server }) => {
		const elder = demoElders(server)[6];
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await kiosk.signInHelper('volunteer');
		// The volunteer's account is disabled meanwhile: the server refuses check-ins naming them.
		setUserDisabled(server, 'volunteer', true);
		try {
			await kiosk.tapTail(elder.tail);
			await kiosk.chooseName(elder.maskedName);
			await kiosk.answer('我很好');
			await kiosk.waitForHeading('请确认您的选择');
			await kiosk.button('确认提交').click();
			await kiosk.waitForHeading('签到未能提交');
			const problem = page.getByRole('alert');
			await problem.waitFor();
			expect(await problem.innerText()).toBe('签到未能提交，请联系社区工作人员。');
			expect(await page.getByText('已发送。').count()).toBe(0);
			expect(await page.getByText('签到成功，祝您身体健康！').count()).toBe(0);
			expect(await smallTargets(page, 60)).toEqual([]);
			expect(await axeViolations(page)).toEqual([]);
			await page.getByRole('button', { name: '显示与语音' }).click();
			await page.getByRole('switch', { name: /高对比度/ }).check();
			await page.getByRole('button', { name: '显示与语音' }).click();
			expect(await axeViolations(page, true)).toEqual([]);
			await screenshot(page, '46-kiosk-done-rejected');
		} finally {
			setUserDisabled(server, 'volunteer', false);
		}
		await kiosk.button('完成').click();
		await kiosk.waitForStart();
	});

	test('helper mode ends by itself after inactivity, with a warning first', async ({
		page,
		server
	}) => {
		const elder = demoElders(server)[7];
		await page.clock.install();
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await kiosk.signInHelper('worker1');
		const banner = page.getByText(/^协助签到：/);

		await page.clock.runFor(61_000);
		const warning = page.getByRole('alertdialog', { name: '您还在吗？' });
		await warning.waitFor();
		expect(await warning.innerText()).toMatch(/(29|30) 秒后将结束协助签到/);
		await kiosk.button('继续').click();
		await warning.waitFor({ state: 'detached' });
		expect(await banner.count()).toBe(1);

		// Activity on the kiosk keeps it on.
		await page.clock.runFor(50_000);
		await kiosk.key('1').click();
		await page.clock.runFor(50_000);
		expect(await warning.count()).toBe(0);
		expect(await banner.count()).toBe(1);

		await page.clock.runFor(11_000);
		await warning.waitFor();
		await page.clock.runFor(31_000);
		await banner.waitFor({ state: 'detached' });
		await kiosk.waitForStart();
		await kiosk.button('工作人员协助签到').waitFor();

		// The next resident checks in on their own.
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.answer('我很好');
		await kiosk.waitForHeading('请确认您的选择');
		await kiosk.button('确认提交').click();
		await page.getByText('签到成功，祝您身体健康！').waitFor();
		const stored = await page.evaluate(async (id) => {
			const names = (await indexedDB.databases()).map((d) => d.name ?? '');
			const name = names.find((n) => n.startsWith('gridcare-'))!;
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(name);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			type Row = { residentId: string; channel?: string; assistedBy?: string };
			const rows = await new Promise<Row[]>((resolve) => {
				const request = db.transaction('checkins').objectStore('checkins').getAll();
				request.onsuccess = () => resolve(request.result);
			});
			db.close();
			return rows.filter((r) => r.residentId === id).map((r) => [r.channel, r.assistedBy ?? null]);
		}, elder.id);
		expect(stored).toEqual([['kiosk', null]]);
	});

	test('the whole check-in works with the keyboard only', async ({ page, server }) => {
		const elder = demoElders(server)[1];
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		const focusedText = () =>
			page.evaluate(() => document.activeElement?.textContent?.replace(/\s+/g, '') ?? '');
		const tabTo = async (text: string, { start = false } = {}) => {
			for (let i = 0; i < 40; i++) {
				await page.keyboard.press('Tab');
				const focused = await focusedText();
				if (start ? focused.startsWith(text) : focused === text) return;
			}
			throw new Error(`Tab never reached "${text}"`);
		};

		// The field takes typed characters; Enter goes on.
		for (let i = 0; i < 40; i++) {
			await page.keyboard.press('Tab');
			if (await page.evaluate(() => document.activeElement?.id === 'id-tail')) break;
		}
		await page.keyboard.type(elder.tail);
		await page.keyboard.press('Enter');
		await kiosk.waitForHeading('请点您的名字');
		await tabTo(elder.maskedName, { start: true });
		await page.keyboard.press('Enter');
		await kiosk.waitForHeading('您今天身体怎么样？');
		await tabTo('我很好');
		await page.keyboard.press('Space');
		await kiosk.waitForHeading('请确认您的选择');
		await tabTo('确认提交');
		await page.keyboard.press('Enter');
		await page.getByText('签到成功，祝您身体健康！').waitFor();
		await tabTo('完成');
		await page.keyboard.press('Space');
		await kiosk.waitForStart();
	});

	test('voice mode speaks the prompt of every step in zh-CN', async ({ page, server }) => {
		const elder = demoElders(server)[2];
		await stubSpeech(page);
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await page.getByRole('button', { name: '显示与语音' }).click();
		await page.getByRole('switch', { name: /语音朗读/ }).check();
		await page.getByRole('button', { name: '显示与语音' }).click();

		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.answer('我需要帮助');
		await kiosk.waitForHeading('您需要什么帮助？');
		await kiosk.button('有人陪我说说话').click();
		await kiosk.button('下一步').click();
		await kiosk.waitForHeading('请确认您的选择');
		await kiosk.button('确认提交').click();
		await page.getByText('签到成功，网格员会尽快联系您。').waitFor();
		await kiosk.button('完成').click();
		await kiosk.waitForStart();

		const spoken = await spokenWords(page);
		for (const prompt of [
			'请点您的名字',
			'您需要什么帮助？',
			'请输入您身份证号码的最后4位',
			'您今天身体怎么样？',
			'请确认您的选择',
			'签到成功，网格员会尽快联系您。'
		])
			expect(spoken).toContainEqual({ text: prompt, lang: 'zh-CN' });
		// The focused control is read too.
		expect(spoken.some((s) => s.text === '确认提交' && s.lang === 'zh-CN')).toBe(true);
	});

	test('after inactivity it warns, offers to continue, and keeps an unfinished answer', async ({
		page,
		server
	}) => {
		const elder = demoElders(server)[3];
		await page.clock.install();
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.answer('身体不舒服');
		await kiosk.waitForHeading('请确认您的选择');

		await page.clock.runFor(61_000);
		const warning = page.getByRole('alertdialog', { name: '您还在吗？' });
		await warning.waitFor();
		// At least 20 s are offered (30, counting down).
		expect(await warning.innerText()).toMatch(/(29|30) 秒后将回到开始页面/);
		await screenshot(page, '42-kiosk-idle-warning', { fullPage: false });
		// The screen behind the warning takes neither taps nor the keyboard.
		await page.keyboard.press('Tab');
		expect(
			await page.evaluate(() => document.activeElement?.closest('[role="alertdialog"]'))
		).not.toBeNull();
		await kiosk.button('继续').click();
		await warning.waitFor({ state: 'detached' });
		await kiosk.waitForHeading('请确认您的选择');

		await page.clock.runFor(61_000);
		await warning.waitFor();
		await page.clock.runFor(31_000);
		await kiosk.waitForStart();
		expect(await page.getByText(elder.maskedName).count()).toBe(0);

		// The same resident comes back: the answer they had chosen is still there.
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.waitForHeading('您今天身体怎么样？');
		expect(await kiosk.button('身体不舒服').getAttribute('aria-pressed')).toBe('true');
	});

	test('elderly mode: text ≥ 24 px, line height ≥ 1.3, every button and link ≥ 60 × 60', async ({
		page,
		server
	}) => {
		const elder = demoElders(server)[4];
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		const measure = async (step: string) => {
			expect(await smallTargets(page, 60), step).toEqual([]);
			const text = await page.evaluate(() => {
				const out: { text: string; size: number; lineHeight: number }[] = [];
				for (const el of document.querySelectorAll<HTMLElement>('main p, main label, main li')) {
					if (!el.offsetParent) continue;
					const style = getComputedStyle(el);
					const size = parseFloat(style.fontSize);
					const lh = style.lineHeight === 'normal' ? 1.2 * size : parseFloat(style.lineHeight);
					out.push({ text: el.innerText.slice(0, 20), size, lineHeight: lh / size });
				}
				return {
					body: parseFloat(getComputedStyle(document.body).fontSize),
					out
				};
			});
			expect(text.body, step).toBeGreaterThanOrEqual(24);
			expect(text.out.length, step).toBeGreaterThan(0);
			for (const t of text.out) {
				expect(t.size, `${step}: ${t.text}`).toBeGreaterThanOrEqual(24);
				expect(t.lineHeight, `${step}: ${t.text}`).toBeGreaterThanOrEqual(1.3);
			}
		};
		await measure('start');
		await screenshot(page, '43-kiosk-start-elderly');
		await kiosk.tapTail(elder.tail);
		await kiosk.waitForHeading('请点您的名字');
		await measure('choose');
		await kiosk.chooseName(elder.maskedName);
		await kiosk.waitForHeading('您今天身体怎么样？');
		await measure('status');
		await screenshot(page, '44-kiosk-status-elderly');
		await kiosk.answer('我需要帮助');
		await kiosk.waitForHeading('您需要什么帮助？');
		await measure('needs');
		await kiosk.button('去看医生').click();
		await kiosk.button('下一步').click();
		await kiosk.waitForHeading('请确认您的选择');
		await measure('review');

		// High contrast on top of elderly mode, two taps from the header.
		await page.getByRole('button', { name: '显示与语音' }).click();
		await page.getByRole('switch', { name: /高对比度/ }).check();
		expect(await page.evaluate(() => document.documentElement.dataset.contrast)).toBe('high');
		await page.getByRole('button', { name: '显示与语音' }).click();
		await measure('review, high contrast');
		await screenshot(page, '45-kiosk-review-elderly-contrast');
		// The choice is kept on the device.
		await page.reload();
		await kiosk.waitForStart();
		expect(await page.evaluate(() => document.documentElement.dataset.contrast)).toBe('high');
	});
});
