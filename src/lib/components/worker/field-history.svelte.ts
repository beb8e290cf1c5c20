// Loads a household's field history for the household page, again when the network returns.
import { loadFieldHistory, type FieldHistory } from '$lib/worker/field-history';
import { network } from '$lib/app/network.svelte';
import { session } from '$lib/app/session.svelte';
import { syncClient } from '$lib/sync/sync.svelte';

export class FieldHistoryState {
	history = $state.raw<FieldHistory | null>(null);
	error = $state.raw<unknown>(null);
	loading = $state(false);
	#attempt = $state(0);

	constructor(householdId: () => string) {
		$effect(() => {
			const id = householdId();
			const db = syncClient.db;
			const online = network.online;
			void this.#attempt;
			if (!db) return;
			let current = true;
			this.loading = true;
			loadFieldHistory(db, 'households', id, session.token, online).then(
				(history) => {
					if (!current) return;
					this.history = history;
					this.error = null;
					this.loading = false;
				},
				(error: unknown) => {
					if (!current) return;
					this.history = null;
					this.error = error;
					this.loading = false;
				}
			);
			return () => {
				current = false;
			};
		});
	}

	retry(): void {
		this.#attempt += 1;
	}
}
