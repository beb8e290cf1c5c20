import { describe, expect, it } from 'vitest';
import { Dexie } from 'dexie';
import { isQuotaError, StorageFullError } from '$lib/db/quota';
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

	// The engine tells a full disk by quota.ts `isQuotaError`, and pauses its pulls.
	it('bring a full disk back as a StorageFullError, however Dexie wrapped it', () => {
		const quota = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
		for (const error of [quota, new Dexie.AbortError(quota), new StorageFullError(quota)]) {
			const back = roundTrip(error);
			expect(back).toBeInstanceOf(StorageFullError);
			expect(isQuotaError(back)).toBe(true);
		}
	});

	it('keep the name and message of any other error', () => {
		const back = roundTrip(new DOMException('Key already exists', 'ConstraintError'));
		expect(back).toMatchObject({ name: 'ConstraintError', message: 'Key already exists' });
		expect(isQuotaError(back)).toBe(false);
		expect(roundTrip('odd failure')).toMatchObject({ name: 'Error', message: 'odd failure' });
	});
});
