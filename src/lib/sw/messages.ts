// Messages between the page and the service worker.

/** Sent when the user taps "update": the waiting version may take over now. */
export const SKIP_WAITING = { type: 'SKIP_WAITING' } as const;

export function isSkipWaitingMessage(data: unknown): boolean {
	return hasType(data, 'SKIP_WAITING');
}

/**
 * Sent by a page when the first service worker takes it over: the app code it loaded before,
 * for the worker to cache what it does not precache. Workbox's router answers this message
 * itself (`CACHE_URLS`), routing each URL as it would a fetch, and replies on the port once done.
 */
export function cacheUrlsMessage(urls: readonly string[]) {
	return { type: 'CACHE_URLS', payload: { urlsToCache: [...urls] } } as const;
}

/**
 * The Background Sync tag the page registers when a push failed for want of a network. When the
 * browser fires it, the service worker only wakes the open pages: the Dexie outbox stays the one
 * queue, and the page's sync engine delivers it (docs/architecture.md, "On the device").
 */
export const OUTBOX_SYNC_TAG = 'gridcare-outbox';

/** Sent by the service worker to each open page: push and pull now, then answer on the port. */
export const SYNC_NOW = { type: 'SYNC_NOW' } as const;

export function isSyncNowMessage(data: unknown): boolean {
	return hasType(data, 'SYNC_NOW');
}

/** A page's answer to SYNC_NOW: `delivered` once nothing is left to push. */
export interface SyncNowAnswer {
	delivered: boolean;
}

export function isDelivered(data: unknown): boolean {
	return (
		typeof data === 'object' &&
		data !== null &&
		(data as { delivered?: unknown }).delivered === true
	);
}

function hasType(data: unknown, type: string): boolean {
	return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === type;
}
