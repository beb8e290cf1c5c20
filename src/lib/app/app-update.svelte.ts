// Registers the service worker and offers a new version without forcing it: a waiting worker
// takes over only when the user taps "update", so no form is interrupted mid-way.
import { dev } from '$app/environment';
import { base } from '$app/paths';
import { loadedAppCode } from '$lib/sw/code-cache';
import { cacheUrlsMessage, SKIP_WAITING } from '$lib/sw/messages';

const CHECK_INTERVAL_MS = 60 * 60 * 1000;

class AppUpdate {
	/** A new version that is installed and waiting for the user's go-ahead. */
	waiting = $state.raw<ServiceWorker | null>(null);
	registration = $state.raw<ServiceWorkerRegistration | null>(null);
	/** The user tapped "update": the page reloads once the new version has taken over. */
	applying = $state(false);

	/** Only a built app has a service worker (the dev server serves modules that change constantly). */
	async register(): Promise<void> {
		if (dev || !('serviceWorker' in navigator) || this.registration) return;
		const registration = await navigator.serviceWorker.register(`${base}/service-worker.js`, {
			type: 'classic'
		});
		this.registration = registration;

		// The first install takes this page over (clientsClaim): hand it the code the page loaded
		// before, so that a screen the precache leaves out opens offline later too.
		if (!navigator.serviceWorker.controller) {
			navigator.serviceWorker.addEventListener('controllerchange', () => handOverLoadedCode(), {
				once: true
			});
		}

		if (registration.waiting && navigator.serviceWorker.controller) {
			this.waiting = registration.waiting;
		}
		registration.addEventListener('updatefound', () => {
			const installing = registration.installing;
			installing?.addEventListener('statechange', () => {
				// With no controller this is the first install, not an update.
				if (installing.state === 'installed' && navigator.serviceWorker.controller) {
					this.waiting = installing;
				}
			});
		});
		const check = () => {
			if (navigator.onLine) registration.update().catch(() => undefined);
		};
		setInterval(check, CHECK_INTERVAL_MS);
		// A tablet that was offline all day looks for a new version as soon as it is back online.
		window.addEventListener('online', check);
	}

	/**
	 * Let the waiting version take over, then reload into it. The browser switches only once the
	 * current version has finished the requests it is serving, so this can take a moment.
	 */
	apply(): void {
		const worker = this.waiting;
		if (!worker || this.applying) return;
		this.applying = true;
		navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), {
			once: true
		});
		worker.postMessage(SKIP_WAITING);
	}
}

function handOverLoadedCode(): void {
	const controller = navigator.serviceWorker.controller;
	if (!controller) return;
	const urls = loadedAppCode(performance.getEntriesByType('resource'), location.origin, base);
	if (urls.length > 0) controller.postMessage(cacheUrlsMessage(urls));
}

export const appUpdate = new AppUpdate();
