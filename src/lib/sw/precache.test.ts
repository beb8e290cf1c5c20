import { describe, expect, it } from 'vitest';
import { isSkipWaitingMessage } from './messages';
import { precacheEntries } from './precache';

describe('precacheEntries', () => {
	it('revisions unhashed files by deployment and adds the app shell once', () => {
		const entries = precacheEntries({
			base: '',
			build: ['/_app/immutable/entry/app.abc.js', '/_app/immutable/assets/0.def.css'],
			files: ['/manifest.webmanifest', '/icons/icon-192.png'],
			prerendered: ['/index.html'],
			version: '42'
		});
		expect(entries).toEqual([
			{ url: '/_app/immutable/entry/app.abc.js', revision: null },
			{ url: '/_app/immutable/assets/0.def.css', revision: null },
			{ url: '/manifest.webmanifest', revision: '42' },
			{ url: '/icons/icon-192.png', revision: '42' },
			{ url: '/index.html', revision: '42' }
		]);
	});

	it('respects a base path', () => {
		const entries = precacheEntries({
			base: '/gridcare',
			build: ['/gridcare/_app/immutable/x.js'],
			files: [],
			prerendered: [],
			version: '1'
		});
		expect(entries).toEqual([
			{ url: '/gridcare/_app/immutable/x.js', revision: null },
			{ url: '/gridcare/index.html', revision: '1' }
		]);
	});
});

describe('isSkipWaitingMessage', () => {
	it.each([
		[{ type: 'SKIP_WAITING' }, true],
		[{ type: 'OTHER' }, false],
		['SKIP_WAITING', false],
		[null, false],
		[undefined, false]
	])('%j → %s', (data, expected) => {
		expect(isSkipWaitingMessage(data)).toBe(expected);
	});
});
