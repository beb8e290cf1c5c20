// The worker's and the kiosk's routes work with no network from the first install: their files
// are precached per deployment (the list is written into this file at build time,
// src/lib/sw/precache-build.ts); the rest of the app's code is cached when first used.
// Navigations get the cached index.html, viewed map tiles are kept, /api/ is never touched
// (docs/field-performance.md, "Caching and budgets").
import { base, version } from '$service-worker';
import { clientsClaim, setCacheNameDetails } from 'workbox-core';
import { ExpirationPlugin } from 'workbox-expiration';
import {
	cleanupOutdatedCaches,
	createHandlerBoundToURL,
	precacheAndRoute
} from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import { CODE_CACHE, isAppCode } from '$lib/sw/code-cache';
import { isSkipWaitingMessage, OUTBOX_SYNC_TAG } from '$lib/sw/messages';
import { askPagesToSync, type PageClients } from '$lib/sw/outbox-sync';
import { APP_SHELL, type PrecacheEntry } from '$lib/sw/precache';
import { TILE_CACHE, isCacheableTile, isMapTileRequest } from '$lib/sw/tiles';

/**
 * The parts of ServiceWorkerGlobalScope used here. Declared locally so this file type-checks
 * with the rest of the app (DOM types) instead of needing the WebWorker library.
 */
interface ServiceWorkerScope {
	location: { origin: string };
	registration: { scope: string };
	clients: PageClients;
	skipWaiting(): Promise<void>;
	addEventListener(type: 'message', listener: (event: MessageEvent<unknown>) => void): void;
	addEventListener(type: 'sync', listener: (event: SyncEvent) => void): void;
}
/** Background Sync's event (not in the DOM library). */
interface SyncEvent {
	tag: string;
	waitUntil(promise: Promise<unknown>): void;
}
const sw = globalThis as unknown as ServiceWorkerScope;

// One precache per deployment ("gridcare-precache-<version>-<scope>"); the scope must stay in
// the name for cleanupOutdatedCaches to recognise and delete the previous deployment's cache.
setCacheNameDetails({ prefix: 'gridcare', suffix: `${version}-${sw.registration.scope}` });

/** Where Workbox's injectManifest writes the precache list; left as it is, nothing would install. */
interface WithPrecacheList {
	__WB_MANIFEST: PrecacheEntry[];
}
precacheAndRoute((self as unknown as WithPrecacheList).__WB_MANIFEST);
cleanupOutdatedCaches();

registerRoute(
	new NavigationRoute(createHandlerBoundToURL(`${base}/${APP_SHELL}`), {
		denylist: [new RegExp(`^${base}/api/`)]
	})
);

// The code the precache leaves out: a hashed name never changes, so the cached copy is the
// answer, and the network is asked only the first time. Precached files never get here.
registerRoute(
	({ url }) => isAppCode(url, sw.location.origin, base),
	new CacheFirst({
		cacheName: CODE_CACHE.name,
		plugins: [new ExpirationPlugin({ maxEntries: CODE_CACHE.maxEntries, purgeOnQuotaError: true })]
	})
);

registerRoute(
	({ request, url }) => isMapTileRequest(request, url),
	new CacheFirst({
		cacheName: TILE_CACHE.name,
		plugins: [
			{ cacheWillUpdate: async ({ response }) => (isCacheableTile(response) ? response : null) },
			new ExpirationPlugin({
				maxEntries: TILE_CACHE.maxEntries,
				maxAgeSeconds: TILE_CACHE.maxAgeSeconds,
				purgeOnQuotaError: true
			})
		]
	})
);

// No route matches /api/: API calls go straight to the network and are never cached here.
// Data for offline use lives in IndexedDB, written by the app itself.

// A new version waits until the user taps "update" (never skipWaiting on install), so an
// open form or an unsynced change is never cut off by a silent switch.
sw.addEventListener('message', (event) => {
	if (isSkipWaitingMessage(event.data)) void sw.skipWaiting();
});

// Background Sync: the page registered OUTBOX_SYNC_TAG when a push failed offline. The browser
// fires it once it sees a network; the pages' sync engines then deliver the Dexie outbox. This
// worker queues and replays nothing itself.
sw.addEventListener('sync', (event) => {
	if (event.tag === OUTBOX_SYNC_TAG) event.waitUntil(askPagesToSync(sw.clients));
});

// The very first install has nothing to replace: take the open page at once so it works offline.
clientsClaim();
