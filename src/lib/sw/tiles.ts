// Map tiles the user has actually looked at stay available offline. The tile server is
// configuration, so tiles are recognised by the usual /{z}/{x}/{y}.png shape of their path.

const TILE_PATH = /\/\d{1,2}\/\d+\/\d+(@2x)?\.(png|jpe?g|webp)$/i;

export const TILE_CACHE = {
	/*
	 * Not tied to the deployment like the app shell: tiles do not change with the app, and a
	 * worker who looked at a map online must still see it offline after an update.
	 */
	name: 'gridcare-map-tiles-v1',
	maxEntries: 3000,
	maxAgeSeconds: 30 * 24 * 60 * 60
} as const;

/** API paths are never handled by the service worker, tiles included. */
const API_PATH = /^(\/[^/]+)*\/api\//;

export function isMapTileRequest(request: Pick<Request, 'destination'>, url: URL): boolean {
	return (
		request.destination === 'image' && TILE_PATH.test(url.pathname) && !API_PATH.test(url.pathname)
	);
}

/**
 * Keep only complete CORS responses. Opaque (no-cors) responses are counted by Chromium as
 * megabytes each against the origin's quota, and running out of quota can evict the whole
 * origin, unsynced records included.
 */
export function isCacheableTile(response: Response): boolean {
	return response.status === 200 && response.type !== 'opaque';
}
