// Check templates in the supervisors' app (docs/check-templates.md), in a real browser against the
// built app and the real server: the community head makes a template of three questions and sees
// the live preview follow what they type, in the standard look and in 长辈版 inside the preview
// only; saves version 1, changes a question (version 2), copies a shipped template, and starts a
// round with their template, which the round list shows with its pinned version.
import type { Locator, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, test, VIEWPORTS } from './fixtures';
import { signedInPage } from './a11y-routes';

const TEMPLATE = '冬季入户排查';

interface ApiTemplate {
	id: string;
	version: number;
	name: string;
	divisionCode: string | null;
	questions: {
		key: string;
		label: string;
		kind: string;
		perResident: boolean;
		abnormal?: unknown;
	}[];
}

/** The editor's block of question n (1-based). */
const questionBlock = (page: Page, n: number) => page.getByRole('group', { name: `第 ${n} 题` });
const preview = (page: Page) => page.getByRole('region', { name: '预览' });

/** Computed font size (px) of an element. */
const fontSize = (locator: Locator) =>
	locator.evaluate((element) => parseFloat(getComputedStyle(element).fontSize));

async function templateById(url: string, token: string, id: string): Promise<ApiTemplate> {
	const response = await fetch(`${url}/api/v1/check-templates/${id}`, {
		headers: { Authorization: `Bearer ${token}` }
	});
	expect(response.status).toBe(200);
	return (await response.json()) as ApiTemplate;
}

/** The id of a template just saved as new, once the editor has moved to its address. */
async function savedTemplateId(page: Page): Promise<string> {
	await page.getByText('已保存为第 1 版').waitFor({ timeout: 20_000 });
	// The editor says so before it moves to the new template's own address.
	await page.waitForURL(/\/supervise\/templates\/[0-9a-f-]{36}(\?|$)/);
	return new URL(page.url()).pathname.split('/').at(-1)!;
}

