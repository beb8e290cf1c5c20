// Security headers on every response, a Content-Security-Policy that allows the shell's inline
// script by hash and never 'unsafe-inline' scripts, and the body limit.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { LoginThrottle } from '../../server/auth/throttle';
import { loadConfig } from '../../server/config';
import { ApiClient } from './api-client';
import { seedFixture } from './fixtures';
import { openTestStore, type TestStore } from './stores';

const INLINE = `\n\t\t\t{ __sveltekit_x = { base: "" }; Promise.all([import("/_app/start.js")]) }\n\t\t`;
const SHELL = `<!doctype html><html><head><script type="module" src="/_app/a.js"></script></head><body><div><script>${INLINE}</script></div></body></html>`;

describe('security headers (sqlite)', () => {
	let db: TestStore;
	let dir: string;
	let app: ReturnType<typeof createApp>;

	beforeAll(async () => {
		db = await openTestStore('sqlite');
		await seedFixture(db.store);
		dir = mkdtempSync(join(tmpdir(), 'gridcare-shell-'));
		writeFileSync(join(dir, 'index.html'), SHELL);
		writeFileSync(join(dir, 'manifest.webmanifest'), '{}');
		for (const folder of ['chunks', 'assets', 'workers'])
			mkdirSync(join(dir, '_app', 'immutable', folder), { recursive: true });
		writeFileSync(join(dir, '_app/immutable/chunks/a.B1x2.js'), 'export const a = 1;');
		writeFileSync(join(dir, '_app/immutable/assets/0.C3y4.css'), 'body { margin: 0 }');
		writeFileSync(
			join(dir, '_app/immutable/workers/pull.worker-D5z6.js'),
			'self.onmessage = null;'
		);
		app = createApp({
			store: db.store,
			config: {
				...loadConfig({}),
				appDir: dir,
				tileUrl: 'https://tiles.example.cn/{z}/{x}/{y}.png'
			},
			throttle: new LoginThrottle(),
			version: 'test',
			now: () => new Date(),
			log: () => {}
		});
	});
	afterAll(async () => {
		await db.dispose();
		rmSync(dir, { recursive: true, force: true });
	});

	const directives = (res: Response) =>
		new Map(
			res.headers
				.get('content-security-policy')!
				.split(';')
				.map((d) => d.trim().split(/\s+/))
				.map(([name, ...values]) => [name, values])
		);

	for (const [what, path] of [
		['the API', '/api/v1/health'],
		['an API error', '/api/v1/nothing-here'],
		['the app shell', '/worker/household/x'],
		['a static file', '/manifest.webmanifest']
	])
		it(`sets them on ${what}`, async () => {
			const res = await app.request(path);
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			expect(res.headers.get('referrer-policy')).toBe('no-referrer');
			expect(res.headers.get('x-frame-options')).toBe('DENY');
			const csp = directives(res);
			expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
			expect(csp.get('object-src')).toEqual(["'none'"]);
			expect(csp.get('default-src')).toEqual(["'self'"]);
			expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
			expect(csp.get('script-src')).not.toContain("'unsafe-eval'");
		});

	for (const path of ['/_app/immutable/chunks/a.B1x2.js', '/_app/immutable/assets/0.C3y4.css'])
		it(`sends a hashed script or style (${path}) only the headers that act on it`, async () => {
			const res = await app.request(path);
			expect(res.status).toBe(200);
			expect(res.headers.get('x-content-type-options')).toBe('nosniff');
			expect(res.headers.get('referrer-policy')).toBe('no-referrer');
			for (const documentOnly of [
				'content-security-policy',
				'x-frame-options',
				'cross-origin-opener-policy',
				'permissions-policy'
			])
				expect(res.headers.get(documentOnly)).toBeNull();
		});

	it('gives a worker script the policy it runs under', async () => {
		const res = await app.request('/_app/immutable/workers/pull.worker-D5z6.js');
		expect(res.status).toBe(200);
		expect(directives(res).get('script-src')).not.toContain("'unsafe-eval'");
		expect(directives(res).get('default-src')).toEqual(["'self'"]);
		expect(res.headers.get('x-frame-options')).toBe('DENY');
	});

	it("allows the shell's inline script by its hash, and the configured tile server's images", async () => {
		const res = await app.request('/');
		expect(await res.text()).toBe(SHELL);
		const hash = createHash('sha256').update(INLINE).digest('base64');
		const csp = directives(res);
		expect(csp.get('script-src')).toEqual(["'self'", `'sha256-${hash}'`]);
		expect(csp.get('img-src')).toContain('https://tiles.example.cn');
		expect(csp.get('connect-src')).toEqual(["'self'", 'https://tiles.example.cn']);
	});

	it('lets the API docs page run its own inline script and CDN assets, and nothing else', async () => {
		const res = await app.request('/api/v1/docs');
		const html = await res.text();
		const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
		const hash = createHash('sha256').update(inline).digest('base64');
		const csp = directives(res);
		expect(csp.get('script-src')).toEqual([
			"'self'",
			`'sha256-${hash}'`,
			'https://cdn.jsdelivr.net'
		]);
		expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
		// The app's pages do not get the CDN.
		expect(directives(await app.request('/')).get('script-src')).not.toContain(
			'https://cdn.jsdelivr.net'
		);
	});

	it('follows a rebuild of the shell', async () => {
		const changed = SHELL.replace('base: ""', 'base: "/x"');
		writeFileSync(join(dir, 'index.html'), changed);
		const later = new Date(Date.now() + 5000);
		const { utimesSync } = await import('node:fs');
		utimesSync(join(dir, 'index.html'), later, later);
		const hash = createHash('sha256')
			.update(INLINE.replace('base: ""', 'base: "/x"'))
			.digest('base64');
		expect(directives(await app.request('/')).get('script-src')).toContain(`'sha256-${hash}'`);
	});

	it('answers 413 to a body over the limit, naming the body', async () => {
		const client = await new ApiClient(app).login('worker_a1');
		const res = await client.request('/sync/push', {
			method: 'POST',
			body: JSON.stringify({ deviceId: 'd', mutations: [], pad: 'x'.repeat(9 * 1024 * 1024) })
		});
		expect(res.status).toBe(413);
		expect(await res.json()).toMatchObject({ error: 'payload_too_large' });
		expect(res.headers.get('x-frame-options')).toBe('DENY');
	});
});
