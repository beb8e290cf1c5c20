// The check-template loop end to end (docs/check-templates.md), in real Chromium against the built
// app and the real server, as the users do it: the community head makes a template of three
// questions in the editor and starts a round with it; a grid worker, offline on a second browser,
// is asked those questions, records an all-normal visit and one with abnormal answers, and syncs;
// then the round's question figures answer the same counts at the community, its street and the
// province, in the head's round view and in the round's report workbook.
import ExcelJS from 'exceljs';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, test, VIEWPORTS, type RunningServer } from './fixtures';
import { signedInPage } from './a11y-routes';
import { HouseholdPage, viewportScreenshot, VisitFormPage, WorkerApp } from './worker-pages';

const TEMPLATE = '高温天气入户排查';
const ROUND = '高温天气入户排查第一轮';
const STREET = '450102001';
const PROVINCE = '45';

interface Figures {
	asked: number;
	abnormal: number;
}
type Questions = Record<string, Figures>;
interface RollupNode {
	code: string;
	name: string;
	questions?: Questions;
	children: { code: string; name: string; questions?: Questions }[];
}

/** The editor's block of question n (1-based). */
const questionBlock = (page: Page, n: number) => page.getByRole('group', { name: `第 ${n} 题` });

/** YYYY-MM-DD, `days` after a calendar day. */
function addDays(day: string, days: number): string {
	const date = new Date(`${day}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + days);
	return date.toISOString().slice(0, 10);
}

async function api<T>(url: string, token: string, path: string): Promise<T> {
	const response = await fetch(`${url}/api/v1${path}`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	expect(response.status, path).toBe(200);
	return (await response.json()) as T;
}

/** Two households of worker1's grid with at least two members each, their members eldest first. */
async function twoHouseholds(server: RunningServer) {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const rows = await serverRows(server.url, token);
	const members = new Map<string, { id: string; name: string; birthYear: number | null }[]>();
	for (const [id, row] of rows.residents ?? []) {
		const list = members.get(row.householdId as string) ?? [];
		list.push({ id, name: row.name as string, birthYear: row.birthYear as number | null });
		members.set(row.householdId as string, list);
	}
	const gridId = user.scope[0];
	const ids = [...(rows.households ?? [])]
		.filter(([id, row]) => row.gridId === gridId && (members.get(id)?.length ?? 0) >= 2)
		.map(([id]) => id)
		.sort()
		.slice(0, 2);
	const of = (id: string) => ({
		id,
		residents: members.get(id)!.sort((a, b) => (a.birthYear ?? 9999) - (b.birthYear ?? 9999))
	});
	return { gridId, userId: user.id, normal: of(ids[0]), abnormal: of(ids[1]) };
}

describe('the check-template loop', () => {
	test(
		'a head’s template reaches the worker offline; the answers come back as question figures at every level, on screen and in the report',
		{ timeout: 180_000 },
		async ({ browser, server }) => {
			const { token: headToken, user: headUser } = await apiSignIn(server.url, 'head');
			const community = headUser.scope[0];
			const households = await twoHouseholds(server);

			// 1. The head makes the template in the editor and starts a round with it.
			const head = await signedInPage(browser, server, 'head', null);
			const contexts: BrowserContext[] = [head.context()];
			try {
				await head.getByRole('navigation').getByRole('link', { name: '排查模板' }).click();
				await head.getByRole('heading', { level: 1, name: '排查模板' }).waitFor();
				await head.getByRole('link', { name: '+ 新建模板' }).click();
				await head.getByRole('heading', { level: 1, name: '新建模板' }).waitFor();
				await head.getByLabel('模板名称').fill(TEMPLATE);

				// q1: yes / no of each member, "yes" abnormal.
				const first = questionBlock(head, 1);
				await first.getByLabel('题目', { exact: true }).fill('中暑症状');
				await first.getByRole('radio', { name: '每位成员都问' }).check();
				await first.getByRole('radio', { name: '选“是”为异常' }).check();
				// q2: a number of each member, abnormal at 37.3 or above.
				await head.getByRole('button', { name: '+ 添加问题' }).click();
				const second = questionBlock(head, 2);
				await second.getByLabel('题目', { exact: true }).fill('体温');
				await second.getByLabel('题型').selectOption({ label: '数字' });
				await second.getByRole('radio', { name: '每位成员都问' }).check();
				await second.getByLabel(/^单位/).fill('°C');
				await second.getByLabel(/^最小值/).fill('34');
				await second.getByLabel(/^最大值/).fill('43');
				await second.getByRole('radio', { name: '不低于界限值为异常' }).check();
				await second.getByLabel(/^界限值/).fill('37.3');
				// q3: one choice of the household, "无" abnormal.
				await head.getByRole('button', { name: '+ 添加问题' }).click();
				const third = questionBlock(head, 3);
				await third.getByLabel('题目', { exact: true }).fill('降温设备');
				await third.getByLabel('题型').selectOption({ label: '单选' });
				await third.getByLabel('选项', { exact: true }).fill('空调\n电风扇\n无');
				await third.getByRole('checkbox', { name: '无' }).check();
				await head.getByRole('button', { name: '保存模板' }).click();
				await head.getByText('已保存为第 1 版').waitFor({ timeout: 20_000 });

				// The round, today to a week from today, on the rounds page.
				await head.getByRole('navigation').getByRole('link', { name: '排查任务' }).click();
				await head.getByLabel('排查模板').selectOption({ label: TEMPLATE });
				await head.getByLabel(/^任务名称/).fill(ROUND);
				const today = await head.getByLabel(/^开始日期/).inputValue();
				expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
				await head.getByLabel(/^截止日期/).fill(addDays(today, 7));
				await head.getByRole('button', { name: '发起任务' }).click();
				await head
					.getByRole('listitem')
					.filter({ hasText: ROUND })
					.getByText(`模板：${TEMPLATE}（第 1 版）`)
					.waitFor({ timeout: 20_000 });
				const { rounds } = await api<{ rounds: { id: string; name: string }[] }>(
					server.url,
					headToken,
					`/rounds?code=${community}`
				);
				const roundId = rounds.find((r) => r.name === ROUND)!.id;

				// 2. The worker, on a tablet of their own: the first download brings the round. The
				// tablet keeps China's time, as in the field: a round's days are read on the device's
				// calendar, the server's on the deployment's (Asia/Shanghai).
				const context = await browser.newContext({
					baseURL: server.url,
					locale: 'zh-CN',
					timezoneId: 'Asia/Shanghai',
					viewport: VIEWPORTS.tablet
				});
				contexts.push(context);
				const page = await context.newPage();
				const app = new WorkerApp(page);
				await app.signIn('worker1');
				await app.waitForHome();
				await page
					.getByText(new RegExp(`^${ROUND}：已走访`))
					.first()
					.waitFor({ timeout: 60_000 });
				await app.waitForServiceWorkerControl();

				await context.setOffline(true);
				const householdPage = new HouseholdPage(page);
				const form = new VisitFormPage(page);

				// An all-normal visit: two taps.
				await householdPage.open(households.normal.id);
				await householdPage.recordVisit();
				expect(await form.templateText()).toBe(`本轮排查：${TEMPLATE}`);
				const [normalElder] = households.normal.residents;
				await form
					.member(normalElder.name)
					.getByRole('group', { name: /^中暑症状/ })
					.waitFor();
				await form.member(normalElder.name).getByLabel('体温（°C）').waitFor();
				await form
					.household()
					.getByRole('group', { name: /^降温设备/ })
					.waitFor();
				await screenshot(page, 'loop-worker-form-template-tablet');
				await form.saveAllFine();
				await householdPage.saved().waitFor();

				// Another household: heat stroke signs and a fever in the eldest, no way to cool.
				const [elder, younger] = households.abnormal.residents;
				await householdPage.open(households.abnormal.id);
				await householdPage.recordVisit();
				expect(await form.templateText()).toBe(`本轮排查：${TEMPLATE}`);
				await form.choose(elder.name, '中暑症状', '是');
				await form.fill(elder.name, '体温（°C）', '38.5');
				await form.choose(younger.name, '中暑症状', '否');
				await form.fill(younger.name, '体温（°C）', '36.6');
				await form.choose(null, '降温设备', '无');
				await form.findings(elder.name).waitFor();
				expect(await form.findings(elder.name).innerText()).toContain(
					'中暑症状：是、体温：38.5 °C'
				);
				expect(await form.findings(younger.name).count()).toBe(0);
				await form.findings(null).waitFor();
				expect(await form.findings(null).innerText()).toContain('降温设备：无');
				await screenshot(page, 'loop-worker-form-abnormal-tablet');
				await form.save();
				const saved = householdPage.saved();
				await saved.waitFor();
				expect(await saved.innerText()).toContain(`${elder.name}：中暑症状：是、体温：38.5 °C`);
				await viewportScreenshot(page, 'loop-worker-saved-tablet');

				// Back online: the outbox empties.
				await context.setOffline(false);
				await app.waitForUnsynced(0, 60_000);

				// 3. What the worker entered, counted: residents per member question, households
				// per household question; each answered abnormally once.
				const expected: Questions = {
					q1: { asked: households.normal.residents.length + 2, abnormal: 1 },
					q2: { asked: 2, abnormal: 1 },
					q3: { asked: 2, abnormal: 1 }
				};
				const zero: Questions = {
					q1: { asked: 0, abnormal: 0 },
					q2: { asked: 0, abnormal: 0 },
					q3: { asked: 0, abnormal: 0 }
				};
				const { token: streetToken } = await apiSignIn(server.url, 'street');
				const { token: provinceToken } = await apiSignIn(server.url, 'province');
				const rollup = (token: string, code: string) =>
					api<RollupNode>(server.url, token, `/rollup/${code}?round=${roundId}`);

				const atCommunity = await rollup(headToken, community);
				expect(atCommunity.questions).toEqual(expected);
				for (const grid of atCommunity.children)
					expect(grid.questions, grid.name).toEqual(
						grid.code === households.gridId ? expected : zero
					);
				const gridName = atCommunity.children.find((g) => g.code === households.gridId)!.name;

				const atStreet = await rollup(streetToken, STREET);
				expect(atStreet.questions).toEqual(expected);
				expect(atStreet.children.find((c) => c.code === community)?.questions).toEqual(expected);

				const atProvince = await rollup(provinceToken, PROVINCE);
				expect(atProvince.questions).toEqual(expected);
				expect(atProvince.children.find((c) => community.startsWith(c.code))?.questions).toEqual(
					expected
				);

				// The head's round view shows the same numbers, per question, for the community and
				// the worker's grid.
				await head.reload();
				const labels = { q1: '中暑症状', q2: '体温', q3: '降温设备' } as const;
				for (const [key, label] of Object.entries(labels)) {
					const table = head.locator(`table[data-question="${key}"]`);
					await table.locator('caption', { hasText: label }).waitFor({ timeout: 20_000 });
					const { asked, abnormal } = expected[key];
					const rate = `${Math.round((abnormal / asked) * 1000) / 10}%`;
					for (const row of [
						table.locator('tr.total'),
						table.getByRole('row').filter({ has: head.getByRole('rowheader', { name: gridName }) })
					]) {
						// The numbers arrive with the next read of the figures.
						await row
							.getByRole('cell')
							.first()
							.filter({ hasText: new RegExp(`^${asked}$`) })
							.waitFor({ timeout: 20_000 });
						expect(
							(await row.getByRole('cell').allInnerTexts()).map((t) => t.trim()),
							`${label}: ${await row.innerText()}`
						).toEqual([String(asked), String(abnormal), rate]);
					}
				}
				await head.locator('section[aria-labelledby="round-questions"]').scrollIntoViewIfNeeded();
				await screenshot(head, 'loop-head-round-questions');

				// 4. The round's report, from its button in the round view: two columns per question
				// with the same numbers.
				const exportButton = head.getByRole('button', { name: `导出排查报表（${ROUND}）` });
				const [download] = await Promise.all([head.waitForEvent('download'), exportButton.click()]);
				expect(download.suggestedFilename()).toBe(`${community}-${ROUND}.xlsx`);
				const workbook = new ExcelJS.Workbook();
				await workbook.xlsx.readFile(await download.path());
				const sheet = workbook.worksheets[0];
				expect(sheet.getCell('A1').value).toContain(`${ROUND} 排查报表`);
				const rows: unknown[][] = [];
				for (let r = 1; r <= sheet.rowCount; r++)
					rows.push((sheet.getRow(r).values as unknown[]).slice(1));
				const header = rows.find((row) => row[0] === '网格')!;
				const gridRow = rows.find((row) => row[0] === gridName)!;
				const totals = rows.find((row) => row[0] === '合计')!;
				/** A cell's number, a formula's stored result included (exceljs drops a result of 0). */
				const shown = (v: unknown) =>
					typeof v === 'object' && v !== null && 'formula' in v
						? ((v as { result?: number }).result ?? 0)
						: v;
				for (const [key, label] of Object.entries(labels)) {
					const asked = header.indexOf(`${label}·询问`);
					const abnormal = header.indexOf(`${label}·异常`);
					expect(asked, label).toBeGreaterThan(0);
					expect(abnormal, label).toBe(asked + 1);
					expect([gridRow[asked], gridRow[abnormal]], label).toEqual([
						expected[key].asked,
						expected[key].abnormal
					]);
					expect([shown(totals[asked]), shown(totals[abnormal])], label).toEqual([
						expected[key].asked,
						expected[key].abnormal
					]);
				}
			} finally {
				for (const context of contexts) await context.close();
			}
		}
	);
});
