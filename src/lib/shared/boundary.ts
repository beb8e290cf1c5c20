// A grid's boundary as GeoJSON (RFC 7946): a Polygon or MultiPolygon of [lng, lat] positions,
// each ring closed. Checked by the server before it is stored and by the map editor before it
// is sent (docs/administration.md, "Grids").

export interface GridBoundary {
	type: 'Polygon' | 'MultiPolygon';
	coordinates: number[][][] | number[][][][];
}

/** Vertices a boundary may hold in all: a hand-drawn street block needs far fewer. */
export const BOUNDARY_MAX_VERTICES = 5000;

/** Why `value` is not a valid boundary ("coordinates[0][2]: …"), or null when it is. */
export function boundaryProblem(value: unknown): string | null {
	if (typeof value !== 'object' || value === null || Array.isArray(value))
		return 'expected a GeoJSON Polygon or MultiPolygon';
	const { type, coordinates } = value as Record<string, unknown>;
	if (type !== 'Polygon' && type !== 'MultiPolygon')
		return 'type: expected "Polygon" or "MultiPolygon"';
	if (!Array.isArray(coordinates) || coordinates.length === 0)
		return 'coordinates: expected a non-empty list';
	const polygons = type === 'Polygon' ? [coordinates] : coordinates;
	let vertices = 0;
	for (const [p, polygon] of polygons.entries()) {
		const at = type === 'Polygon' ? 'coordinates' : `coordinates[${p}]`;
		if (!Array.isArray(polygon) || polygon.length === 0) return `${at}: expected a list of rings`;
		for (const [r, ring] of polygon.entries()) {
			const where = `${at}[${r}]`;
			if (!Array.isArray(ring) || ring.length < 4)
				return `${where}: a ring needs at least 3 points and the first repeated at the end`;
			for (const [i, position] of ring.entries()) {
				const problem = positionProblem(position);
				if (problem) return `${where}[${i}]: ${problem}`;
			}
			const first = ring[0] as number[];
			const last = ring[ring.length - 1] as number[];
			if (first[0] !== last[0] || first[1] !== last[1])
				return `${where}: the ring is not closed (its last point must repeat its first)`;
			vertices += ring.length;
			if (vertices > BOUNDARY_MAX_VERTICES)
				return `coordinates: more than ${BOUNDARY_MAX_VERTICES} points`;
		}
	}
	return null;
}

function positionProblem(position: unknown): string | null {
	if (!Array.isArray(position) || position.length < 2 || position.length > 3)
		return 'expected [longitude, latitude]';
	const [lng, lat] = position as unknown[];
	if (typeof lng !== 'number' || !Number.isFinite(lng) || lng < -180 || lng > 180)
		return 'longitude must be a number from -180 to 180';
	if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90)
		return 'latitude must be a number from -90 to 90';
	return null;
}

/** Only the parts of a valid boundary GeoJSON defines (no stray members are stored). */
export function cleanBoundary(value: GridBoundary): GridBoundary {
	return { type: value.type, coordinates: value.coordinates };
}
