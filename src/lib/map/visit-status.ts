// A household's visit status on the map, from the same summary the grid's household list uses
// (src/lib/domain/household-list.ts), so the map and the list always agree: "abnormal at the last
// visit" first (someone needs a follow-up), then "visited" in the current period (the check round
// running today, else the month), otherwise "not visited".

export const VISIT_STATUSES = ['abnormal', 'not_visited', 'visited'] as const;
export type VisitStatus = (typeof VISIT_STATUSES)[number];

export function visitStatus(summary: {
	visitedThisMonth: boolean;
	lastVisitAbnormal: boolean;
}): VisitStatus {
	if (summary.lastVisitAbnormal) return 'abnormal';
	return summary.visitedThisMonth ? 'visited' : 'not_visited';
}

/** The more urgent of two statuses, for several households drawn as one marker. */
export function mostUrgent(a: VisitStatus, b: VisitStatus): VisitStatus {
	return VISIT_STATUSES.indexOf(a) <= VISIT_STATUSES.indexOf(b) ? a : b;
}
