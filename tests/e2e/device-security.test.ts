// The worker tablet's protection, in Chromium on the built app: sensitive fields are ciphertext in
// IndexedDB (outbox included) and off screen while locked; a PIN change re-wraps the data key; a
// forgotten PIN costs an online sign-in, never the outbox; signing out wipes the device once the
// outbox is delivered, and warns with the count when it cannot be.
import { describe, expect } from 'vitest';
import type { Page } from 'playwright-core';
import { apiSignIn, screenshot, serverRows, test, VIEWPORTS, type RunningServer } from './fixtures';
import { EntryFormPage, LockScreen, LoginPage, TEST_PIN } from './pages';
import { HouseholdPage, setAutoUnlockPin, VisitFormPage, WorkerApp } from './worker-pages';

const NOTE = '王阿姨说夜里胸闷，建议社区医生上门';
const NEW_PHONE = '13987654321';
const NEW_RESIDENT = '覃秀兰';

/** A household of worker1's grid with its residents (eldest first), as the server holds it. */
async function aHousehold(server: RunningServer) {
	const { token, user } = await apiSignIn(server.url, 'worker1');
	const rows = await serverRows(server.url, token);
	const gridId = user.scope[0];
	const residents = [...(rows.residents?.entries() ?? [])].map(([id, r]) => ({
		id,
		householdId: r.householdId as string,
		name: r.name as string,
		birthYear: r.birthYear as number | null,
		phone: r.phone as string | null
	}));
	const ids = [...(rows.households?.entries() ?? [])]
		.filter(([, row]) => row.gridId === gridId)
		.map(([id]) => String(id))
		.sort();
	const id = ids.find((h) => residents.some((r) => r.householdId === h))!;
	const members = residents
		.filter((r) => r.householdId === id)
		.sort((a, b) => (a.birthYear ?? 9999) - (b.birthYear ?? 9999));
	return { token, user, gridId, id, members, phones: residents.map((r) => r.phone) };
}

/** Every object store of the user's database as text, read straight from IndexedDB. */
function rawDatabase(page: Page, userId: string): Promise<{ text: string; outbox: number }> {
	return page.evaluate(async (dbName) => {
		const db = await new Promise<IDBDatabase>((resolve, reject) => {
			const request = indexedDB.open(dbName);
			request.onsuccess = () => resolve(request.result);
			request.onerror = () => reject(request.error);
		});
		try {
			const stores: Record<string, unknown[]> = {};
			for (const name of Array.from(db.objectStoreNames))
				stores[name] = await new Promise<unknown[]>((resolve, reject) => {
					const request = db.transaction(name).objectStore(name).getAll();
					request.onsuccess = () => resolve(request.result as unknown[]);
					request.onerror = () => reject(request.error);
				});
			// Bytes are shown as bytes: ciphertext must not be mistaken for text, nor text hidden.
			const text = JSON.stringify(stores, (_key, value: unknown) =>
				value instanceof Uint8Array ? `<${value.length} bytes>` : value
			);
			return { text, outbox: stores.outbox.length };
		} finally {
			db.close();
		}
	}, `gridcare-${userId}`);
}

async function databaseNames(page: Page): Promise<string[]> {
	return page.evaluate(async () =>
		(await indexedDB.databases()).map((d) => d.name ?? '').filter(Boolean)
	);
}

/** Record a visit with a fever and a note for the eldest member. */
/** A visit finding `member` unwell (身体状况：较差), with a note. */
async function recordUnwellVisit(page: Page, householdId: string, member: string, note: string) {
	const householdPage = new HouseholdPage(page);
	await householdPage.open(householdId);
	await householdPage.recordVisit();
	const form = new VisitFormPage(page);
	await form.choose(member, '身体状况', '较差');
	await page.locator('#visit-note').fill(note);
	await form.save();
	await householdPage.saved().waitFor();
}

async function waitForServer<T>(read: () => Promise<T | undefined>, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await read();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error('timed out waiting for the server');
		await new Promise((r) => setTimeout(r, 500));
	}
}

