// Page models of the grid worker's screens (tests/e2e/worker-offline.test.ts), named the way a
// worker would say what they see and do.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { DEMO_PASSWORD, SCREENSHOT_DIR } from './fixtures';
import { AppShell, LockScreen, LoginPage, TEST_PIN } from './pages';

/** The app shell of a signed-in worker: the sync strip in the header. */
export class WorkerApp extends AppShell {
	readonly syncBar = this.page.getByRole('region', { name: '同步状态' });

	/** Sign in on the login page and set the PIN the app requires before showing any data. */
	async signIn(username: string): Promise<void> {
		const login = new LoginPage(this.page);
		await login.open();
		await this.page.getByLabel('用户名', { exact: true }).fill(username);
		await this.page.getByLabel('密码', { exact: true }).fill(DEMO_PASSWORD);
		await this.page.getByRole('button', { name: '登录', exact: true }).click();
		await this.page.waitForURL('**/worker');
		await new LockScreen(this.page).setRequiredPin();
		autoUnlock(this.page);
	}

	/** After a reload with a saved session the app starts locked: open it. */
	async unlock(): Promise<void> {
		await new LockScreen(this.page).unlock();
	}

	async waitForHome(): Promise<void> {
		await this.heading('我的网格').waitFor({ state: 'visible', timeout: 60_000 });
	}

	/** The unsynced count the header shows (0 when it says everything is synced). */
	async unsyncedCount(): Promise<number> {
		const text = await this.syncBar.getByRole('link').first().innerText();
		const match = /未同步\s*([\d,]+)\s*条/.exec(text);
		return match ? Number(match[1].replace(/,/g, '')) : 0;
	}

	async waitForUnsynced(count: number, timeoutMs = 30_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		let last = -1;
		while (Date.now() < deadline) {
			last = await this.unsyncedCount();
			if (last === count) return;
			await this.page.waitForTimeout(200);
		}
		throw new Error(`the header shows ${last} unsynced, not ${count}`);
	}

	async lastSyncText(): Promise<string> {
		return (await this.syncBar.locator('.last').innerText()).trim();
	}

	async syncNow(): Promise<void> {
		await this.syncBar.getByRole('button', { name: '同步', exact: true }).click();
	}
}

const unlockPins = new WeakMap<Page, string>();

/** The PIN `autoUnlock` types from now on (after the worker changed it). */
export function setAutoUnlockPin(page: Page, pin: string): void {
	unlockPins.set(page, pin);
}

/**
 * A worker who types the PIN whenever the app asks: every page load with a saved session starts
 * locked, so after each `goto` and `reload` of this page the lock is opened with the test PIN.
 */
export function autoUnlock(page: Page, pin = TEST_PIN): void {
	if (unlockPins.has(page)) return;
	unlockPins.set(page, pin);
	const settle = async () => {
		// The root layout renders once the lock knows its state: either the page or the lock shows.
		const locked = await page
			.waitForFunction(
				() => {
					const main = document.getElementById('main');
					if (document.querySelector('dialog.lock[open]')) return 'locked';
					return main && !main.hidden ? 'open' : false;
				},
				undefined,
				{ timeout: 30_000 }
			)
			.then((handle) => handle.jsonValue());
		if (locked !== 'locked') return;
		// By the dialog's elements, not its words: the UI language may be either.
		const dialog = page.locator('dialog.lock');
		await dialog.locator('#unlock-pin').fill(unlockPins.get(page) ?? TEST_PIN);
		await dialog.locator('button[type="submit"]').click();
		await dialog.waitFor({ state: 'detached', timeout: 15_000 });
	};
	const goto = page.goto.bind(page);
	const reload = page.reload.bind(page);
	page.goto = async (...args: Parameters<Page['goto']>) => {
		const response = await goto(...args);
		await settle();
		return response;
	};
	page.reload = async (...args: Parameters<Page['reload']>) => {
		const response = await reload(...args);
		await settle();
		return response;
	};
}

export class HouseholdListPage extends WorkerApp {
	readonly list = this.page.getByRole('list', { name: '住户名单' });
	readonly search = this.page.getByLabel('搜索住址、姓名或标签');

	async open(gridId: string): Promise<void> {
		await this.page.goto(`/worker/grid/${gridId}`);
		await this.result().waitFor({ timeout: 30_000 });
	}

	result() {
		return this.page.getByText(/^显示 [\d,]+ 户，共 [\d,]+ 户$/);
	}

	/** "显示 12 户，共 277 户" → [12, 277] */
	async counts(): Promise<[number, number]> {
		const text = await this.result().innerText();
		const [, shown, total] = /显示 ([\d,]+) 户，共 ([\d,]+) 户/.exec(text)!;
		return [Number(shown.replace(/,/g, '')), Number(total.replace(/,/g, ''))];
	}

	/** Wait until the list shows this many households. */
	async waitForShown(count: number, timeoutMs = 10_000): Promise<void> {
		await this.page
			.getByText(new RegExp(`^显示 ${count.toLocaleString('en')} 户`))
			.waitFor({ timeout: timeoutMs });
	}

