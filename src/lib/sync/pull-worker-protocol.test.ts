import { describe, expect, it } from 'vitest';
import { LockedError } from '$lib/db/sealed';
import { fromWire, toWire } from './pull-worker-protocol';
import { OfflineError, RevokedError, ServerError, UnauthorizedError } from './transport';

/** Through the wire and back, as between the pull worker and the page (structured clone). */
const roundTrip = (error: unknown) => fromWire(structuredClone(toWire(error)));

describe('errors from the pull worker', () => {
	it('come back as the kinds the sync engine reacts to, with their messages', () => {
		const offline = roundTrip(new OfflineError('network request failed: timeout'));
		expect(offline).toBeInstanceOf(OfflineError);
		expect(offline.message).toBe('network request failed: timeout');

		const revoked = roundTrip(new RevokedError());
		expect(revoked).toBeInstanceOf(RevokedError);
		expect(revoked).toBeInstanceOf(UnauthorizedError);

		const unauthorized = roundTrip(new UnauthorizedError('sign in again'));
		expect(unauthorized).toBeInstanceOf(UnauthorizedError);
		expect(unauthorized).not.toBeInstanceOf(RevokedError);

		const server = roundTrip(new ServerError(503, 'maintenance'));
		expect(server).toBeInstanceOf(ServerError);
		expect(server).toMatchObject({ status: 503, message: 'maintenance' });

		expect(roundTrip(new LockedError())).toBeInstanceOf(LockedError);
	});

	// The screens tell a full disk by the error's name (storage.svelte.ts `isQuotaError`).
	it('keep the name of any other error, so that a full disk is still told as such', () => {
		const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		const back = roundTrip(quota);
		expect(back.name).toBe('QuotaExceededError');
		expect(back.message).toBe('The quota has been exceeded.');
		expect(roundTrip('odd failure')).toMatchObject({ name: 'Error', message: 'odd failure' });
	});
});