describe('the worker tablet’s protection', () => {
	test(
		'phones, health checks and notes are ciphertext in IndexedDB, outbox included; nothing shows while locked; a new PIN re-wraps the key',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const hh = await aHousehold(server);
			const eldest = hh.members[0];
			const knownPhones = hh.phones.filter((p): p is string => typeof p === 'string');
			expect(knownPhones.length).toBeGreaterThan(0);
			await page.setViewportSize(VIEWPORTS.tablet);
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await app.waitForServiceWorkerControl();

			// Offline, so that the changes wait in the outbox.
			await context.setOffline(true);
			await recordUnwellVisit(page, hh.id, eldest.name, NOTE);
			await page.goto(`/worker/household/${hh.id}/resident-new`);
			const form = new EntryFormPage(page);
			await form.waitForHeading('添加居民');
			await form.fill('姓名', NEW_RESIDENT);
			await form.fill('手机号（选填）', NEW_PHONE);
			await form.submit('保存');
			expect(await form.savedTitle()).toBe(`已添加居民 ${NEW_RESIDENT}`);

			const raw = await rawDatabase(page, hh.user.id);
			expect(raw.outbox).toBeGreaterThanOrEqual(2);
			// Names and addresses are in clear (lists and search), so the dump is really the data…
			expect(raw.text).toContain(NEW_RESIDENT);
			expect(raw.text).toContain(eldest.name);
			// …and no phone, answer or note appears in it, pulled or queued.
			for (const secret of [NEW_PHONE, NOTE, '较差', ...knownPhones])
				expect(raw.text).not.toContain(secret);

			// Locked: the page behind shows nothing; unlocking restores it as it was.
			await new HouseholdPage(page).open(hh.id);
			await page.getByText(NOTE).waitFor();
			const lock = new LockScreen(page);
			await lock.lockNow();
			expect(await page.locator('#main').isHidden()).toBe(true);
			const shown = await page.evaluate(() => document.body.innerText);
			for (const secret of [NOTE, '较差', NEW_RESIDENT, eldest.name])
				expect(shown).not.toContain(secret);
			await screenshot(page, 'dv01-locked-nothing-shown-tablet', { fullPage: false });
			await lock.unlock();
			await page.getByText(NOTE).waitFor();
			expect(await page.locator('#main').isVisible()).toBe(true);

			// A new PIN: the same data key wrapped again; the old PIN no longer opens the app.
			await page.goto('/worker/settings');
			await page.getByRole('button', { name: '更改解锁密码' }).click();
			await lock.setupDialog.waitFor();
			await lock.setPin('147036');
			await page.getByText('新解锁密码已设置').waitFor();
			setAutoUnlockPin(page, '147036');
			await lock.lockNow();
			await lock.enterPin(TEST_PIN);
			expect(await lock.pinError()).toContain('解锁密码不正确');
			await lock.unlock('147036');
			// After a reload (locked, the new PIN opens it) the sealed data reads as before.
			await new HouseholdPage(page).open(hh.id);
			await page.getByText(NOTE).waitFor();

			// Online: delivered once, in clear, to the server.
			await context.setOffline(false);
			await app.waitForUnsynced(0, 60_000);
			const rows = await waitForServer(async () => {
				const tables = await serverRows(server.url, hh.token);
				const visits = [...(tables.visits?.values() ?? [])].filter((v) => v.note === NOTE);
				return visits.length > 0 ? tables : undefined;
			});
			expect([...rows.visits.values()].filter((v) => v.note === NOTE)).toHaveLength(1);
			const added = [...rows.residents.values()].filter((r) => r.name === NEW_RESIDENT);
			expect(added).toHaveLength(1);
			expect(added[0].phone).toBe(NEW_PHONE);
		}
	);

	test(
		'a forgotten PIN costs an online sign-in: the queued change is still delivered, exactly once',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const hh = await aHousehold(server);
			const note = '忘记密码之前记下的走访';
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await app.waitForServiceWorkerControl();
			await context.setOffline(true);
			await recordUnwellVisit(page, hh.id, hh.members[0].name, note);
			await app.waitForUnsynced(1);

			const lock = new LockScreen(page);
			await lock.lockNow();
			await lock.dialog.getByRole('button', { name: '忘记解锁密码？' }).click();
			await lock.dialog.getByRole('button', { name: '退出登录', exact: true }).click();
			await page.waitForURL('**/login');
			// The outbox stayed, sealed, on the device.
			const raw = await rawDatabase(page, hh.user.id);
			expect(raw.outbox).toBe(1);
			expect(raw.text).not.toContain(note);

			// Back online, an online sign-in opens the data key with the server's device key.
			await context.setOffline(false);
			const login = new LoginPage(page);
			await login.signIn('worker1', 'demo1234');
			await page.waitForURL('**/worker');
			await lock.setRequiredPin('369147');
			setAutoUnlockPin(page, '369147');
			await app.waitForUnsynced(0, 60_000);
			const visits = await waitForServer(async () => {
				const tables = await serverRows(server.url, hh.token);
				const found = [...(tables.visits?.values() ?? [])].filter((v) => v.note === note);
				return found.length > 0 ? found : undefined;
			});
			expect(visits).toHaveLength(1);
			expect(visits[0].answers).toContainEqual({
				residentId: hh.members[0].id,
				key: 'health',
				value: '较差',
				abnormal: true
			});
		}
	);

	test(
		'signing out offline warns how many changes would be lost; online it delivers them and wipes the device',
		{ timeout: 180_000 },
		async ({ page, context, server }) => {
			const hh = await aHousehold(server);
			const note = '退出登录之前记下的走访';
			const app = new WorkerApp(page);
			await app.signIn('worker1');
			await app.waitForHome();
			await app.waitForServiceWorkerControl();
			await context.setOffline(true);
			await recordUnwellVisit(page, hh.id, hh.members[0].name, note);
			await app.waitForUnsynced(1);

			const asked: string[] = [];
			page.once('dialog', (dialog) => {
				asked.push(dialog.message());
				void dialog.dismiss();
			});
			await app.signOut('退出登录');
			await expect.poll(() => asked.length).toBe(1);
			expect(asked[0]).toContain('有 1 条修改尚未送达服务器');
			// Cancelled: still signed in, nothing wiped.
			expect(page.url()).toContain('/worker');
			expect(await databaseNames(page)).toContain(`gridcare-${hh.user.id}`);

			await context.setOffline(false);
			page.on('dialog', (dialog) => {
				asked.push(dialog.message());
				void dialog.dismiss();
			});
			// Once the outbox is delivered, the session ends on the server as well.
			const loggedOut = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/logout'), {
				timeout: 60_000
			});
			await app.signOut('退出登录');
			expect((await loggedOut).status()).toBe(204);
			await page.waitForURL('**/login', { timeout: 60_000 });
			expect(asked).toHaveLength(1);
			expect(await databaseNames(page)).not.toContain(`gridcare-${hh.user.id}`);
			const visits = await waitForServer(async () => {
				const tables = await serverRows(server.url, hh.token);
				const found = [...(tables.visits?.values() ?? [])].filter((v) => v.note === note);
				return found.length > 0 ? found : undefined;
			});
			expect(visits).toHaveLength(1);
		}
	);
});