describe('check templates', () => {
	test('the head makes a template, watches the preview, saves two versions, copies a shipped one and starts a round with it', async ({
		browser,
		server
	}) => {
		const { token, user } = await apiSignIn(server.url, 'head');
		const community = user.scope[0];
		const page = await signedInPage(browser, server, 'head', null);
		try {
			// The list, from the section links.
			await page.getByRole('navigation').getByRole('link', { name: '排查模板' }).click();
			await page.getByRole('heading', { level: 1, name: '排查模板' }).waitFor();
			const routine = page.getByRole('listitem').filter({
				has: page.getByRole('heading', { level: 2, name: '日常走访' })
			});
			await routine.getByText('系统模板').waitFor();
			// Shipped templates are copied, never edited.
			expect(await routine.getByRole('link', { name: /^编辑/ }).count()).toBe(0);
			await page.getByRole('link', { name: '+ 新建模板' }).click();
			await page.getByRole('heading', { level: 1, name: '新建模板' }).waitFor();

			// Question 1: yes / no, "yes" is abnormal, asked of the household.
			await page.getByLabel('模板名称').fill(TEMPLATE);
			const first = questionBlock(page, 1);
			await first.getByLabel('题目', { exact: true }).fill('家中有积水');
			await first.getByRole('radio', { name: '选“是”为异常' }).check();
			// The preview follows the typing, in the worker's form: the label and the rule.
			const asked = preview(page).getByRole('group', { name: /家中有积水/ });
			await asked.waitFor();
			await asked.getByRole('radio', { name: '是', exact: true }).check();
			await asked.getByText('异常', { exact: true }).waitFor();

			// Question 2: a number per member, abnormal at 37.3 or above.
			await page.getByRole('button', { name: '+ 添加问题' }).click();
			const second = questionBlock(page, 2);
			await second.getByLabel('题目', { exact: true }).fill('体温');
			await second.getByLabel('题型').selectOption({ label: '数字' });
			await second.getByRole('radio', { name: '每位成员都问' }).check();
			await second.getByLabel(/^单位/).fill('°C');
			await second.getByLabel(/^最小值/).fill('34');
			await second.getByLabel(/^最大值/).fill('43');
			await second.getByRole('radio', { name: '不低于界限值为异常' }).check();
			// A threshold that is no number is named beside its field while typing.
			await second.getByLabel(/^界限值/).fill('三十七');
			await second.getByText('第 2 题异常规则：请填写界限值（数字）').waitFor();
			await second.getByLabel(/^界限值/).fill('37.3');
			expect(await second.getByText(/请填写界限值/).count()).toBe(0);
			const temperature = preview(page).getByLabel(/^体温/);
			await temperature.fill('38.2');
			await preview(page).getByText('范围 34–43').waitFor();
			await preview(page).locator('[data-question="q2"].abnormal').waitFor();

			// Question 3: one choice, "煤炉" abnormal.
			await page.getByRole('button', { name: '+ 添加问题' }).click();
			const third = questionBlock(page, 3);
			await third.getByLabel('题目', { exact: true }).fill('取暖方式');
			await third.getByLabel('题型').selectOption({ label: '单选' });
			await third.getByLabel('选项', { exact: true }).fill('暖气\n电暖器\n煤炉');
			await third.getByRole('checkbox', { name: '煤炉' }).check();
			for (const option of ['暖气', '电暖器', '煤炉'])
				await preview(page).getByRole('radio', { name: option }).waitFor();
			// The key, generated from the position, is under 高级.
			await third.getByText('高级').click();
			expect(await third.getByLabel('题目编号').inputValue()).toBe('q3');

			// Standard and 长辈版 previews: larger type inside the preview only.
			const frame = preview(page).locator('[data-preview-mode]');
			const standardSize = await fontSize(frame);
			await page.setViewportSize({ width: 1280, height: 1600 });
			await screenshot(page, 'check-template-editor-standard');
			await preview(page).getByRole('radio', { name: '长辈版' }).check();
			await preview(page).locator('[data-preview-mode="elderly"]').waitFor();
			const elderlySize = await fontSize(frame);
			expect(elderlySize).toBeGreaterThan(standardSize * 1.4);
			expect(await fontSize(page.locator('body'))).toBe(standardSize);
			expect(await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))).toBe(
				false
			);
			// What was tried in the preview stays when the mode changes.
			expect(await preview(page).getByLabel(/^体温/).inputValue()).toBe('38.2');
			await screenshot(page, 'check-template-editor-elderly');

			// Save: version 1.
			await page.getByRole('button', { name: '保存模板' }).click();
			const id = await savedTemplateId(page);
			const saved = await templateById(server.url, token, id);
			expect(saved).toMatchObject({ version: 1, name: TEMPLATE, divisionCode: community });
			expect(saved.questions).toEqual([
				{
					key: 'q1',
					label: '家中有积水',
					kind: 'yes_no',
					perResident: false,
					abnormal: { equals: true }
				},
				{
					key: 'q2',
					label: '体温',
					kind: 'number',
					perResident: true,
					unit: '°C',
					min: 34,
					max: 43,
					abnormal: { atLeast: 37.3 }
				},
				{
					key: 'q3',
					label: '取暖方式',
					kind: 'choice',
					perResident: false,
					options: ['暖气', '电暖器', '煤炉'],
					abnormal: { oneOf: ['煤炉'] }
				}
			]);

			// Change a question: version 2; its key stays.
			await page.getByRole('heading', { level: 1, name: '编辑模板' }).waitFor();
			const again = questionBlock(page, 2);
			await again.getByLabel('题目', { exact: true }).fill('体温（腋下）');
			await preview(page)
				.getByLabel(/^体温（腋下）/)
				.waitFor();
			await page.getByRole('button', { name: '保存模板' }).click();
			await page.getByText('已保存为第 2 版').waitFor({ timeout: 20_000 });
			const changed = await templateById(server.url, token, id);
			expect(changed.version).toBe(2);
			expect(changed.questions[1]).toMatchObject({ key: 'q2', label: '体温（腋下）' });
			await page.setViewportSize(VIEWPORTS.phone);
			await screenshot(page, 'check-template-editor-phone');
			await page.setViewportSize({ width: 1280, height: 860 });

			// Copy a shipped template: "<name>（副本）" in the head's community.
			await page.getByRole('link', { name: '返回排查模板' }).click();
			await page.getByRole('heading', { level: 2, name: TEMPLATE }).waitFor({ timeout: 20_000 });
			await screenshot(page, 'check-template-list');
			await page.getByRole('link', { name: /^复制\s*“燃气安全排查”$/ }).click();
			await page.getByRole('heading', { level: 1, name: '复制模板' }).waitFor();
			expect(await page.getByLabel('模板名称').inputValue()).toBe('燃气安全排查（副本）');
			await page.getByRole('button', { name: '保存模板' }).click();
			const copyId = await savedTemplateId(page);
			const copy = await templateById(server.url, token, copyId);
			expect(copy).toMatchObject({
				version: 1,
				name: '燃气安全排查（副本）',
				divisionCode: community
			});
			expect(copy.questions.map((q) => q.key)).toEqual([
				'gas_type',
				'gas_smell',
				'old_hose',
				'alarm'
			]);

			// A round with the template: the list shows it with the version it pinned.
			await page.getByRole('navigation').getByRole('link', { name: '排查任务' }).click();
			await page.getByLabel('排查模板').selectOption({ label: TEMPLATE });
			await page.getByLabel(/^任务名称/).fill('冬季入户排查第一轮');
			const due = await page.getByLabel(/^开始日期/).inputValue();
			await page.getByLabel(/^截止日期/).fill(due);
			await page.getByRole('button', { name: '发起任务' }).click();
			const listed = page
				.getByRole('listitem')
				.filter({ hasText: '冬季入户排查第一轮' })
				.getByText(`模板：${TEMPLATE}（第 2 版）`);
			await listed.waitFor({ timeout: 20_000 });
			// Its question figures, labelled from the pinned version.
			for (const label of ['家中有积水', '体温（腋下）', '取暖方式'])
				await page
					.locator('table')
					.filter({ has: page.locator('caption', { hasText: label }) })
					.waitFor({ timeout: 20_000 });
			await screenshot(page, 'check-template-round');
		} finally {
			await page.context().close();
		}
	});
});
