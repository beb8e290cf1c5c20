import { describe, expect, it } from 'vitest';
import { cacheUrlsMessage, isSkipWaitingMessage } from './messages';

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

describe('cacheUrlsMessage', () => {
	it("is Workbox's CACHE_URLS message", () => {
		expect(cacheUrlsMessage(['/_app/immutable/nodes/19.abc.js'])).toEqual({
			type: 'CACHE_URLS',
			payload: { urlsToCache: ['/_app/immutable/nodes/19.abc.js'] }
		});
	});
});
