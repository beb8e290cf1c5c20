// The app's code that is not precached (the supervisors', the administrators' and the template
// editor's screens) is kept once it has been used, so that a screen opened once online opens
// offline afterwards (docs/field-performance.md, "Caching and budgets").

export const CODE_CACHE = {
	/*
	 * Not tied to the deployment: a hashed name always holds the same content, so an entry stays
	 * right across updates, and a screen whose files did not change stays usable offline after
	 * an update. Old deployments' files are evicted by last use; there is no age limit, because
	 * Workbox judges age by the answer's Date header, which would drop a screen used every day.
	 */
	name: 'gridcare-code-v1',
	maxEntries: 400
} as const;

/** The built app's hashed files (scripts, styles, workers, assets) under `base`. */
export function isAppCode(url: URL, origin: string, base: string): boolean {
	return url.origin === origin && url.pathname.startsWith(`${base}/_app/immutable/`);
}

/**
 * The app's code a page has loaded so far, from its resource timing entries. A page that the
 * first service worker took over loaded it before the worker could see it: the page hands the
 * list over (CACHE_URLS), and what is not precached is cached then.
 */
export function loadedAppCode(
	entries: readonly Pick<PerformanceEntry, 'name'>[],
	origin: string,
	base: string
): string[] {
	const urls = new Set<string>();
	for (const entry of entries) {
		let url: URL;
		try {
			url = new URL(entry.name);
		} catch {
			continue;
		}
		if (isAppCode(url, origin, base)) urls.add(url.href);
	}
	return [...urls];
}
