// A check round's template on the worker tablet (docs/check-templates.md, "On the tablet"), in a
// real browser against the built app and the real server: the device holds a round that pins
// the shipped 发热与传染病排查; offline, the visit form asks its questions per member, "全部正常"
// answers them in two taps, a mistyped number is refused beside its field, an abnormal answer is
// said in words; back online the server holds both visits with their answers and flags.
import Database from 'better-sqlite3';
import { describe, expect } from 'vitest';
import { openStore } from '../../server/store';
import { createRound } from '../../server/supervision/rounds';
import { DEMO_COMMUNITY_CODE } from '../../server/seed/demo';
import { apiSignIn, screenshot, serverRows, test, VIEWPORTS, type RunningServer } from './fixtures';
import {
	HouseholdPage,
	storedRows,
	viewportScreenshot,
	VisitFormPage,
	WorkerApp
} from './worker-pages';

const FEVER_TEMPLATE_ID = '00000000-0000-4000-8000-000000000002';
const ROUND_NAME = '冬春季发热排查';

/** A local calendar day, `days` from today, as YYYY-MM-DD. */
function localDate(days: number): string {
	const now = new Date();
	const day = new Date(now.getFullYear(), now.getMonth(), now.getDate() + days);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The community head starts a round with the fever template, through the server's write path. */
async function startFeverRound(server: RunningServer): Promise<string> {
	const store = openStore(`file:${server.databasePath}`);
	try {
		const head = await store.findUserByUsername('head');
		if (!head) throw new Error('no demo head');
		const id = crypto.randomUUID();
		await createRound(
			store,
			head,
			{
				id,
				divisionCode: DEMO_COMMUNITY_CODE,
				name: ROUND_NAME,
				// Yesterday to tomorrow: today on any calendar the browser or the server keeps.
				startDate: localDate(-1),
				dueDate: localDate(1),
				templateId: FEVER_TEMPLATE_ID,
				templateVersion: 1,
				createdBy: head.id,
				createdAt: new Date()
			},
			{ now: new Date(), timeZone: 'Asia/Shanghai' }
		);
		return id;
	} finally {
		await store.close();
	}
}

/** A household of worker1's grid with at least two members, eldest first. */
async function aHousehold(server: RunningServer) {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const rows = await serverRows(server.url, token);
	const members = new Map<string, { id: string; name: string; birthYear: number | null }[]>();
	for (const [id, row] of rows.residents ?? []) {
		const list = members.get(row.householdId as string) ?? [];
		list.push({ id, name: row.name as string, birthYear: row.birthYear as number | null });
		members.set(row.householdId as string, list);
	}
	const [id] = [...(rows.households ?? [])]
		.filter(([id, row]) => row.gridId === user.scope[0] && (members.get(id)?.length ?? 0) >= 2)
		.map(([id]) => id)
		.sort();
	const residents = members.get(id)!.sort((a, b) => (a.birthYear ?? 9999) - (b.birthYear ?? 9999));
	return { id, residents, userId: user.id };
}

interface StoredVisit {
	id: string;
	abnormal: number;
	template_id: string | null;
	template_version: number | null;
	answers: string;
}

describe('a round’s template on the worker tablet', () => {
	test(
		'offline, the form asks the round’s questions; an all-normal and an abnormal visit reach the server with their answers and flags',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			await startFeverRound(server);
			const household = await aHousehold(server);
			const [elder, younger] = household.residents;

			// Online: sign in; the first download brings the round and its template.
			await page.setViewportSize(VIEWPORTS.tablet);
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await page
				.getByText(new RegExp(`^${ROUND_NAME}：已走访`))
				.first()
				.waitFor({ timeout: 60_000 });
			await app.waitForServiceWorkerControl();
			const rounds = await storedRows(page, household.userId, 'rounds');
			expect(rounds.map((r) => (r.template as { id: string } | undefined)?.id)).toContain(
				FEVER_TEMPLATE_ID
			);

			// No network from here on.
			await context.setOffline(true);
			const householdPage = new HouseholdPage(page);
			await householdPage.open(household.id);
			await householdPage.recordVisit();
			const form = new VisitFormPage(page);
			expect(await form.templateText()).toBe('本轮排查：发热与传染病排查');
			// Its questions, per member; none of the routine visit's, no health code.
			await form.member(elder.name).getByLabel('体温（°C）').waitFor();
			expect(await form.member(younger.name).getByRole('group', { name: /^咳嗽/ }).count()).toBe(1);
			expect(await page.getByText('身体状况').count()).toBe(0);
			expect(await page.getByText('健康码').count()).toBe(0);
			await screenshot(page, 'w70-visit-form-round-template-tablet');

			// The routine visit stays two taps.
			await form.saveAllFine();
			await householdPage.saved().waitFor();
			expect(await householdPage.saved().innerText()).toContain('待同步');

			// A mistyped temperature is refused beside its field, naming the member and question.
			await householdPage.recordVisit();
			await form.fill(elder.name, '体温（°C）', '45');
			await form.save();
			expect(await form.errorSummary()).toEqual([`${elder.name}的体温：不能高于 43`]);
			expect(await form.member(elder.name).locator('.field-error').innerText()).toBe(
				`${elder.name}的体温：不能高于 43`
			);
			expect(await page.evaluate(() => document.activeElement?.getAttribute('inputmode'))).toBe(
				'decimal'
			);
			await viewportScreenshot(page, 'w71-visit-form-round-error-tablet');
			// Typed with a Chinese input method, and a cough: both said in words as they are found.
			await form.fill(elder.name, '体温（°C）', '３８．６');
			await form.choose(elder.name, '咳嗽', '是');
			const warning = form.findings(elder.name);
			await warning.waitFor();
			expect(await warning.innerText()).toContain('体温：38.6 °C、咳嗽：是');
			expect(await form.findings(younger.name).count()).toBe(0);
			await screenshot(page, 'w72-visit-form-round-abnormal-tablet');
			await form.save();
			const saved = householdPage.saved();
			await saved.waitFor();
			expect(await saved.innerText()).toContain(`${elder.name}：体温：38.6 °C、咳嗽：是`);
			expect(await householdPage.pendingVisits()).toBe(2);
			const history = await householdPage.visitTexts();
			expect(history[0]).toContain(`${elder.name} 体温：38.6 °C⚠ 异常；`);
			expect(history[0]).toContain('发热与传染病排查');
			expect(history[1]).toContain(`${household.residents.length} 人均正常`);
			await screenshot(page, 'w73-household-round-visits-tablet');

			// Back online: the engine delivers both.
			await context.setOffline(false);
			await app.waitForUnsynced(0, 60_000);

			// The server holds them with the template, the answers and the flags it decided.
			const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
			try {
				const visits = db
					.prepare(
						'SELECT id, abnormal, template_id, template_version, answers FROM visits WHERE household_id = ? AND template_id IS NOT NULL ORDER BY visited_at'
					)
					.all(household.id) as StoredVisit[];
				expect(visits.map((v) => [v.template_id, v.template_version, Boolean(v.abnormal)])).toEqual(
					[
						[FEVER_TEMPLATE_ID, 1, false],
						[FEVER_TEMPLATE_ID, 1, true]
					]
				);
				const [normal, abnormal] = visits.map((v) => JSON.parse(v.answers) as unknown[]);
				// "全部正常": each member's yes/no questions, none abnormal; no temperature assumed.
				expect(normal).toEqual(
					household.residents.flatMap((r) =>
						['fever', 'cough', 'rash'].map((key) => ({
							residentId: r.id,
							key,
							value: false,
							abnormal: false
						}))
					)
				);
				// Only the questions answered.
				expect(abnormal).toEqual([
					{ residentId: elder.id, key: 'temperature', value: 38.6, abnormal: true },
					{ residentId: elder.id, key: 'cough', value: true, abnormal: true }
				]);
			} finally {
				db.close();
			}
		}
	);
});
