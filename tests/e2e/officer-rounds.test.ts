// A street officer runs a check round with a template over the street and follows it from the
// drill-down: the street's view lists the round running today, its question figures per community, and downloads the round's
// report with a column pair per counted question (docs/check-templates.md, "Figures").
import ExcelJS from 'exceljs';
import { describe, expect } from 'vitest';
import { SHIPPED_TEMPLATES } from '../../src/lib/shared/templates';
import { apiSignIn, DEMO_PASSWORD, pushMutations, screenshot, serverRows, test } from './fixtures';
import { LoginPage } from './pages';

/** A local calendar day, `days` from today, as YYYY-MM-DD. */
function localDate(days: number): string {
	const now = new Date();
	const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

const WINTER = SHIPPED_TEMPLATES.find((t) => t.name === '独居老人冬季关爱')!;

describe('a round followed by a street officer', () => {
	test(
		'the street view shows the running round, its question figures and its report',
		{ timeout: 180_000 },
		async ({ page, server }) => {
			// The street office runs the campaign over all its communities.
			const street = await apiSignIn(server.url, 'street');
			const started = await fetch(`${server.url}/api/v1/rounds`, {
				method: 'POST',
				headers: { authorization: `Bearer ${street.token}`, 'content-type': 'application/json' },
				body: JSON.stringify({
					divisionCode: street.user.scope[0],
					name: '冬季关爱走访',
					startDate: localDate(0),
					dueDate: localDate(7),
					templateId: WINTER.id
				})
			});
			expect(started.status).toBe(201);
			const round = (await started.json()) as { id: string; templateVersion: number };
			expect(round.templateVersion).toBe(WINTER.version);

			// Two households visited: one with a member in poor health and no heating, one all fine.
			const worker = await apiSignIn(server.url, 'worker1');
			const rows = await serverRows(server.url, worker.token);
			const residents = [...(rows.residents?.values() ?? [])];
			const withMembers = [...(rows.households?.keys() ?? [])]
				.map((id) => ({ id, members: residents.filter((r) => r.householdId === id) }))
				.filter((h) => h.members.length > 0)
				.slice(0, 2);
			expect(withMembers).toHaveLength(2);
			const visit = (householdId: string, answers: Record<string, unknown>[]) => ({
				table: 'visits',
				op: 'insert' as const,
				fields: {
					householdId,
					visitedAt: new Date().toISOString(),
					outcome: 'visited',
					checks: [],
					templateId: WINTER.id,
					templateVersion: WINTER.version,
					answers
				}
			});
			const [poor, fine] = withMembers;
			const results = await pushMutations(server.url, worker.token, [
				visit(poor.id, [
					{ residentId: poor.members[0].id, key: 'health', value: '较差' },
					{ key: 'heating', value: false }
				]),
				visit(fine.id, [
					...fine.members.map((r) => ({ residentId: r.id, key: 'health', value: '良好' })),
					{ key: 'heating', value: true }
				])
			]);
			expect(results.map((r) => r.status)).toEqual(['applied', 'applied']);
			const askedHealth = 1 + fine.members.length;

			const login = new LoginPage(page);
			await login.open();
			await login.signIn('street', DEMO_PASSWORD);
			await page.waitForURL('**/supervise');
			await page.getByRole('heading', { level: 2, name: '排查轮次' }).waitFor({ timeout: 30_000 });
			await page.getByText('冬季关爱走访', { exact: true }).waitFor();
			const table = page.locator('table[data-question="health"]');
			await table.waitFor({ timeout: 30_000 });
			// The street's row, then one per community; the head's community holds every answer.
			const total = table.locator('tr.total');
			await expect
				.poll(async () => (await total.locator('td').allInnerTexts()).slice(0, 2), {
					timeout: 30_000
				})
				.toEqual([String(askedHealth), '1']);
			const heating = page.locator('table[data-question="heating"] tr.total td');
			expect((await heating.allInnerTexts()).slice(0, 2)).toEqual(['2', '1']);
			// The round's coverage with today's households due and overdue for a visit, as the
			// server counts them for the round (docs/care-tiers.md).
			const roundRollup = (await (
				await fetch(`${server.url}/api/v1/rollup/${street.user.scope[0]}?round=${round.id}`, {
					headers: { authorization: `Bearer ${street.token}` }
				})
			).json()) as { metrics: { visitsDue: number; visitsOverdue: number } };
			const figures = page.locator('table[data-round-figures] tr.total');
			await expect
				.poll(
					async () => [
						await figures.locator('[data-metric="visitsDue"]').innerText(),
						await figures.locator('[data-metric="visitsOverdue"]').innerText()
					],
					{ timeout: 30_000 }
				)
				.toEqual([
					String(roundRollup.metrics.visitsDue),
					String(roundRollup.metrics.visitsOverdue)
				]);
			await screenshot(page, 'officer-round-questions');

			// The round's report, as the button downloads it.
			const download = page.waitForEvent('download');
			await page.getByRole('button', { name: '导出排查报表（冬季关爱走访）' }).click();
			const file = await (await download).path();
			const book = new ExcelJS.Workbook();
			await book.xlsx.readFile(file);
			const sheet = book.worksheets[0];
			const header = sheet.getRow(
				[...Array(sheet.rowCount).keys()]
					.map((i) => i + 1)
					.find((n) => (sheet.getRow(n).values as unknown[]).some((v) => v === '身体状况·询问'))!
			).values as unknown[];
			expect(header).toContain('身体状况·异常');
			expect(header).toContain('取暖正常·询问');
		}
	);
});
