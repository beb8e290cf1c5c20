import adapter from '@sveltejs/adapter-static';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
	preprocess: vitePreprocess(),
	vitePlugin: {
		// Runes everywhere in our code; libraries keep whatever mode they were written in.
		dynamicCompileOptions: ({ filename }) =>
			filename.includes('node_modules') ? undefined : { runes: true }
	},
	kit: {
		// A single-page app: every navigation falls back to index.html, data comes from IndexedDB.
		adapter: adapter({
			pages: 'build',
			assets: 'build',
			fallback: 'index.html',
			// Brotli and gzip copies of every text file, served by the server as they are.
			precompress: true,
			strict: true
		}),
		serviceWorker: {
			// Registered by src/lib/app/app-update.svelte.ts so the app can offer updates itself.
			register: false
		}
	}
};

export default config;
