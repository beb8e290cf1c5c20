// Roll-up metric periods and which metrics are stored; the metric names themselves are shared
// with the app (src/lib/shared/metrics.ts).
import { METRICS, type MetricName, type Metrics } from '../../src/lib/shared/metrics';

export { METRICS, type MetricName, type Metrics };

/**
 * What rollup_figures stores. State metrics (households, openIncidents, checkinsExpected) are
 * kept under the period "now", and so are the households due and overdue for a visit as of the
 * figures' day (docs/care-tiers.md), with the households due on each later day under
 * "due:<day>"; visits, visitedHouseholds and abnormalResidents per day and per round;
 * checkinsDone per day. missedCheckins (expected − done) is derived when read, and so is
 * today's overdueIncidents (open incidents past due, which changes with the clock alone).
 * When a day is over, the state metrics, its overdueIncidents and its due figures are frozen
 * under "day:<day>" (snapshots.ts), so a past day shows them as they were at its end.
 */
export type StoredMetric = Exclude<MetricName, 'missedCheckins'>;

/**
 * A round's figure of one template question (docs/check-templates.md, "Figures"): distinct
 * residents or households asked it, and those whose answer was abnormal, under "round:<id>".
 */
export type QuestionMetric = `q:${string}:asked` | `q:${string}:abnormal`;
/** Every metric name a figure row may carry: the stored metrics and the question figures. */
export type FigureMetric = StoredMetric | QuestionMetric;

export const questionMetric = (key: string, which: 'asked' | 'abnormal'): QuestionMetric =>
	`q:${key}:${which}`;

/** Metrics that describe the state at an instant, kept under "now" (not counts of a period's events). */
export const STATE_METRICS = ['households', 'openIncidents', 'checkinsExpected'] as const;
/**
 * Metrics that change with the clock alone, each past day's value stored under its own
 * "day:<day>" when it is frozen: overdue incidents, and households due and overdue for a visit
 * (docs/care-tiers.md). Today's due figures are kept under "now".
 */
export const CLOCK_METRICS = ['overdueIncidents', 'visitsDue', 'visitsOverdue'] as const;
/** What a day's end-of-day snapshot holds under "day:<day>": the state and clock metrics. */
export const SNAPSHOT_METRICS = [...STATE_METRICS, ...CLOCK_METRICS] as const;

/**
 * Households whose next visit is due on a day from the figures' day on, per node: period
 * "due:<day>", metric "households". The day's first job run moves them into visitsDue (and,
 * a day later, visitsOverdue) without reading a household (snapshots.ts).
 */
export const duePeriod = (day: string) => `due:${day}`;

export const NOW = 'now';
export const dayPeriod = (day: string) => `day:${day}`;
export const roundPeriod = (roundId: string) => `round:${roundId}`;

export function zeroMetrics(): Metrics {
	return Object.fromEntries(METRICS.map((m) => [m, 0])) as Metrics;
}
