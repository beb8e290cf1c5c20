// Names of the user's grids for headings and choices: the copy saved on this device at once,
// then the server's when it answers (which also saves it for next time, offline included).
import { m } from '$lib/paraglide/messages';
import { loadNode } from '$lib/app/divisions';
import { session } from '$lib/app/session.svelte';

export class GridNames {
	#ids: () => readonly string[];
	#fetched = $state<Record<string, string>>({});

	/** Create in a component's script. */
	constructor(ids: () => readonly string[]) {
		this.#ids = ids;
		$effect(() => {
			let current = true;
			for (const id of ids())
				if (!session.cachedNode(id))
					loadNode(id).then(
						(result) => {
							if (current) this.#fetched = { ...this.#fetched, [id]: result.node.name };
						},
						() => undefined
					);
			return () => {
				current = false;
			};
		});
	}

	/** The grid's name, or "网格 2" by its place in the list when neither copy is there. */
	of(id: string): string {
		const known = session.cachedNode(id)?.node.name ?? this.#fetched[id];
		if (known) return known;
		return m.f_grid_fallback_name({ number: this.#ids().indexOf(id) + 1 });
	}
}
