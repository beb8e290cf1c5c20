// When the app asks the browser, by itself, to keep this origin's data (persistent storage), so
// that it is not evicted, outbox included, when the disk runs short (docs/field-performance.md,
// "Storage").
//
// - After the first download of a user on a device: always. That is when the device starts to
//   hold what cannot be fetched again (the outbox fills from now on), and the worker has just
//   used the app in earnest, which is what the browsers' own judgement weighs.
// - Later, when the app opens with the download done: only if the browser has not granted it,
//   the person has not blocked it (permission "denied": then only the settings button asks), and
//   the last time was a week ago or more. Chromium and Safari answer without a word to the user,
//   from how the app is used (added to the home screen, used daily), so the answer can change;
//   a browser that asks the person (Firefox) asks at most once a week, until they choose.
// - The settings button asks whenever a person taps it.
//
// Each ask and the browser's answer are kept in the user's database (meta), so "once per device
// and user" holds across reloads and another person on the tablet is asked after their own
// first download.

/** Where the last ask and its answer are kept (the user's `meta` table). */
export const PERSIST_ASK_KEY = 'storage.persistAsk';

/** Time after a refusal before the app asks again by itself. */
export const ASK_AGAIN_MS = 7 * 86_400_000;

export interface PersistAsk {
	/** Epoch ms. */
	at: number;
	granted: boolean;
	/** What made the app ask. */
	reason: 'first_download' | 'app_start' | 'person';
}

/** The `persistent-storage` permission as the browser reports it; null when it cannot say. */
export type PersistPermission = 'granted' | 'denied' | 'prompt' | null;

export interface PersistState {
	/** `navigator.storage.persisted()`. */
	persisted: boolean | null;
	permission: PersistPermission;
}

/** Whether the app asks by itself now; `reason` says why it would (see the rules above). */
export function shouldAskPersistence(
	reason: 'first_download' | 'app_start',
	last: PersistAsk | null,
	state: PersistState,
	nowMs: number
): boolean {
	if (reason === 'first_download') return true;
	if (state.persisted === true || state.permission === 'denied') return false;
	if (last === null) return true;
	return !last.granted && nowMs - last.at >= ASK_AGAIN_MS;
}

/** A kept record, if it is one. */
export function persistAskOf(value: unknown): PersistAsk | null {
	if (typeof value !== 'object' || value === null) return null;
	const v = value as Record<string, unknown>;
	if (typeof v.at !== 'number' || typeof v.granted !== 'boolean') return null;
	const reason =
		v.reason === 'first_download' || v.reason === 'app_start' || v.reason === 'person'
			? v.reason
			: 'app_start';
	return { at: v.at, granted: v.granted, reason };
}
