// What the map shows of some grids, read from the device: each household with coordinates and its
// visit status (from the same summaries as the grid's household list), and the grids' outlines.
import type { GridcareDb } from '$lib/db/db';
import { coveragePeriod, gridRows } from '$lib/db/worker-reads';
import { summarizeHouseholds } from '$lib/domain/household-list';
import { extentOf, ringOfBounds, ringsOfBoundary, type LatLng, type PlacedHousehold } from './geo';
import { visitStatus, VISIT_STATUSES, type VisitStatus } from './visit-status';

export interface MapGrid {
	id: string;
	/** Outline rings, [lat, lng]; empty when the grid has neither a boundary nor placed households. */
	rings: LatLng[][];
	/** True when the outline is the households' extent because no boundary is on the device. */
	estimated: boolean;
	households: PlacedHousehold[];
	/** Households with no coordinates (not on the map; counted so nobody is forgotten). */
	unplaced: number;
}

export type StatusCounts = Record<VisitStatus, number>;

export function emptyCounts(): StatusCounts {
	return Object.fromEntries(VISIT_STATUSES.map((s) => [s, 0])) as StatusCounts;
}

const byAddress = (a: string, b: string) => a.localeCompare(b, 'zh-CN', { numeric: true });

/** One grid's map layer. `boundary` is the grid's GeoJSON when the device has it. */
export async function loadMapGrid(
	db: GridcareDb,
	gridId: string,
	boundary: unknown,
	now = new Date()
): Promise<MapGrid> {
	const [rows, period] = await Promise.all([
		gridRows(db, gridId),
		coveragePeriod(db, now.getTime())
	]);
	// Visit status colours follow the running check round, else the calendar month.
	const summaries = summarizeHouseholds(rows, {
		month: period.range,
		tagWords: () => [],
		compareAddress: byAddress
	});
	const status = new Map(summaries.map((s) => [s.id, visitStatus(s)]));
	const households: PlacedHousehold[] = [];
	for (const h of rows.households) {
		// The cached rows carry coordinates (HouseholdRow); the list's row type leaves them out.
		const { lat, lng } = h as { lat?: unknown; lng?: unknown };
		if (typeof lat === 'number' && typeof lng === 'number')
			households.push({
				id: h.id,
				address: h.address,
				lat,
				lng,
				status: status.get(h.id) ?? 'not_visited'
			});
	}
	const rings = ringsOfBoundary(boundary);
	const extent = extentOf(households.map((h) => [h.lat, h.lng]));
	return {
		id: gridId,
		rings: rings ?? (extent ? [ringOfBounds(extent)] : []),
		estimated: rings === null,
		households,
		unplaced: rows.households.length - households.length
	};
}

export function countStatuses(grids: readonly MapGrid[]): StatusCounts {
	const counts = emptyCounts();
	for (const grid of grids) for (const h of grid.households) counts[h.status] += 1;
	return counts;
}