	filter(name: string) {
		return this.page.getByRole('group', { name: '筛选住户' }).getByRole('button', {
			name: new RegExp(`^${name}`)
		});
	}

	async addresses(): Promise<string[]> {
		// textContent: rows scrolled far off screen are not laid out (content-visibility), so no innerText.
		return (await this.list.locator('.address').allTextContents()).map((t) => t.trim());
	}
}

export class HouseholdPage extends WorkerApp {
	readonly visits = this.page.locator('section[aria-labelledby="visits-title"] li.visit');

	async open(householdId: string): Promise<void> {
		await this.page.goto(`/worker/household/${householdId}`);
		await this.page
			.getByRole('heading', { level: 2, name: '家庭成员' })
			.waitFor({ timeout: 30_000 });
	}

	async recordVisit(): Promise<void> {
		await this.page.getByRole('link', { name: '记录走访' }).click();
		await this.heading('记录走访').waitFor({ timeout: 10_000 });
	}

	/** The "visit saved" panel shown after the form. */
	saved() {
		return this.page.getByRole('region', { name: /走访已保存/ });
	}

	async visitTexts(): Promise<string[]> {
		return (await this.visits.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
	}

	async pendingVisits(): Promise<number> {
		return this.visits.filter({ hasText: '待同步' }).count();
	}
}

export class VisitFormPage extends WorkerApp {
	member(name: string) {
		return this.page.getByRole('group', { name: new RegExp(`^${name}(\\s|$)`) });
	}

	/** The questions asked once of the household. */
	household() {
		return this.page.getByRole('group', { name: '全户情况' });
	}

	/** Which template the form asks: "本轮排查：…" or "日常走访". */
	async templateText(): Promise<string> {
		return (await this.page.locator('.visit > .template').innerText()).trim();
	}

	/** The abnormal findings said under a member's questions (or the household's: null). */
	findings(member: string | null) {
		return (member === null ? this.household() : this.member(member)).locator('.findings');
	}

	async saveAllFine(): Promise<void> {
		await this.page.getByRole('button', { name: '全部正常，保存' }).click();
	}

	/** Tap an answer (是, 否, an option) to a question of a member, or of the household (null). */
	async choose(member: string | null, question: string, answer: string): Promise<void> {
		await (member === null ? this.household() : this.member(member))
			.getByRole('group', { name: new RegExp(`^${question}`) })
			.getByRole('radio', { name: answer, exact: true })
			.check();
	}

	/** Type the answer to a number or text question ("体温（°C）") of a member. */
	async fill(member: string, label: string, value: string): Promise<void> {
		await this.member(member).getByLabel(label).fill(value);
	}

	async save(): Promise<void> {
		await this.page.getByRole('button', { name: '保存', exact: true }).click();
	}

	async errorSummary(): Promise<string[]> {
		const summary = this.page.locator('#visit-errors');
		await summary.waitFor({ timeout: 5_000 });
		return (await summary.getByRole('listitem').allInnerTexts()).map((t) => t.trim());
	}
}

export class OutboxPage extends WorkerApp {
	async open(): Promise<void> {
		await this.page.goto('/worker/outbox');
		await this.heading('未同步的修改').waitFor({ timeout: 30_000 });
	}

	refused() {
		return this.page.locator('section[aria-labelledby="rejected-title"] li.change');
	}
}

/** A screenshot of what is on screen now (long lists make full-page shots unreadable). */
export async function viewportScreenshot(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

/** Rows of an object store of a user's database on this device, read straight from IndexedDB. */
export function storedRows(page: Page, userId: string, store: string) {
	return page.evaluate(
		async ({ dbName, store }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(dbName);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			try {
				return await new Promise<Record<string, unknown>[]>((resolve, reject) => {
					const request = db.transaction(store).objectStore(store).getAll();
					request.onsuccess = () => resolve(request.result as Record<string, unknown>[]);
					request.onerror = () => reject(request.error);
				});
			} finally {
				db.close();
			}
		},
		{ dbName: `gridcare-${userId}`, store }
	);
}

/** Add rows to an object store of a user's database on this device (one transaction). */
export function addStoredRows(page: Page, userId: string, store: string, rows: unknown[]) {
	return page.evaluate(
		async ({ dbName, store, rows }) => {
			const db = await new Promise<IDBDatabase>((resolve, reject) => {
				const request = indexedDB.open(dbName);
				request.onsuccess = () => resolve(request.result);
				request.onerror = () => reject(request.error);
			});
			try {
				await new Promise<void>((resolve, reject) => {
					const tx = db.transaction(store, 'readwrite');
					for (const row of rows) tx.objectStore(store).put(row);
					tx.oncomplete = () => resolve();
					tx.onerror = () => reject(tx.error);
				});
			} finally {
				db.close();
			}
		},
		{ dbName: `gridcare-${userId}`, store, rows }
	);
}
