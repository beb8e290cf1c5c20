// A full disk, as IndexedDB reports it (docs/field-performance.md, "Storage").
//
// The browser refuses a write transaction whose data does not fit the origin's quota (which
// shrinks as the device's disk fills up). Chromium aborts the transaction when it commits, so
// Dexie rejects with an `AbortError` whose `inner` is the `QuotaExceededError`; a single request
// refused at once comes as Dexie's own `QuotaExceededError`; a bulk write gathers its failures
// in a `BulkError`. Either way the transaction wrote nothing: the rows and the outbox are as they
// were before it.

/** A local write refused because the device's storage is full; nothing of it was written. */
export class StorageFullError extends Error {
	constructor(cause?: unknown) {
		super('the storage of this device is full: nothing was saved', { cause });
		this.name = 'StorageFullError';
	}
}

/** Names and messages by which storage failures travel (also as strings, e.g. across a worker). */
const QUOTA_NAME = /^(QuotaExceededError|StorageFullError)$/;
const QUOTA_TEXT = /QuotaExceeded|storage of this device is full|disk is full|no space left/i;

/**
 * Whether an error (or the message of one) says the device's storage is full: the browser's
 * `QuotaExceededError`, wrapped or not (Dexie's `inner`, an error's `cause`, a bulk write's
 * `failures`), or a StorageFullError.
 */
export function isQuotaError(error: unknown, depth = 0): boolean {
	if (error === null || error === undefined || depth > 4) return false;
	if (typeof error === 'string') return QUOTA_TEXT.test(error);
	if (typeof error !== 'object') return false;
	const e = error as { name?: unknown; message?: unknown; inner?: unknown; cause?: unknown };
	if (typeof e.name === 'string' && QUOTA_NAME.test(e.name)) return true;
	if (typeof e.message === 'string' && QUOTA_TEXT.test(e.message)) return true;
	if (isQuotaError(e.inner, depth + 1) || isQuotaError(e.cause, depth + 1)) return true;
	const failures = (error as { failures?: unknown }).failures;
	return Array.isArray(failures) && failures.some((f) => isQuotaError(f, depth + 1));
}

/** Run a local write; a storage failure comes out as a StorageFullError, others unchanged. */
export async function storageWrite<T>(write: () => Promise<T>): Promise<T> {
	try {
		return await write();
	} catch (error) {
		if (!(error instanceof StorageFullError) && isQuotaError(error))
			throw new StorageFullError(error);
		throw error;
	}
}
