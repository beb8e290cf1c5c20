// What the service worker stores at install, and how it answers navigations.

/** A precache entry as Workbox's injectManifest writes it (src/lib/sw/precache-build.ts). */
export interface PrecacheEntry {
	url: string;
	/** null when the file name already carries a content hash. */
	revision: string | null;
}

/** The fallback page adapter-static writes; every navigation is answered with it. */
export const APP_SHELL = 'index.html';
