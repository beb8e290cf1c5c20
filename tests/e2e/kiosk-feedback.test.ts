// Hearing back at the kiosk (README, "The kiosk"): a resident asks for help there, the community
// head handles and closes the request, and the next time the resident identifies the kiosk tells
// them, on screen in elderly mode and aloud in voice mode, once.
import { DEFAULT_TIME_ZONE } from '../../server/time-zone';
import { describe, expect } from 'vitest';
import { apiSignIn, screenshot, serverRows, test } from './fixtures';
import { demoElders, KioskPage, spokenWords, stubSpeech } from './kiosk-pages';

describe('kiosk feedback', () => {
	test('help asked at the kiosk → closed by the head → the resident sees and hears it once', async ({
		page,
		server
	}) => {
		const elder = demoElders(server)[5];
		await stubSpeech(page);
		await page.clock.install();
		const kiosk = new KioskPage(page);
		await kiosk.openAsDemoKiosk();
		await page.getByRole('button', { name: '显示与语音' }).click();
		await page.getByRole('switch', { name: /语音朗读/ }).check();
		await page.getByRole('button', { name: '显示与语音' }).click();

		// The resident asks for help; nothing to tell them yet.
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.answer('我需要帮助');
		await kiosk.waitForHeading('您需要什么帮助？');
		await kiosk.button('买药、取药').click();
		await kiosk.button('下一步').click();
		await kiosk.waitForHeading('请确认您的选择');
		await kiosk.button('确认提交').click();
		await expect.poll(() => kiosk.deliveryText().innerText(), { timeout: 30_000 }).toBe('已发送。');
		await kiosk.button('完成').click();
		await kiosk.waitForStart();

		// The request reached the server naming the resident; the head takes it on and closes it.
		const head = await apiSignIn(server.url, 'head');
		const incidents = (await serverRows(server.url, head.token)).incidents;
		const request = [...incidents].find(
			([, row]) => row.residentId === elder.id && row.category === 'help_request'
		);
		expect(request, 'the help request names the resident').toBeDefined();
		const [incidentId] = request!;
		for (const to of ['accepted', 'in_progress', 'resolved', 'verified', 'closed']) {
			const response = await fetch(`${server.url}/api/v1/incidents/${incidentId}/transition`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${head.token}` },
				body: JSON.stringify({ to })
			});
			expect(response.status, to).toBe(200);
		}

		// The kiosk fetches its directory again within half an hour.
		const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/v1/kiosk/directory'));
		await page.clock.fastForward('30:01');
		const entries = (
			(await (await refreshed).json()) as {
				residents: { residentId: string; lastHelp: { status: string; at: string } | null }[];
			}
		).residents;
		const lastHelp = entries.find((e) => e.residentId === elder.id)?.lastHelp;
		expect(lastHelp?.status).toBe('closed');
		// The day in the deployment's zone (the server's default), as the kiosk shows it whatever the
		// browser's own zone.
		const date = await page.evaluate(
			([at, timeZone]) =>
				new Intl.DateTimeFormat('zh-CN', { month: 'long', day: 'numeric', timeZone }).format(
					new Date(at)
				),
			[lastHelp!.at, DEFAULT_TIME_ZONE] as const
		);
		// The day in words, as it is read aloud: "12月6日", not "12/6".
		expect(date).toMatch(/^\d{1,2}月\d{1,2}日$/);
		const told = `您上次的求助已办结（${date}）。`;

		// The resident comes back: told above the first question, and aloud before it.
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.waitForHeading('您今天身体怎么样？');
		const notice = page.getByRole('status').filter({ hasText: '您上次的求助已办结' });
		expect(await notice.innerText()).toContain(told);
		expect(await page.evaluate(() => document.documentElement.hasAttribute('data-elderly'))).toBe(
			true
		);
		expect(
			await notice.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))
		).toBeGreaterThanOrEqual(24);
		await screenshot(page, '47-kiosk-help-handled');
		expect(await spokenWords(page)).toContainEqual({
			text: `${told} 您今天身体怎么样？`,
			lang: 'zh-CN'
		});

		await kiosk.answer('我很好');
		await kiosk.waitForHeading('请确认您的选择');
		await kiosk.button('确认提交').click();
		await kiosk.button('完成').click();
		await kiosk.waitForStart();

		// Told once: the next check-in starts with the question alone.
		await kiosk.tapTail(elder.tail);
		await kiosk.chooseName(elder.maskedName);
		await kiosk.waitForHeading('您今天身体怎么样？');
		expect(await page.getByText('您上次的求助已办结').count()).toBe(0);
	});
});
