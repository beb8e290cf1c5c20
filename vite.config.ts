import { sveltekit } from '@sveltejs/kit/vite';
import { paraglideVitePlugin } from '@inlang/paraglide-js';
import { defineConfig } from 'vite';
import { precacheManifest } from './src/lib/sw/precache-build.ts';

export default defineConfig(({ mode }) => ({
	plugins: [
		paraglideVitePlugin({
			project: './project.inlang',
			outdir: './src/lib/paraglide',
			// An SPA with no server rendering: the choice is kept in localStorage,
			// the first visit follows the browser, Chinese otherwise.
			strategy: ['localStorage', 'preferredLanguage', 'baseLocale']
		}),
		sveltekit(),
		// After the adapter: the service worker's precache list (docs/field-performance.md).
		precacheManifest({ kitOutDir: '.svelte-kit', buildDir: 'build' })
	],
	// The pull worker (src/lib/sync/pull.worker.ts) is an ES module, like the app.
	worker: { format: 'es' },
	// Workbox modules read process.env.NODE_ENV; without this the service worker throws and never registers.
	define: {
		'process.env.NODE_ENV': JSON.stringify(mode === 'production' ? 'production' : 'development')
	},
	server: {
		proxy: {
			'/api': 'http://localhost:8787'
		}
	},
	preview: {
		proxy: {
			'/api': 'http://localhost:8787'
		}
	}
}));
