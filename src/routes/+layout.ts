import { browser } from '$app/environment';
import { i18n } from '$lib/i18n/locale.svelte';
import { network } from '$lib/app/network.svelte';
import { session } from '$lib/app/session.svelte';
import { lock } from '$lib/privacy/lock.svelte';
// Applies the device's display modes on import, before the first screen renders.
import '$lib/app/modes.svelte';

// A client-only SPA: all data comes from the API and IndexedDB, so there is nothing to render on a server.
export const ssr = false;
export const prerender = false;

export const load = async () => {
	if (browser) {
		i18n.start();
		network.start();
		await session.load();
		// The app lock must know before the first screen whether to start locked.
		await lock.load();
	}
};
