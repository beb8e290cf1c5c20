// Leaflet is imported on the map screens only, when they mount (it touches `window` on import).
// Its stylesheet is a static import: it comes with the map screens' own styles, and the build
// records it, so the service worker precaches it with the worker's map (a dynamically imported
// stylesheet is missing from Vite's manifest; docs/field-performance.md, "Caching and budgets").
import 'leaflet/dist/leaflet.css';
import type * as Leaflet from 'leaflet';

/** Leaflet's API, loaded on demand. */
export async function loadLeaflet(): Promise<typeof Leaflet> {
	const leaflet = await import('leaflet');
	// Leaflet ships as UMD: the bundler may put the API on `default`.
	return (leaflet as unknown as { default?: typeof Leaflet }).default ?? leaflet;
}
