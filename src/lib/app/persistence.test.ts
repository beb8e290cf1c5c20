import { describe, expect, it } from 'vitest';
import { ASK_AGAIN_MS, persistAskOf, shouldAskPersistence, type PersistAsk } from './persistence';

const NOW = 1_750_000_000_000;
const refused = (ago: number): PersistAsk => ({
	at: NOW - ago,
	granted: false,
	reason: 'app_start'
});
const notYet = { persisted: false, permission: 'prompt' } as const;

describe('asking for persistent storage by itself', () => {
	it('asks after the first download, whatever came before', () => {
		for (const last of [null, refused(0), { at: NOW, granted: true, reason: 'person' } as const])
			for (const permission of ['prompt', 'granted', 'denied', null] as const)
				expect(
					shouldAskPersistence('first_download', last, { persisted: false, permission }, NOW)
				).toBe(true);
	});

	it('asks when the app opens only if never asked on this device for this user', () => {
		expect(shouldAskPersistence('app_start', null, notYet, NOW)).toBe(true);
		expect(
			shouldAskPersistence('app_start', null, { persisted: null, permission: null }, NOW)
		).toBe(true);
	});

	it('asks again a week after the browser said no, not before', () => {
		expect(shouldAskPersistence('app_start', refused(ASK_AGAIN_MS - 1), notYet, NOW)).toBe(false);
		expect(shouldAskPersistence('app_start', refused(ASK_AGAIN_MS), notYet, NOW)).toBe(true);
	});

	it('never by itself once granted, or when the person blocked it', () => {
		const granted: PersistAsk = { at: NOW - 30 * ASK_AGAIN_MS, granted: true, reason: 'app_start' };
		expect(shouldAskPersistence('app_start', granted, notYet, NOW)).toBe(false);
		expect(
			shouldAskPersistence('app_start', null, { persisted: true, permission: 'granted' }, NOW)
		).toBe(false);
		expect(
			shouldAskPersistence(
				'app_start',
				refused(30 * ASK_AGAIN_MS),
				{ persisted: false, permission: 'denied' },
				NOW
			)
		).toBe(false);
	});

	it('reads back what it kept, and nothing else', () => {
		expect(persistAskOf({ at: 5, granted: true, reason: 'first_download' })).toEqual({
			at: 5,
			granted: true,
			reason: 'first_download'
		});
		expect(persistAskOf({ at: 5, granted: false })).toEqual({
			at: 5,
			granted: false,
			reason: 'app_start'
		});
		for (const odd of [null, undefined, 'yes', { at: '5', granted: true }, { at: 5 }])
			expect(persistAskOf(odd)).toBeNull();
	});
});
