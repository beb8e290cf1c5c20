// Build time only, from vite.config.ts: once adapter-static has written the app, Workbox's
// injectManifest puts the list of files to precache into build/service-worker.js, in place of
// `self.__WB_MANIFEST`. The list is the offline routes' files (offline-routes.ts) and the static
// files beside the shell, each with a content hash as its revision unless its name carries one.
// SvelteKit builds the service worker in a Vite build of its own, before any route table or
// build folder exists, so this cannot happen there (docs/field-performance.md, "Caching and
// budgets").
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';
import { offlineFiles, type KitRoute, type ViteManifest } from './offline-routes.ts';

export interface PrecacheBuildOptions {
	/** SvelteKit's output folder (`kit.outDir`, `.svelte-kit` by default). */
	kitOutDir: string;
	/** The folder adapter-static writes the app to (its `pages` option). */
	buildDir: string;
}

export interface PrecacheSummary {
	/** Paths relative to the build folder, in the order the service worker lists them. */
	urls: string[];
	/** Bytes of the files as built (uncompressed). */
	size: number;
}

/** The Vite plugin: runs after SvelteKit's adapter, at the end of the server build. */
export function precacheManifest(options: PrecacheBuildOptions): Plugin {
	let root = process.cwd();
	let serverBuild = false;
	return {
		name: 'gridcare-precache-manifest',
		apply: 'build',
		configResolved(config) {
			root = config.root;
			// SvelteKit runs the client build inside the server build; the adapter runs last.
			serverBuild = Boolean(config.build.ssr);
		},
		closeBundle: {
			order: 'post',
			sequential: true,
			async handler() {
				if (!serverBuild) return;
				const { urls, size } = await injectPrecache({
					kitOutDir: resolve(root, options.kitOutDir),
					buildDir: resolve(root, options.buildDir)
				});
				console.log(
					`  precache: ${urls.length} files, ${Math.round(size / 1000)} kB before compression`
				);
			}
		}
	};
}

/**
 * The client build's Vite manifest and SvelteKit's route table (its server manifest, which
 * imports nothing until a route is asked for), as the last build left them in `kitOutDir`.
 */
export async function readBuildGraph(
	kitOutDir: string
): Promise<{ manifest: ViteManifest; routes: KitRoute[] }> {
	const output = join(kitOutDir, 'output');
	const manifest = JSON.parse(
		readFileSync(join(output, 'client', '.vite', 'manifest.json'), 'utf8')
	) as ViteManifest;
	const server = (await import(pathToFileURL(join(output, 'server', 'manifest-full.js')).href)) as {
		manifest: { _: { routes: KitRoute[] } };
	};
	return { manifest, routes: server.manifest._.routes };
}

export async function injectPrecache({
	kitOutDir,
	buildDir
}: PrecacheBuildOptions): Promise<PrecacheSummary> {
	const output = join(kitOutDir, 'output');
	const { manifest, routes } = await readBuildGraph(kitOutDir);
	const offline = offlineFiles(manifest, routes);

	const { injectManifest } = await import('workbox-build');
	const serviceWorker = join(buildDir, 'service-worker.js');
	let urls: string[] = [];
	const { size, warnings } = await injectManifest({
		// SvelteKit's own copy, before the adapter copied it: the source must differ from the output.
		swSrc: join(output, 'client', 'service-worker.js'),
		swDest: serviceWorker,
		globDirectory: buildDir,
		globPatterns: ['**/*'],
		// The compressed copies are how files travel, not files of their own; the version file is
		// SvelteKit's to ask the network for.
		globIgnores: ['**/*.br', '**/*.gz', '_app/version.json'],
		// Hashed names: the name is the revision.
		dontCacheBustURLsMatching: /^_app\/immutable\//,
		manifestTransforms: [
			async (entries) => {
				const kept = entries.filter((entry) =>
					entry.url.startsWith('_app/') ? offline.has(entry.url) : true
				);
				const listed = new Set(kept.map((entry) => entry.url));
				const missing = [...offline].filter((file) => !listed.has(file));
				if (missing.length > 0)
					throw new Error(`precache: built files missing from ${buildDir}: ${missing.join(', ')}`);
				urls = kept.map((entry) => entry.url);
				return { manifest: kept, warnings: [] };
			}
		]
	});
	// A warning means a file was left out (too large, say): the offline routes would break.
	if (warnings.length > 0) throw new Error(`precache: ${warnings.join('; ')}`);
	writeCompressedCopies(serviceWorker);
	return { urls, size };
}

/**
 * Write the brotli and gzip copies the server sends (precompressed, as adapter-static makes
 * them), so that they never hold an older service worker than the file itself.
 */
export function writeCompressedCopies(file: string): void {
	// As plain byte arrays: this project's TypeScript and Node typings disagree about Buffer.
	const source = new Uint8Array(readFileSync(file));
	const brotli = brotliCompressSync(source, {
		params: {
			[constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
			[constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
			[constants.BROTLI_PARAM_SIZE_HINT]: source.length
		}
	});
	writeFileSync(`${file}.br`, new Uint8Array(brotli));
	const gzip = gzipSync(source, { level: constants.Z_BEST_COMPRESSION });
	writeFileSync(`${file}.gz`, new Uint8Array(gzip));
}
