// Page models of the kiosk, and the demo residents a check-in is made for.
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { maskName } from '../../src/lib/shared/mask';
import { AppShell, LoginPage } from './pages';
import { DEMO_PASSWORD, type RunningServer } from './fixtures';

export interface DemoElder {
	id: string;
	name: string;
	maskedName: string;
	tail: string;
	gridId: string;
	householdId: string;
}

/**
 * Daily check-in residents of the demo community whose ID tail is unique in it (so the kiosk
 * offers exactly one name), read from the server's database.
 */
export function demoElders(server: RunningServer): DemoElder[] {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		const rows = db
			.prepare(
				`SELECT id, name, id_number AS idNumber, grid_id AS gridId, household_id AS householdId
				 FROM residents WHERE daily_check_in = 1 AND deleted = 0 AND id_number IS NOT NULL
				 ORDER BY id`
			)
			.all() as {
			id: string;
			name: string;
			idNumber: string;
			gridId: string;
			householdId: string;
		}[];
		const count = new Map<string, number>();
		for (const r of rows)
			count.set(r.idNumber.slice(-4), (count.get(r.idNumber.slice(-4)) ?? 0) + 1);
		return rows
			.filter((r) => count.get(r.idNumber.slice(-4)) === 1)
			.map((r) => ({
				id: r.id,
				name: r.name,
				maskedName: maskName(r.name),
				tail: r.idNumber.slice(-4),
				gridId: r.gridId,
				householdId: r.householdId
			}));
	} finally {
		db.close();
	}
}

/** The id of a demo grid, by its name (e.g. 第六网格). */
export function demoGridId(server: RunningServer, name: string): string {
	const db = new Database(server.databasePath, { readonly: true, fileMustExist: true });
	try {
		const row = db.prepare('SELECT id FROM grids WHERE name = ?').get(name) as
			{ id: string } | undefined;
		if (!row) throw new Error(`no grid named ${name}`);
		return row.id;
	} finally {
		db.close();
	}
}

/** Disable or enable a user on the server, as an administrator would. */
export function setUserDisabled(server: RunningServer, username: string, disabled: boolean): void {
	const db = new Database(server.databasePath, { fileMustExist: true });
	try {
		db.prepare('UPDATE users SET disabled = ? WHERE username = ?').run(disabled ? 1 : 0, username);
	} finally {
		db.close();
	}
}

export class KioskPage extends AppShell {
	/** Sign in as the demo's ready-made kiosk user and open the check-in. */
	async openAsDemoKiosk(): Promise<void> {
		const login = new LoginPage(this.page);
		await login.open();
		await login.signIn('kiosk', DEMO_PASSWORD);
		await this.page.waitForURL('**/kiosk');
		await this.waitForStart();
	}

	/** A volunteer or worker signs in as the helper of assisted check-ins. */
	async signInHelper(username: string): Promise<void> {
		await this.button('工作人员协助签到').click();
		await this.page.getByLabel('用户名').fill(username);
		await this.page.getByLabel('密码').fill(DEMO_PASSWORD);
		await this.button('开始协助').click();
		await this.page.getByText(/^协助签到：/).waitFor();
	}

	async waitForStart(): Promise<void> {
		await this.waitForHeading('请输入您身份证号码的最后4位');
	}

	key(label: string) {
		return this.page.getByRole('group', { name: '数字键盘' }).getByRole('button', {
			name: label,
			exact: true
		});
	}

	button(name: string) {
		return this.page.getByRole('button', { name, exact: true });
	}

	/** Tap the tail on the on-screen keys and go on. */
	async tapTail(tail: string): Promise<void> {
		for (const char of tail) await this.key(char).click();
		await this.button('下一步').click();
	}

	/** A resident's button: the masked name, then birth year, building and unit (1950年生 · 3栋2单元). */
	nameButton(maskedName: string) {
		const escaped = maskedName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		return this.page.getByRole('button', { name: new RegExp(`^${escaped}( .*)?$`) });
	}

	async chooseName(maskedName: string): Promise<void> {
		await this.waitForHeading('请点您的名字');
		await this.nameButton(maskedName).click();
	}

	async answer(label: '我很好' | '身体不舒服' | '我需要帮助'): Promise<void> {
		await this.waitForHeading('您今天身体怎么样？');
		await this.page.getByRole('button', { name: label }).click();
	}

	deliveryText() {
		return this.page.locator('.delivery');
	}
}

/**
 * Replace the browser's speech with a recorder before the app loads: headless Chromium has no
 * zh-CN voice, so voice mode would hide itself. What the app says is read with spokenWords.
 */
export async function stubSpeech(page: Page): Promise<void> {
	await page.addInitScript(() => {
		const spoken: { text: string; lang: string }[] = [];
		const voice = {
			lang: 'zh-CN',
			localService: true,
			name: '婷婷',
			voiceURI: 'tingting',
			default: true
		};
		const synth = new EventTarget() as EventTarget & Record<string, unknown>;
		Object.assign(synth, {
			getVoices: () => [voice],
			speak: (u: SpeechSynthesisUtterance) => spoken.push({ text: u.text, lang: u.lang }),
			cancel: () => undefined,
			pause: () => undefined,
			resume: () => undefined,
			speaking: false,
			pending: false,
			paused: false
		});
		Object.defineProperty(window, 'speechSynthesis', { value: synth, configurable: true });
		// Chromium's own utterance refuses a voice object that is not one of its own.
		class Utterance {
			lang = '';
			voice: unknown = null;
			rate = 1;
			constructor(readonly text: string) {}
		}
		Object.defineProperty(window, 'SpeechSynthesisUtterance', {
			value: Utterance,
			configurable: true
		});
		Object.defineProperty(window, '__spoken', { value: spoken });
	});
}

/** Everything the app has said since the page loaded, with its language. */
export function spokenWords(page: Page): Promise<{ text: string; lang: string }[]> {
	return page.evaluate(
		() => (window as unknown as { __spoken: { text: string; lang: string }[] }).__spoken
	);
}

/** Every visible button and link whose box is under `min` CSS px in either direction. */
export function smallTargets(page: Page, min: number) {
	return page.evaluate((min) => {
		const small: string[] = [];
		for (const el of document.querySelectorAll<HTMLElement>('button, a[href]')) {
			const box = el.getBoundingClientRect();
			const style = getComputedStyle(el);
			if (box.width === 0 || style.visibility === 'hidden' || el.closest('[hidden]')) continue;
			// The skip link waits off screen until focused.
			if (box.bottom < 0) continue;
			if (box.width < min || box.height < min)
				small.push(
					`${el.textContent?.trim() || el.getAttribute('aria-label')}: ${box.width}×${box.height}`
				);
		}
		return small;
	}, min);
}
