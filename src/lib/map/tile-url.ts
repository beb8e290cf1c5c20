// The map's tile server is configuration: none by default (many deployments, and many villages,
// have no tile server), so the map draws grid outlines and households on a plain background. A
// worker or administrator can enter a template like https://tiles.example.cn/{z}/{x}/{y}.png; it is
// kept per device in idb-keyval. Tiles the user has viewed are cached by the service worker, which
// recognises them by the /{z}/{x}/{y}.png shape of their path (src/lib/sw/tiles.ts).
import { get, set, del } from 'idb-keyval';
import { isMapTileRequest } from '$lib/sw/tiles';
import { tileUrlProblem } from '$lib/shared/tile-url';

export { tileUrlProblem, type TileUrlProblem } from '$lib/shared/tile-url';

const TILE_URL_KEY = 'gridcare:map-tile-url';

/** Whether the service worker will keep the tiles of this template for offline use. */
export function tilesCachedOffline(template: string): boolean {
	const sample = template
		.replaceAll('{s}', 'a')
		.replaceAll('{z}', '16')
		.replaceAll('{x}', '53000')
		.replaceAll('{y}', '28000')
		.replaceAll('{r}', '');
	try {
		return isMapTileRequest({ destination: 'image' }, new URL(sample));
	} catch {
		return false;
	}
}

export async function loadTileUrl(): Promise<string | null> {
	const stored = await get<string>(TILE_URL_KEY);
	return typeof stored === 'string' && stored && !tileUrlProblem(stored) ? stored : null;
}

/** Save (or with null, forget) the template on this device. */
export async function saveTileUrl(template: string | null): Promise<void> {
	if (template) await set(TILE_URL_KEY, template);
	else await del(TILE_URL_KEY);
}
