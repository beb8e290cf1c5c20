// Geometry for the map, kept free of Leaflet so it can be tested: grid outlines from GeoJSON, the
// households' extent when a grid has no outline on this device, and households grouped by spot
// (every flat of a building shares the building's coordinates, so one marker per building).
import type { VisitStatus } from './visit-status';
import { mostUrgent } from './visit-status';

/** [lat, lng], Leaflet's order (GeoJSON's is [lng, lat]). */
export type LatLng = [number, number];

export interface Bounds {
	south: number;
	west: number;
	north: number;
	east: number;
}

function isPosition(value: unknown): value is [number, number] {
	return (
		Array.isArray(value) &&
		value.length >= 2 &&
		typeof value[0] === 'number' &&
		typeof value[1] === 'number' &&
		Math.abs(value[0]) <= 180 &&
		Math.abs(value[1]) <= 90
	);
}

/** The rings of a GeoJSON Polygon or MultiPolygon as [lat, lng] lists; null for anything else. */
export function ringsOfBoundary(boundary: unknown): LatLng[][] | null {
	if (typeof boundary !== 'object' || boundary === null) return null;
	const { type, coordinates } = boundary as { type?: unknown; coordinates?: unknown };
	const polygons =
		type === 'Polygon' ? [coordinates] : type === 'MultiPolygon' ? coordinates : undefined;
	if (!Array.isArray(polygons)) return null;
	const rings: LatLng[][] = [];
	for (const polygon of polygons) {
		if (!Array.isArray(polygon)) return null;
		for (const ring of polygon) {
			if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isPosition)) return null;
			rings.push(ring.map(([lng, lat]) => [lat, lng]));
		}
	}
	return rings.length ? rings : null;
}

/** The smallest box around the points, widened by `margin` degrees; null with no points. */
export function extentOf(points: readonly LatLng[], margin = 0.0003): Bounds | null {
	if (points.length === 0) return null;
	let south = Infinity,
		west = Infinity,
		north = -Infinity,
		east = -Infinity;
	for (const [lat, lng] of points) {
		south = Math.min(south, lat);
		north = Math.max(north, lat);
		west = Math.min(west, lng);
		east = Math.max(east, lng);
	}
	return { south: south - margin, west: west - margin, north: north + margin, east: east + margin };
}

/** A closed ring around a box, [lat, lng]. */
export function ringOfBounds(b: Bounds): LatLng[] {
	return [
		[b.south, b.west],
		[b.south, b.east],
		[b.north, b.east],
		[b.north, b.west],
		[b.south, b.west]
	];
}

export interface PlacedHousehold {
	id: string;
	address: string;
	lat: number;
	lng: number;
	status: VisitStatus;
}

export interface Spot {
	/** "lat,lng" */
	key: string;
	lat: number;
	lng: number;
	households: PlacedHousehold[];
	/** The most urgent status of its households: the marker's colour. */
	status: VisitStatus;
}

/** Households that share coordinates, one spot each, in a stable order. */
export function spotsOf(households: readonly PlacedHousehold[]): Spot[] {
	const spots = new Map<string, Spot>();
	for (const household of households) {
		const key = `${household.lat.toFixed(6)},${household.lng.toFixed(6)}`;
		const spot = spots.get(key);
		if (spot) {
			spot.households.push(household);
			spot.status = mostUrgent(spot.status, household.status);
		} else {
			spots.set(key, {
				key,
				lat: household.lat,
				lng: household.lng,
				households: [household],
				status: household.status
			});
		}
	}
	for (const spot of spots.values())
		spot.households.sort((a, b) => a.address.localeCompare(b.address, 'zh-CN', { numeric: true }));
	return [...spots.values()].sort((a, b) => a.key.localeCompare(b.key));
}
