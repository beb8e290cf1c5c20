// Security headers for every response, and a Content-Security-Policy without 'unsafe-inline'
// scripts: the app shell's inline bootstrap script is allowed by its SHA-256 hash.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';

/** 'sha256-…' sources for every inline <script> of an HTML page. */
export function inlineScriptHashes(html: string): string[] {
	const out: string[] = [];
	for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
		if (/\bsrc\s*=/i.test(match[1]) || match[2].length === 0) continue;
		out.push(`'sha256-${createHash('sha256').update(match[2], 'utf8').digest('base64')}'`);
	}
	return out;
}

/**
 * Origin of a tile URL template such as https://tile.example.cn/{z}/{x}/{y}.png, or null. A
 * placeholder in the host name ({s}.tile.example.cn: a, b, c…) stands for several hosts: the
 * labels up to the last one holding a placeholder become a wildcard, https://*.tile.example.cn.
 */
export function tileOrigin(template: string | undefined): string | null {
	if (!template) return null;
	let url: URL;
	try {
		url = new URL(template.replace(/\{[a-z]+\}/gi, '0'));
	} catch {
		return null;
	}
	const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#:]+)/i.exec(template)?.[1] ?? '';
	if (!host.includes('{')) return url.origin;
	const labels = host.toLowerCase().split('.');
	const last = labels.findLastIndex((label) => label.includes('{'));
	if (last === labels.length - 1) return null;
	return `${url.protocol}//*.${labels.slice(last + 1).join('.')}${url.port ? `:${url.port}` : ''}`;
}

export function contentSecurityPolicy(
	scriptHashes: string[],
	tiles: string | null,
	/** Origins the page loads scripts and styles from besides itself (the API docs' CDN). */
	assets: string[] = []
): string {
	const extra = tiles ? ` ${tiles}` : '';
	return [
		"default-src 'self'",
		["script-src 'self'", ...scriptHashes, ...assets].join(' '),
		// Svelte and Leaflet set style attributes; styles cannot run code.
		["style-src 'self' 'unsafe-inline'", ...assets].join(' '),
		`img-src 'self' data: blob:${extra}`,
		`connect-src 'self'${extra}`,
		"font-src 'self'",
		"worker-src 'self'",
		"manifest-src 'self'",
		"object-src 'none'",
		"base-uri 'self'",
		"form-action 'self'",
		"frame-ancestors 'none'"
	].join('; ');
}

/** Hashes of the built shell's inline scripts, re-read when index.html changes (a rebuild). */
function shellHashes(appDir: string) {
	let cached: { mtimeMs: number; hashes: string[] } | null = null;
	return async (): Promise<string[]> => {
		const file = join(appDir, 'index.html');
		const info = await stat(file).catch(() => null);
		if (!info) return [];
		if (cached?.mtimeMs !== info.mtimeMs)
			cached = { mtimeMs: info.mtimeMs, hashes: inlineScriptHashes(await readFile(file, 'utf8')) };
		return cached.hashes;
	};
}

/** The browsable API docs (swagger-ui) load their scripts and styles from this CDN. */
const DOCS_ASSETS = ['https://cdn.jsdelivr.net'];

/**
 * The built app's hashed scripts and styles, which a page or a worker loads as subresources.
 * Worker scripts are not among them: a worker runs under the policy its own script came with.
 */
const SUBRESOURCE = /^\/_app\/immutable\/(?!workers\/)[^?#]+\.(?:js|css)$/;

/**
 * Whether a path is one of the built app's hashed scripts or styles. A Content-Security-Policy,
 * X-Frame-Options, Cross-Origin-Opener-Policy and Permissions-Policy govern documents and
 * workers only, so these get `nosniff` and the referrer policy (a stylesheet's own fetches
 * follow it) and not the rest, about 550 bytes less on each of the dozens of requests a first
 * load makes (docs/field-performance.md, "Caching and budgets").
 */
export function isSubresource(path: string): boolean {
	return SUBRESOURCE.test(path);
}

export function securityHeaders(appDir: string, tileUrl: string | undefined, docsPath: string) {
	const hashes = shellHashes(appDir);
	const tiles = tileOrigin(tileUrl);
	return createMiddleware<AppEnv>(async (c, next) => {
		await next();
		const h = c.res.headers;
		// A 304 or a stream may come with immutable headers: replace the response to set ours.
		if (Object.isFrozen(h)) c.res = new Response(c.res.body, c.res);
		c.res.headers.set('X-Content-Type-Options', 'nosniff');
		c.res.headers.set('Referrer-Policy', 'no-referrer');
		if (isSubresource(c.req.path)) return;
		const policy =
			c.req.path === docsPath
				? contentSecurityPolicy(inlineScriptHashes(await c.res.clone().text()), null, DOCS_ASSETS)
				: contentSecurityPolicy(await hashes(), tiles);
		c.res.headers.set('Content-Security-Policy', policy);
		c.res.headers.set('X-Frame-Options', 'DENY');
		c.res.headers.set('Cross-Origin-Opener-Policy', 'same-origin');
		c.res.headers.set('Permissions-Policy', 'camera=(), microphone=(self), geolocation=(self)');
	});
}

/**
 * API paths whose answers carry personal data (relative to /api/v1): no browser or proxy cache
 * keeps them. The app's own offline copy is its IndexedDB, never the HTTP cache.
 */
export const PERSONAL_DATA_PATHS = [
	'/sync/pull',
	'/history/*',
	'/incidents',
	'/incidents/*',
	'/residents/*',
	'/audit',
	'/kiosk/directory',
	'/duplicates',
	'/duplicates/*',
	'/imports/*',
	'/communities/:code/residents.xlsx',
	'/users',
	'/users/*',
	'/grids/:id/households'
] as const;

/** `Cache-Control: no-store` on the response, whatever its status. */
export const noStore = createMiddleware<AppEnv>(async (c, next) => {
	await next();
	if (Object.isFrozen(c.res.headers)) c.res = new Response(c.res.body, c.res);
	c.res.headers.set('Cache-Control', 'no-store');
});
