import { describe, expect, it } from 'vitest';
import { isAppCode, loadedAppCode } from './code-cache';

const ORIGIN = 'http://localhost:8787';

describe('isAppCode', () => {
	it.each([
		['http://localhost:8787/_app/immutable/nodes/19.abc.js', '', true],
		['http://localhost:8787/_app/immutable/assets/19.abc.css', '', true],
		['http://localhost:8787/gc/_app/immutable/chunks/x.js', '/gc', true],
		['http://localhost:8787/_app/immutable/chunks/x.js', '/gc', false],
		['http://localhost:8787/_app/version.json', '', false],
		['http://localhost:8787/api/v1/sync/pull', '', false],
		['https://cdn.example.cn/_app/immutable/chunks/x.js', '', false]
	])('%s (base %j) → %s', (url, base, expected) => {
		expect(isAppCode(new URL(url), ORIGIN, base)).toBe(expected);
	});
});

describe('loadedAppCode', () => {
	it('keeps the app code a page loaded, once each', () => {
		const entries = [
			{ name: `${ORIGIN}/_app/immutable/nodes/19.abc.js` },
			{ name: `${ORIGIN}/api/v1/rollup/450102` },
			{ name: `${ORIGIN}/_app/immutable/assets/19.abc.css` },
			{ name: `${ORIGIN}/_app/immutable/nodes/19.abc.js` },
			{ name: 'https://tiles.example.cn/12/3370/1780.png' },
			{ name: 'not a url' }
		];
		expect(loadedAppCode(entries, ORIGIN, '')).toEqual([
			`${ORIGIN}/_app/immutable/nodes/19.abc.js`,
			`${ORIGIN}/_app/immutable/assets/19.abc.css`
		]);
	});
});
