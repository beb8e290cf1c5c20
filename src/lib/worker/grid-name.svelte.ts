// A grid's name for a heading: the copy saved on this device at once, then the server's when
// it answers. A grid the server does not know (or no network and no copy) keeps a plain name.
import { untrack } from 'svelte';
import { loadNode } from '$lib/app/divisions';
import { session } from '$lib/app/session.svelte';

export class GridName {
	name = $state<string | null>(null);

	constructor(gridId: () => string) {
		$effect(() => {
			const id = gridId();
			// Not a dependency: loadNode saves the node it fetched, which would run this again and
			// fetch again, without end.
			this.name = untrack(() => session.cachedNode(id)?.node.name) ?? null;
			let current = true;
			loadNode(id).then(
				(result) => {
					if (current) this.name = result.node.name;
				},
				() => undefined
			);
			return () => {
				current = false;
			};
		});
	}
}
