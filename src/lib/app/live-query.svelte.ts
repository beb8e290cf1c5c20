// A Dexie live query as runes: the screen shows the device's data and follows every change to
// it, whether made here (a saved visit), by the sync engine (a pull, a delivered push), or in
// another tab. Create it in a component's script; it stops with the component.
import { liveQuery } from 'dexie';
import type { GridcareDb } from '$lib/db/db';
import { syncClient } from '$lib/sync/sync.svelte';

export class LiveQuery<K, T> {
	/** The latest answer; undefined until the first one arrives. */
	current = $state.raw<T | undefined>(undefined);
	error = $state.raw<unknown>(null);
	/** The key the current answer is for. */
	key = $state.raw<K | undefined>(undefined);

	/**
	 * @param key what the query depends on (read reactively: the query restarts when it changes);
	 *   null waits (e.g. while the database opens).
	 * @param query reads the device's database for that key.
	 */
	constructor(key: () => K | null, query: (db: GridcareDb, key: K) => Promise<T>) {
		$effect(() => {
			const db = syncClient.db;
			const k = key();
			// Locked: sealed fields cannot be opened; the query runs again on unlock.
			if (!db || k === null || !syncClient.unlocked) return;
			const subscription = liveQuery(() => query(db, k)).subscribe({
				next: (value) => {
					this.current = value;
					this.key = k;
					this.error = null;
				},
				error: (error: unknown) => {
					this.error = error;
				}
			});
			return () => subscription.unsubscribe();
		});
	}

	/** The answer, but only when it is for the key asked now (no flash of the previous page). */
	for(key: K): T | undefined {
		return this.key === key ? this.current : undefined;
	}
}
