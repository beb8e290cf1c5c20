// What the map shows of some grids, read from the device: each household with coordinates and its
// visit status (from the same summaries as the grid's household list), and the grids' outlines.
import type { GridcareDb } from '$lib/db/db';
import { coveragePeriod, gridRows } from '$lib/db/worker-reads';
import type { CoveragePeriod } from '$lib/domain/calendar';
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

export interface MapData {
	/** What "visited" counts over: the check round running today, else the calendar month. */
	period: CoveragePeriod;
	grids: MapGrid[];
}

/** The map layers of some grids; `boundary` is a grid's GeoJSON when the device has it. */
export async function loadMap(
	db: GridcareDb,
	grids: readonly { id: string; boundary: unknown }[],
	now = new Date()
): Promise<MapData> {
	const period = await coveragePeriod(db, now.getTime());
	return {
		period,
		grids: await Promise.all(grids.map((g) => loadMapGrid(db, g.id, g.boundary, period)))
	};
}

/** One grid's map layer, its visit statuses counted over `period`. */
async function loadMapGrid(
	db: GridcareDb,
	gridId: string,
	boundary: unknown,
	period: CoveragePeriod
): Promise<MapGrid> {
	const rows = await gridRows(db, gridId);
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
