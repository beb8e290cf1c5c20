// A supervision figure that stays fresh: fetched from the server, polled while the page is
// visible so new coverage shows within seconds, and kept on the device (one snapshot per request
// path) so that with no network the screen shows the last figures with the time they were
// fetched. Create it in a component's script; polling stops with the component.
import { ApiError } from '$lib/app/api';
import { network } from '$lib/app/network.svelte';
import { session } from '$lib/app/session.svelte';
import { isoNow, snapshots } from './supervise-cache';

/** How often figures are refreshed while the screen is visible. */
export const POLL_MS = 5_000;

export class LiveSnapshot<T> {
	/** The latest figures; undefined until the first answer (server or device). */
	data = $state.raw<T | undefined>(undefined);
	/** When the shown figures came from the device: the time the server sent them. */
	savedAt = $state.raw<string | null>(null);
	/** Set when there is nothing to show (or the server refused the request). */
	error = $state.raw<unknown>(null);
	/** The request path the current data is for. */
	path = $state.raw<string | null>(null);

	#wanted: string | null = null;
	/** When the server last answered for the current path (for screens not cached on the device). */
	#fetchedAt: string | null = null;
	#fetcher: (path: string, token: string) => Promise<T>;
	#cache: boolean;

	/**
	 * @param path the request path (read reactively); null waits.
	 * @param fetcher asks the server for that path.
	 * @param cache keep a copy on the device (never for answers that carry personal data).
	 */
	constructor(
		path: () => string | null,
		fetcher: (path: string, token: string) => Promise<T>,
		{ cache = true, pollMs = POLL_MS }: { cache?: boolean; pollMs?: number } = {}
	) {
		this.#fetcher = fetcher;
		this.#cache = cache;
		$effect(() => {
			const p = path();
			const userId = session.user?.id;
			void network.online;
			if (!p || !userId) return;
			this.#wanted = p;
			let stopped = false;
			let timer: ReturnType<typeof setTimeout> | undefined;
			const tick = async () => {
				clearTimeout(timer);
				if (document.visibilityState === 'visible') await this.#load(p, userId);
				if (!stopped) timer = setTimeout(() => void tick(), pollMs);
			};
			const onVisible = () => {
				if (document.visibilityState === 'visible' && !stopped) void tick();
			};
			void tick();
			document.addEventListener('visibilitychange', onVisible);
			return () => {
				stopped = true;
				clearTimeout(timer);
				document.removeEventListener('visibilitychange', onVisible);
			};
		});
	}

	/** The data, but only when it is for the path asked now (no flash of the previous node). */
	for(path: string | null): T | undefined {
		return path !== null && this.path === path ? this.data : undefined;
	}

	/** Ask again now (after an action that changes the figures). */
	async refresh(): Promise<void> {
		const userId = session.user?.id;
		if (this.#wanted && userId) await this.#load(this.#wanted, userId);
	}

	async #load(path: string, userId: string): Promise<void> {
		const token = session.token;
		if (!token) return;
		let failure: unknown = null;
		if (network.online) {
			try {
				const data = await this.#fetcher(path, token);
				if (this.#wanted !== path) return;
				this.#show(path, data, null);
				if (this.#cache) await snapshots.write(userId, path, data);
				return;
			} catch (error) {
				if (this.#wanted !== path) return;
				if (!(error instanceof ApiError) || error.kind !== 'offline') {
					this.error = error;
					if (this.path !== path) this.data = undefined;
					return;
				}
				failure = error;
			}
		}
		// No network: the figures shown stay, marked with the time they were fetched.
		const saved = this.#cache
			? await snapshots.read<T>(userId, path).catch(() => undefined)
			: undefined;
		if (this.#wanted !== path) return;
		if (saved) this.#show(path, saved.data, saved.savedAt);
		else if (this.path === path && this.data !== undefined) this.savedAt = this.#fetchedAt;
		else {
			this.data = undefined;
			this.error = failure ?? new ApiError('offline', null, `no saved copy of ${path}`);
		}
	}

	#show(path: string, data: T, savedAt: string | null): void {
		if (savedAt === null) this.#fetchedAt = isoNow();
		this.path = path;
		this.data = data;
		this.savedAt = savedAt;
		this.error = null;
	}
}
