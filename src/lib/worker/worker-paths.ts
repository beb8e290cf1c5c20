// Links to the worker screens other screens lead to (household and resident forms, the incident
// report, the map), written out in one place here rather than through resolve()'s route list, so
// that a route that changes shape is changed here only.
import { base } from '$app/paths';
import type { ResolvedPathname } from '$app/types';

const path = (value: string) => `${base}${value}` as ResolvedPathname;
const segment = (value: string) => encodeURIComponent(value);

export function householdEditPath(householdId: string): ResolvedPathname {
	return path(`/worker/household/${segment(householdId)}/edit`);
}

export function residentNewPath(householdId: string): ResolvedPathname {
	return path(`/worker/household/${segment(householdId)}/resident-new`);
}

export function householdNewPath(gridId: string): ResolvedPathname {
	return path(`/worker/grid/${segment(gridId)}/household-new`);
}

export function residentEditPath(householdId: string, residentId: string): ResolvedPathname {
	return path(`/worker/household/${segment(householdId)}/resident/${segment(residentId)}/edit`);
}

/** The map of a grid. */
export function mapPath(gridId: string): ResolvedPathname {
	return path(`/worker/map?${new URLSearchParams({ grid: gridId }).toString()}`);
}

export interface IncidentPrefill {
	description?: string;
	category?: string;
	severity?: string;
}

/** The incident report form for a household, optionally with what to start from. */
export function incidentNewPath(
	householdId: string,
	prefill: IncidentPrefill = {}
): ResolvedPathname {
	const query = new URLSearchParams({ household: householdId });
	for (const [key, value] of Object.entries(prefill)) if (value) query.set(key, value);
	return path(`/worker/incident-new?${query.toString()}`);
}

/** The incident report form for a place in a grid that is no one household (a public area). */
export function gridIncidentNewPath(gridId: string): ResolvedPathname {
	return path(`/worker/incident-new?${new URLSearchParams({ grid: gridId }).toString()}`);
}

export function incidentPath(incidentId: string): ResolvedPathname {
	return path(`/worker/incident/${segment(incidentId)}`);
}
