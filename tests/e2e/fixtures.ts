// Browser tests run against the built app served by the real server, with Debian's Chromium.
// Fixtures: `build` (the app is built and fresh), `server` (seeded demo on a temporary SQLite
// database and a free port), `browser` (Chromium), and per test a fresh `context` and `page`.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { test as base } from 'vitest';

import { CHROMIUM, CHROMIUM_ARGS, ensureBuilt, ROOT } from './browser';
import { startServer } from './server';

export { BUILD_DIR, CHROMIUM, CHROMIUM_ARGS, ensureBuilt, ROOT } from './browser';
export { startServer, type RunningServer } from './server';
export const SCREENSHOT_DIR = join(ROOT, 'test-results', 'e2e');
export const DEMO_PASSWORD = 'demo1234';

export const test = base
	.extend('build', { scope: 'file' }, () => ensureBuilt())
	.extend('server', { scope: 'file' }, async ({ build }, { onCleanup }) => {
		const server = await startServer(build);
		onCleanup(() => server.stop());
		return server;
	})
	.extend('browser', { scope: 'file' }, async ({ build }, { onCleanup }) => {
		if (!existsSync(build)) throw new Error('the app is not built');
		const browser: Browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: CHROMIUM_ARGS
		});
		onCleanup(() => browser.close());
		return browser;
	})
	.extend('context', async ({ browser, server }, { onCleanup }) => {
		const context: BrowserContext = await browser.newContext({
			baseURL: server.url,
			locale: 'zh-CN',
			viewport: { width: 1280, height: 860 }
		});
		onCleanup(() => context.close());
		return context;
	})
	.extend('page', async ({ context }): Promise<Page> => context.newPage());

/**
 * A full-page screenshot in test-results/e2e/, for people to look at. `fullPage: false` shows
 * only the viewport: what a person sees behind a modal dialog, which covers the viewport only.
 */
export async function screenshot(
	page: Page,
	name: string,
	{ fullPage = true } = {}
): Promise<void> {
	mkdirSync(SCREENSHOT_DIR, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
}

/** Ask the server directly (not through the page) what a user's scope nodes are called. */
export async function scopeNodeNames(serverUrl: string, username: string): Promise<string[]> {
	const login = await fetch(`${serverUrl}/api/v1/auth/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username, password: DEMO_PASSWORD, deviceId: 'e2e-fixture' })
	});
	if (!login.ok) throw new Error(`login as ${username}: ${login.status}`);
	const { token, user } = (await login.json()) as { token: string; user: { scope: string[] } };
	const names: string[] = [];
	for (const code of user.scope) {
		const node = await fetch(`${serverUrl}/api/v1/divisions/${code}`, {
			headers: { Authorization: `Bearer ${token}` }
		});
		if (!node.ok) throw new Error(`division ${code}: ${node.status}`);
		names.push(((await node.json()) as { name: string }).name);
	}
	return names;
}

/** Sign in through the API (not the page): a user's id, scope and a token for direct checks. */
export async function apiSignIn(
	serverUrl: string,
	username: string,
	deviceId = 'e2e-fixture'
): Promise<{ token: string; user: { id: string; scope: string[] } }> {
	const login = await fetch(`${serverUrl}/api/v1/auth/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ username, password: DEMO_PASSWORD, deviceId })
	});
	if (!login.ok) throw new Error(`login as ${username}: ${login.status}`);
	return (await login.json()) as { token: string; user: { id: string; scope: string[] } };
}

/** Every row the server holds in a user's scope, folded from /sync/pull, by table and id. */
export async function serverRows(
	serverUrl: string,
	token: string
): Promise<Record<string, Map<string, Record<string, unknown>>>> {
	const tables: Record<string, Map<string, Record<string, unknown>>> = {};
	let cursor: string | null = null;
	for (;;) {
		const query: string = cursor
			? `?cursor=${encodeURIComponent(cursor)}&limit=1000`
			: '?limit=1000';
		const response = await fetch(`${serverUrl}/api/v1/sync/pull${query}`, {
			headers: { Authorization: `Bearer ${token}` }
		});
		if (!response.ok) throw new Error(`pull: ${response.status}`);
		const page = (await response.json()) as {
			changes: { table: string; op: string; rowId: string; fields: Record<string, unknown> }[];
			cursor: string;
			hasMore: boolean;
		};
		for (const change of page.changes) {
			const rows = (tables[change.table] ??= new Map());
			if (change.op === 'delete') rows.delete(change.rowId);
			else rows.set(change.rowId, { ...rows.get(change.rowId), ...change.fields });
		}
		cursor = page.cursor;
		if (!page.hasMore) return tables;
	}
}

/** Viewports the screenshots are taken at, as a worker holds the device. */
export const VIEWPORTS = {
	tablet: { width: 1024, height: 768 },
	phone: { width: 390, height: 844 }
} as const;

/** Send mutations to the server as another device would (e.g. visits recorded elsewhere). */
export async function pushMutations(
	serverUrl: string,
	token: string,
	/** `rowId` when the test needs to know it; a fresh one otherwise. */
	mutations: { table: string; op: 'insert'; rowId?: string; fields: Record<string, unknown> }[]
): Promise<{ status: string; reason?: string }[]> {
	const response = await fetch(`${serverUrl}/api/v1/sync/push`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
		body: JSON.stringify({
			deviceId: 'e2e-fixture',
			mutations: mutations.map((m) => ({ id: randomUUID(), rowId: randomUUID(), ...m }))
		})
	});
	if (!response.ok) throw new Error(`push: ${response.status}`);
	return ((await response.json()) as { results: { status: string; reason?: string }[] }).results;
}
