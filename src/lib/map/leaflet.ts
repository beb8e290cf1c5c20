// Leaflet is imported on the map screens only, when they mount (it touches `window` on import).
import type * as Leaflet from 'leaflet';

/** Leaflet's API and its stylesheet, loaded on demand. */
export async function loadLeaflet(): Promise<typeof Leaflet> {
	const [leaflet] = await Promise.all([import('leaflet'), import('leaflet/dist/leaflet.css')]);
	// Leaflet ships as UMD: the bundler may put the API on `default`.
	return (leaflet as unknown as { default?: typeof Leaflet }).default ?? leaflet;
}
