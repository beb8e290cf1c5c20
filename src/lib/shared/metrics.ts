// The roll-up metrics: their names and the counts a node answers with, one definition for the
// server's figures and routes and the app's dashboards (README "Roll-up" says what each counts).
import { z } from 'zod';

export const METRICS = [
	'households',
	'visitedHouseholds',
	'visits',
	'abnormalResidents',
	'openIncidents',
	'overdueIncidents',
	'checkinsExpected',
	'checkinsDone',
	'missedCheckins',
	'visitsDue',
	'visitsOverdue'
] as const;
export type MetricName = (typeof METRICS)[number];

/** One count per metric; missedCheckins (expected − done) is floored at 0 when read. */
export const metricsSchema = z.object(
	Object.fromEntries(METRICS.map((name) => [name, z.number().int().nonnegative()])) as Record<
		MetricName,
		z.ZodNumber
	>
);
export type Metrics = z.infer<typeof metricsSchema>;

/**
 * A round's figures per template question with an abnormal rule (docs/check-templates.md,
 * "Figures"): distinct residents or households asked it, and those found abnormal by it.
 */
export const questionFiguresSchema = z.record(
	z.string(),
	z.object({ asked: z.number().int().nonnegative(), abnormal: z.number().int().nonnegative() })
);
export type QuestionFigures = z.infer<typeof questionFiguresSchema>;
