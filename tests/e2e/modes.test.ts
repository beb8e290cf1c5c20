// Display modes in the browser: two taps from a worker's screen, kept on the device, applied
// before the first screen renders (no flash of the standard look), and the operating system's
// "more contrast" preference respected.
import { describe, expect } from 'vitest';
import { DEMO_PASSWORD, test } from './fixtures';
import { LockScreen, LoginPage } from './pages';
import { autoUnlock } from './worker-pages';

describe('display modes', () => {
	test('switched in two taps, kept across reloads, applied before the first render', async ({
		page
	}) => {
		// Record, at the moment the app first puts a heading on screen, which modes <html> carries.
		await page.addInitScript(() => {
			const seen: string[] = [];
			Object.defineProperty(window, '__firstRender', { value: seen });
			new MutationObserver((_, observer) => {
				if (!document.querySelector('h1')) return;
				const root = document.documentElement;
				seen.push(`${root.hasAttribute('data-elderly')}/${root.dataset.contrast ?? ''}`);
				observer.disconnect();
			}).observe(document, { childList: true, subtree: true });
		});
		const login = new LoginPage(page);
		await login.open();
		await login.signIn('head', DEMO_PASSWORD);
		await page.waitForURL('**/supervise');
		await new LockScreen(page).setRequiredPin();
		autoUnlock(page);
		const fontSize = () =>
			page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
		expect(await fontSize()).toBe(16);

		// Tap 1: the header control; tap 2: the switch.
		await page.getByRole('button', { name: '显示与语音' }).click();
		await page.getByRole('switch', { name: /长辈版/ }).check();
		expect(await fontSize()).toBeGreaterThanOrEqual(24);
		await page.getByRole('switch', { name: /高对比度/ }).check();
		expect(await page.evaluate(() => document.documentElement.dataset.contrast)).toBe('high');
		// Without a voice on this machine the voice switch hides itself.
		expect(await page.getByRole('switch', { name: /语音朗读/ }).count()).toBe(0);
		const textColour = await page.evaluate(() => getComputedStyle(document.body).color);
		expect(textColour).toBe('rgb(0, 0, 0)');

		await page.reload();
		await page.getByRole('heading', { level: 1 }).first().waitFor();
		expect(
			await page.evaluate(() => (window as unknown as { __firstRender: string[] }).__firstRender)
		).toEqual(['true/high']);
		expect(await fontSize()).toBeGreaterThanOrEqual(24);

		// Back to standard.
		await page.getByRole('button', { name: '显示与语音' }).click();
		await page.getByRole('switch', { name: /长辈版/ }).uncheck();
		await page.getByRole('switch', { name: /高对比度/ }).uncheck();
		expect(await fontSize()).toBe(16);
		expect(await page.evaluate(() => document.documentElement.dataset.contrast)).toBeUndefined();
	});

	test('the system preference for more contrast turns high contrast on', async ({
		browser,
		server
	}) => {
		const context = await browser.newContext({
			baseURL: server.url,
			locale: 'zh-CN',
			contrast: 'more'
		});
		try {
			const page = await context.newPage();
			await new LoginPage(page).open();
			expect(await page.evaluate(() => document.documentElement.dataset.contrast)).toBe('high');
		} finally {
			await context.close();
		}
	});
});
