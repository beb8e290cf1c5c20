// Page models: what a user sees and does, named the way they would say it.
import type { Page } from 'playwright-core';

export type Language = '中文' | 'English';

export class AppShell {
	constructor(readonly page: Page) {}

	heading(name: string) {
		return this.page.getByRole('heading', { level: 1, name });
	}

	async waitForHeading(name: string): Promise<void> {
		await this.heading(name).waitFor({ state: 'visible', timeout: 15_000 });
	}

	languageButton(language: Language) {
		return this.page.getByRole('button', { name: language, exact: true });
	}

	async switchLanguage(language: Language): Promise<void> {
		await this.languageButton(language).click();
	}

	async documentLanguage(): Promise<string> {
		return this.page.evaluate(() => document.documentElement.lang);
	}

	async networkStatusText(): Promise<string> {
		return (await this.page.locator('header [role="status"]').innerText()).trim();
	}

	async signOut(label: string): Promise<void> {
		await this.page.getByRole('button', { name: label }).click();
	}

	/** Resolves once a service worker controls this page (precache done, worker activated). */
	async waitForServiceWorkerControl(): Promise<void> {
		await this.page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
			timeout: 30_000
		});
	}
}

export class LoginPage extends AppShell {
	async open(): Promise<void> {
		await this.page.goto('/login');
		await this.waitForHeading('登录');
	}

	async signIn(username: string, password: string): Promise<void> {
		await this.page.getByLabel('用户名').fill(username);
		await this.page.getByLabel('密码').fill(password);
		await this.page.getByRole('button', { name: '登录', exact: true }).click();
	}

	async alertText(): Promise<string> {
		const alert = this.page.getByRole('alert');
		await alert.waitFor({ timeout: 10_000 });
		return alert.innerText();
	}

	async fieldErrors(): Promise<string[]> {
		return this.page.locator('.field-error').allInnerTexts();
	}
}

export class DivisionBrowserPage extends AppShell {
	nodeHeading(name: string) {
		return this.page.getByRole('heading', { level: 2, name });
	}

	childLink(name: string) {
		return this.page.getByRole('table').getByRole('link', { name, exact: true });
	}

	breadcrumbs() {
		return this.page.getByRole('navigation', { name: '当前位置' });
	}

	async breadcrumbTrail(): Promise<string[]> {
		return (await this.breadcrumbs().getByRole('listitem').allInnerTexts()).map((t) => t.trim());
	}

	async tableCaption(): Promise<string> {
		return (await this.page.locator('table caption').innerText()).trim();
	}
}
