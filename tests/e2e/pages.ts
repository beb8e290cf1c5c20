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

	/** On a phone the language switch is in the header's menu: open it first unless it is open. */
	async switchLanguage(language: Language): Promise<void> {
		const menu = this.page.getByRole('button', { name: /^(菜单|Menu)$/ });
		if (!(await this.languageButton(language).isVisible()) && (await menu.isVisible()))
			await menu.click();
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
		// The errors show just after the tap, not with it: wait for the first before reading them.
		await this.page.locator('.field-error').first().waitFor({ timeout: 10_000 });
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

// ---- Data-entry forms, the map and the app lock (tests/e2e/forms-map.test.ts) ----------------

/** Any of the household, resident and incident forms: fields by their visible label. */
export class EntryFormPage extends AppShell {
	field(label: string) {
		return this.page.getByLabel(label, { exact: true });
	}

	async fill(label: string, value: string): Promise<void> {
		await this.field(label).fill(value);
	}

	/** A radio button; its name includes the explanation under the label, so match the start. */
	radio(label: string) {
		return this.page.getByRole('radio', { name: new RegExp(`^${label}`) });
	}

	async choose(label: string): Promise<void> {
		await this.radio(label).check();
	}

	async tick(label: string): Promise<void> {
		await this.page.getByRole('checkbox', { name: label }).check();
	}

	async submit(name: string): Promise<void> {
		await this.page.getByRole('button', { name, exact: true }).click();
	}

	/** The error shown next to a field (its aria-describedby), or null. */
	async fieldError(label: string): Promise<string | null> {
		const field = this.field(label);
		if ((await field.getAttribute('aria-invalid')) !== 'true') return null;
		const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/);
		const errorId = ids.find((id) => id.endsWith('-error'));
		return errorId ? (await this.page.locator(`#${errorId}`).innerText()).trim() : null;
	}

	async errorSummary(): Promise<string[]> {
		const summary = this.page.getByRole('alert').filter({ has: this.page.locator('ul') });
		await summary.waitFor({ timeout: 5_000 });
		return (await summary.getByRole('listitem').allInnerTexts()).map((t) => t.trim());
	}

	/** The title of the "saved" panel that replaces a form. */
	async savedTitle(): Promise<string> {
		const title = this.page.locator('#saved-title');
		await title.waitFor({ timeout: 10_000 });
		return (await title.innerText()).trim();
	}

	async focusedId(): Promise<string> {
		return this.page.evaluate(() => document.activeElement?.id ?? '');
	}
}

export class MapPage extends AppShell {
	readonly map = this.page.locator('.leaflet-container');
	readonly markers = this.page.locator('path.household-marker');
	readonly outlines = this.page.locator('path.grid-outline');
	readonly tiles = this.page.locator('img.leaflet-tile');

	async open(gridId?: string): Promise<void> {
		await this.page.goto(gridId ? `/worker/map?grid=${gridId}` : '/worker/map');
		await this.markers.first().waitFor({ timeout: 60_000 });
	}

	legend() {
		return this.page.getByRole('region', { name: '图例' });
	}

	popup() {
		return this.page.locator('.leaflet-popup-content');
	}
}

/** The PIN a signed-in worker sets in the tests. */
export const TEST_PIN = '2580';

export class LockScreen extends AppShell {
	readonly dialog = this.page.getByRole('dialog', { name: '网格通已锁定' });
	readonly setupDialog = this.page.getByRole('dialog', { name: '设置解锁密码' });

	/** After an online sign-in: the PIN is required before any cached data shows; set it. */
	async setRequiredPin(pin = TEST_PIN): Promise<void> {
		await this.setupDialog.waitFor({ timeout: 15_000 });
		await this.setPin(pin);
		await this.setupDialog.waitFor({ state: 'hidden', timeout: 15_000 });
	}

	/** Open the lock with the PIN and wait until it is gone. */
	async unlock(pin = TEST_PIN): Promise<void> {
		await this.dialog.waitFor({ timeout: 15_000 });
		await this.enterPin(pin);
		await this.dialog.waitFor({ state: 'hidden', timeout: 15_000 });
	}

	async openPinSetup(): Promise<void> {
		await this.page.getByRole('button', { name: '设置解锁密码' }).click();
		await this.page.getByRole('dialog', { name: '设置解锁密码' }).waitFor();
	}

	/** In the open "set a PIN" dialog. */
	async setPin(pin: string, confirm = pin): Promise<void> {
		await this.page.getByLabel('解锁密码', { exact: true }).fill(pin);
		await this.page.getByLabel('再次输入解锁密码', { exact: true }).fill(confirm);
		await this.page.getByRole('button', { name: '保存解锁密码' }).click();
	}

	async lockNow(): Promise<void> {
		await this.page.getByRole('button', { name: '锁屏', exact: true }).click();
		await this.dialog.waitFor({ timeout: 10_000 });
	}

	/** Enter a PIN and wait for the answer (the box empties, or the lock goes away). */
	async enterPin(pin: string): Promise<void> {
		await this.dialog.getByLabel('解锁密码（4–6 位数字）').fill(pin);
		await this.dialog.getByRole('button', { name: '解锁', exact: true }).click();
		await this.page.waitForFunction(() => {
			const box = document.getElementById('unlock-pin') as HTMLInputElement | null;
			return !box || box.value === '';
		});
	}

	async pinError(): Promise<string> {
		const error = this.dialog.locator('#unlock-pin-error');
		await error.waitFor({ timeout: 10_000 });
		return (await error.innerText()).trim();
	}

	async isLocked(): Promise<boolean> {
		return this.dialog.isVisible();
	}
}

/** The "new version" banner under the header (src/lib/components/layout/UpdateBanner.svelte). */
export class UpdateBanner extends AppShell {
	readonly updateButton = this.page.getByRole('button', { name: '立即更新', exact: true });
	/** Asked when the page holds a form with input not saved yet. */
	readonly unsavedConfirm = this.page.getByRole('group', { name: '确认更新' });
	readonly keepFillingButton = this.page.getByRole('button', { name: '继续填写', exact: true });
	readonly updateAnywayButton = this.page.getByRole('button', {
		name: '不保存，立即更新',
		exact: true
	});
	readonly applying = this.page.getByText('正在更新，马上重新打开…');

	async waitForOffer(timeoutMs = 30_000): Promise<void> {
		await this.updateButton.waitFor({ timeout: timeoutMs });
	}
}
