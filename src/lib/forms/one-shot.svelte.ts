// Read something from the device's database once for a key (e.g. the row an edit form starts
// from). Unlike a live query it does not follow later changes: a form must not be rebuilt under
// the user's fingers when a sync brings a new version of the row.
import type { GridcareDb } from '$lib/db/db';
import { syncClient } from '$lib/sync/sync.svelte';

export class OneShot<K, T> {
	value = $state.raw<T | undefined>(undefined);
	error = $state.raw<unknown>(null);
	/** The key the current value is for. */
	key = $state.raw<K | undefined>(undefined);

	/** Create in a component's script; reads again when the key or the database changes. */
	constructor(key: () => K | null, read: (db: GridcareDb, key: K) => Promise<T>) {
		$effect(() => {
			const db = syncClient.db;
			const k = key();
			// Locked: sealed fields cannot be opened; the query runs again on unlock.
			if (!db || k === null || !syncClient.unlocked) return;
			let current = true;
			read(db, k).then(
				(value) => {
					if (!current) return;
					this.value = value;
					this.key = k;
					this.error = null;
				},
				(error: unknown) => {
					if (current) this.error = error;
				}
			);
			return () => {
				current = false;
			};
		});
	}

	/** The value, only when it is for the key asked now. */
	for(key: K): T | undefined {
		return this.key === key ? this.value : undefined;
	}
}
