// When a community alert is raised, shared by the server (server/supervision/alerts.ts) and the
// words the screens use for it (src/lib/supervise/alert-text.ts), so the two cannot disagree.

export const ALERT_KINDS = [
	'abnormal_residents',
	'missed_checkins',
	'coverage_behind',
	'visits_overdue'
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * A count alert (abnormal residents, missed check-ins, households overdue for a visit) is raised when the count reaches its
 * threshold: at the threshold itself too, and the screens say "达到或超过预警值".
 */
export function reachesThreshold(value: number, threshold: number): boolean {
	return value >= threshold;
}

/**
 * A round's coverage against the share of households it should have reached by now, in whole
 * percents that agree with the comparison: behind when strictly below the required share; the
 * coverage is rounded down and the requirement up, so a raised alert never shows "50% of 50%".
 */
export function coverageBehind(
	coveragePct: number,
	requiredPct: number
): { value: number; threshold: number; behind: boolean } {
	return {
		value: Math.floor(coveragePct),
		threshold: Math.ceil(requiredPct),
		behind: coveragePct < requiredPct
	};
}
