// What the service worker stores at install: the whole app shell of this deployment.

export interface PrecacheEntry {
	url: string;
	/** null when the file name already carries a content hash. */
	revision: string | null;
}

/** The fallback page adapter-static writes; every navigation is answered with it. */
export const APP_SHELL = 'index.html';

export function precacheEntries(lists: {
	base: string;
	build: string[];
	files: string[];
	prerendered: string[];
	version: string;
}): PrecacheEntry[] {
	const { base, build, files, prerendered, version } = lists;
	const hashed = (url: string) => url.startsWith(`${base}/_app/immutable/`);
	const urls = [...build, ...files, ...prerendered, `${base}/${APP_SHELL}`];
	return [...new Set(urls)].map((url) => ({ url, revision: hashed(url) ? null : version }));
}
