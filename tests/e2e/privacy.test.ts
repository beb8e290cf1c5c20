// In Chromium against the built app and the real server: the app boots, registers its service
// worker and runs under the Content-Security-Policy with no violation; the household page shows
// ID numbers and phones masked, and a reveal for a stated reason is audited online and offline.
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { unmaskEntries } from './audit';
import { apiSignIn, screenshot, serverRows, test, type RunningServer } from './fixtures';
import { LockScreen } from './pages';
import { autoUnlock, HouseholdPage, WorkerApp } from './worker-pages';
import { idCheckChar } from '../../src/lib/shared/id-number';

/** Collect CSP violations and CSP console messages of every page of the context. */
async function watchCsp(page: Page) {
	const console: string[] = [];
	page.on('console', (msg) => {
		if (/Content Security Policy|Refused to/i.test(msg.text())) console.push(msg.text());
	});
	await page.addInitScript(() => {
		const w = window as unknown as { cspViolations: string[] };
		w.cspViolations = [];
		document.addEventListener('securitypolicyviolation', (e) =>
			w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`)
		);
	});
	return async () => [
		...console,
		...(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations))
	];
}

function gridNameOf(server: RunningServer, gridId: string): string {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		return (db.prepare('SELECT name FROM grids WHERE id = ?').get(gridId) as { name: string }).name;
	} finally {
		db.close();
	}
}

/** A household of worker1's grid with a resident who has both an ID number and a phone. */
async function residentWithPhone(server: RunningServer) {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const rows = await serverRows(server.url, token);
	const households = rows.households!;
	for (const [id, r] of rows.residents ?? []) {
		const household = households.get(r.householdId as string);
		if (household?.gridId === user.scope[0] && r.phone && r.idNumberMasked)
			return {
				userId: user.id,
				residentId: id,
				householdId: r.householdId as string,
				phone: r.phone as string,
				idNumberMasked: r.idNumberMasked as string
			};
	}
	throw new Error('no resident with a phone in worker1’s grid');
}

describe('privacy in the browser', () => {
	test(
		'the app runs under the CSP; phones and ID numbers are masked and revealed for a reason, audited online and offline',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const violations = await watchCsp(page);
			const target = await residentWithPhone(server);

			const shell = await page.goto('/login');
			const csp = shell!.headers()['content-security-policy'];
			expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
			expect(csp).not.toContain("unsafe-inline' 'sha");
			expect(csp).toContain("frame-ancestors 'none'");
			expect(shell!.headers()['x-frame-options']).toBe('DENY');

			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await app.waitForServiceWorkerControl();

			const household = new HouseholdPage(page);
			await household.open(target.householdId);
			const masked = `${target.phone.slice(0, 3)}****${target.phone.slice(-4)}`;
			await page.getByText(masked).first().waitFor();
			await page.getByText(target.idNumberMasked).first().waitFor();
			// The device holds the phone, but the page does not show it.
			expect(await page.locator('main').innerText()).not.toContain(target.phone);

			// Online: the server answers and writes the audit entry.
			// The member's card, found by the ID number that stays masked throughout.
			const member = page
				.locator('li.member')
				.filter({ has: page.getByText(target.idNumberMasked, { exact: true }) });
			await member.getByRole('button', { name: '显示手机号' }).click();
			await member.getByLabel('联系本人').check();
			await screenshot(page, 'p01-reveal-reason-choice');
			await member.getByRole('button', { name: '确认查看' }).click();
			await expect
				.poll(() =>
					member
						.getByTestId('revealed-phone')
						.innerText()
						.catch(() => '')
				)
				.toBe(target.phone);
			await member.getByText(/秒后自动隐藏/).waitFor();
			await screenshot(page, 'p02-phone-revealed');
			expect(unmaskEntries(server)).toMatchObject([
				{ user_id: target.userId, reason: 'contact_resident', subject_id: target.residentId }
			]);
			await member.getByRole('button', { name: '隐藏' }).click();
			expect(await page.locator('main').innerText()).not.toContain(target.phone);

			// Offline: the ID number cannot be shown; the phone can, and its record waits in the outbox.
			await context.setOffline(true);
			await member.getByRole('button', { name: '显示身份证号' }).click();
			await member.getByLabel('入户核实').check();
			await member.getByRole('button', { name: '确认查看' }).click();
			await member.getByText('身份证号只在联网时可以查看。').waitFor();
			await member.getByRole('button', { name: '显示手机号' }).click();
			await member.getByLabel('紧急救助').check();
			await member.getByRole('button', { name: '确认查看' }).click();
			await member.getByText('离线查看，已记入待同步的审计日志。').waitFor();
			expect(await member.getByTestId('revealed-phone').innerText()).toBe(target.phone);
			await app.waitForUnsynced(1);
			await screenshot(page, 'p03-phone-revealed-offline');
			expect(unmaskEntries(server)).toHaveLength(1);

			await context.setOffline(false);
			await app.syncNow();
			await app.waitForUnsynced(0);
			const entries = unmaskEntries(server);
			expect(entries).toHaveLength(2);
			expect(entries[1]).toMatchObject({ reason: 'emergency_aid', subject_id: target.residentId });
			expect(JSON.parse(entries[1].details)).toMatchObject({ field: 'phone', offline: true });

			expect(await violations()).toEqual([]);
		}
	);

	test('a community head reads the audit log and resolves a duplicate registration; the CSP holds', async ({
		page,
		server
	}) => {
		const violations = await watchCsp(page);
		// One ID number registered in two households of worker1's grid.
		const first17 = '45010219800101123';
		const idNumber = first17 + idCheckChar(first17);
		const { token } = await apiSignIn(server.url, 'worker1');
		const { households } = await serverRows(server.url, token);
		const [h1, h2] = [...households!.keys()];
		const push = await fetch(`${server.url}/api/v1/sync/push`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
			body: JSON.stringify({
				deviceId: 'e2e-fixture',
				mutations: [h1, h2].map((householdId) => ({
					id: crypto.randomUUID(),
					table: 'residents',
					op: 'insert',
					rowId: crypto.randomUUID(),
					fields: { householdId, name: '罗春燕', idNumber }
				}))
			})
		});
		const { results } = (await push.json()) as { results: { status: string }[] };
		expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);

		await page.goto('/login');
		await page.getByLabel('用户名', { exact: true }).fill('head');
		await page.getByLabel('密码', { exact: true }).fill('demo1234');
		await page.getByRole('button', { name: '登录', exact: true }).click();
		await page.waitForURL('**/supervise');
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
		await page.getByRole('link', { name: '审计日志' }).click();
		await page.getByRole('heading', { level: 1, name: '审计日志' }).waitFor();
		const rows = page.locator('table tbody tr');
		await rows.first().waitFor();
		expect(await rows.count()).toBe(unmaskEntries(server).length);
		expect(await rows.first().innerText()).toContain('紧急救助');
		// Words, names and full codes, not raw values: who in their role, what in words, the
		// community by name with its 12-digit code, the date and time on one line.
		const first = (await rows.first().innerText()).replace(/\s+/g, ' ');
		expect(first).toContain('韦丽萍（网格员）');
		expect(first).toContain('查看完整信息');
		expect(first).toMatch(/居民 · [^·\s]+ · 手机号/);
		expect(first).toContain('兴宁社区居委会（450102001003）');
		const table = await page.locator('table').innerText();
		for (const raw of ['grid_worker', 'community_head', 'unmask', 'resident ', 'emergency_aid'])
			expect(table).not.toContain(raw);
		const lines = await page
			.locator('td.at')
			.first()
			.evaluate((cell) => {
				const range = document.createRange();
				range.selectNodeContents(cell);
				return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
			});
		expect(lines).toBe(1);
		await screenshot(page, 'p04-audit-log-head');

		await page.goto('/supervise');
		await page.getByRole('link', { name: '重复登记' }).click();
		await page.getByRole('heading', { level: 1, name: '重复登记' }).waitFor();
		const flag = page.locator('li.flag').filter({ hasText: '罗*燕' });
		// The flag's people arrive with the page's data: wait for them before counting.
		await flag.locator('.people li').nth(1).waitFor();
		expect(await flag.locator('.people li').count()).toBe(2);
		expect(await page.locator('main').innerText()).not.toContain(idNumber);
		// Each shows where they are registered, so the head can tell which registration is wrong.
		const people = await flag.locator('.people li').allInnerTexts();
		for (const householdId of [h1, h2]) {
			const { address, gridId } = households!.get(householdId) as {
				address: string;
				gridId: string;
			};
			const gridName = gridNameOf(server, gridId);
			expect(
				people.some((p) => p.includes(`住址：${address}`) && p.includes(`网格：${gridName}`)),
				address
			).toBe(true);
		}
		// No outcome is chosen for the head, "merged" is not offered, and nothing is sent unchosen.
		const outcomes = flag.getByRole('radio');
		expect(await outcomes.count()).toBe(2);
		for (const outcome of await outcomes.all()) expect(await outcome.isChecked()).toBe(false);
		expect(await flag.getByRole('radio', { name: /已合并/ }).count()).toBe(0);
		let resolves = 0;
		page.on('request', (r) => {
			if (r.url().includes('/resolve')) resolves++;
		});
		await flag.getByRole('button', { name: '标记为已处理' }).click();
		await flag.getByText('请选择处理结果。').waitFor();
		expect(resolves).toBe(0);
		await flag.getByRole('radio', { name: /不是同一人/ }).check();
		await flag.getByLabel('说明（选填）').fill('同名同号，户籍核实为录入错误');
		await screenshot(page, 'p05-duplicate-flag');
		await flag.getByRole('button', { name: '标记为已处理' }).click();
		await flag.getByText('已处理：不是同一人').waitFor();
		expect(resolves).toBe(1);
		expect(await violations()).toEqual([]);
	});
});
