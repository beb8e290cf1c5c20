// Roll-up metric names (api-contract.md "Roll-up metrics"; the names are fixed) and periods.

export const METRICS = [
	'households',
	'visitedHouseholds',
	'visits',
	'abnormalResidents',
	'openIncidents',
	'overdueIncidents',
	'checkinsExpected',
	'checkinsDone',
	'missedCheckins'
] as const;
export type MetricName = (typeof METRICS)[number];
export type Metrics = Record<MetricName, number>;

/**
 * What rollup_figures stores. State metrics (households, openIncidents, checkinsExpected) are
 * kept under the period "now"; visits, visitedHouseholds and abnormalResidents per day and per
 * round; checkinsDone per day. missedCheckins (expected − done) and overdueIncidents (open
 * incidents past due, which changes with the clock alone) are derived when read.
 */
export type StoredMetric =
	| 'households'
	| 'visitedHouseholds'
	| 'visits'
	| 'abnormalResidents'
	| 'openIncidents'
	| 'checkinsExpected'
	| 'checkinsDone';

export const NOW = 'now';
export const dayPeriod = (day: string) => `day:${day}`;
export const roundPeriod = (roundId: string) => `round:${roundId}`;

export function zeroMetrics(): Metrics {
	return Object.fromEntries(METRICS.map((m) => [m, 0])) as Metrics;
}
