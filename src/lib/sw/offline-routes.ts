// Which built files the service worker precaches: everything the grid worker's and the kiosk's
// routes use, so that they open with no network on a first install; the supervisors', the
// administrators' and the template editor's code loads when first used and is cached then
// (docs/field-performance.md, "Caching and budgets"). Worked out at build time from the client
// build's Vite manifest and SvelteKit's route table (precache-build.ts), pure here.

/**
 * Route ids that must work offline, with everything below them: the worker's and the kiosk's
 * screens (the map included), the sign-in page a signed-out tablet shows, and the root, which
 * sends each person to their home.
 */
export const OFFLINE_ROUTES = ['/', '/login', '/worker', '/kiosk'] as const;

export function isOfflineRoute(id: string): boolean {
	return OFFLINE_ROUTES.some((route) =>
		route === '/' ? id === '/' : id === route || id.startsWith(`${route}/`)
	);
}

/** The parts of a chunk of Vite's build manifest (`.vite/manifest.json`) used here. */
export interface ManifestChunk {
	file: string;
	name?: string;
	isEntry?: boolean;
	imports?: string[];
	dynamicImports?: string[];
	css?: string[];
	assets?: string[];
}

export type ViteManifest = Record<string, ManifestChunk>;

/** A route of SvelteKit's server manifest (`manifest._.routes`): its page's nodes by index. */
export interface KitRoute {
	id: string;
	page: { layouts: (number | undefined)[]; errors: (number | undefined)[]; leaf: number } | null;
}

/** SvelteKit names the client build's input of route node i `nodes/i`, its entries `entry/…`. */
const NODE_NAME = /^nodes\/(\d+)$/;

function nodeIndex(chunk: ManifestChunk): number | null {
	const match = chunk.isEntry && chunk.name ? NODE_NAME.exec(chunk.name) : null;
	return match ? Number(match[1]) : null;
}

/** The route nodes (layouts, error pages, pages) that the offline routes are made of. */
export function offlineNodes(routes: readonly KitRoute[]): Set<number> {
	const nodes = new Set<number>();
	for (const route of routes) {
		if (!route.page || !isOfflineRoute(route.id)) continue;
		for (const node of [...route.page.layouts, ...route.page.errors, route.page.leaf])
			if (node !== undefined) nodes.add(node);
	}
	return nodes;
}

/**
 * The files (paths relative to the build folder) the offline routes need: SvelteKit's entries
 * and what they import, and each offline node with everything it imports, statically or
 * dynamically (the map's Leaflet, the pull worker's script), with styles and assets. The other
 * routes' nodes, which the app entry imports dynamically, are left to load on demand.
 */
export function offlineFiles(manifest: ViteManifest, routes: readonly KitRoute[]): Set<string> {
	const wanted = offlineNodes(routes);
	const files = new Set<string>();
	const seen = new Set<string>();
	const visit = (key: string) => {
		if (seen.has(key)) return;
		seen.add(key);
		const chunk = manifest[key];
		if (!chunk) throw new Error(`the Vite manifest has no chunk ${key}`);
		files.add(chunk.file);
		for (const file of [...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(file);
		for (const imported of chunk.imports ?? []) visit(imported);
		for (const imported of chunk.dynamicImports ?? []) {
			const node = manifest[imported] ? nodeIndex(manifest[imported]) : null;
			if (node === null || wanted.has(node)) visit(imported);
		}
	};
	const starts = Object.entries(manifest)
		.filter(([, chunk]) => {
			const node = nodeIndex(chunk);
			return node !== null ? wanted.has(node) : chunk.isEntry && chunk.name?.startsWith('entry/');
		})
		.map(([key]) => key);
	const found = new Set(starts.map((key) => nodeIndex(manifest[key])));
	const missing = [...wanted].filter((node) => !found.has(node));
	if (missing.length > 0) throw new Error(`no client chunk for route nodes ${missing.join(', ')}`);
	if (starts.length === wanted.size) throw new Error('the Vite manifest has no SvelteKit entry');
	for (const key of starts) visit(key);
	return files;
}

/** The built files the offline routes do not use: loaded, and then cached, when first needed. */
export function onDemandFiles(manifest: ViteManifest, routes: readonly KitRoute[]): Set<string> {
	const offline = offlineFiles(manifest, routes);
	const files = new Set<string>();
	for (const chunk of Object.values(manifest))
		for (const file of [chunk.file, ...(chunk.css ?? []), ...(chunk.assets ?? [])])
			if (!offline.has(file)) files.add(file);
	return files;
}
