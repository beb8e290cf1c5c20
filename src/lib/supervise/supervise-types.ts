// Shapes of the supervision API answers (roll-up, grids, rounds, incidents, alerts, settings),
// checked at the boundary like the rest of the client's API answers (see $lib/app/types.ts).
import { z } from 'zod';
import {
	NODE_LEVELS,
	INCIDENT_CATEGORIES,
	INCIDENT_STATUSES,
	ROLES,
	SEVERITIES
} from '$lib/shared/enums';
import { metricsSchema, questionFiguresSchema } from '$lib/shared/metrics';
import { nodeLevelSchema } from '$lib/app/types';
import { visitFrequencySchema } from '$lib/domain/care';

export type { Metrics } from '$lib/shared/metrics';

export const rollupChildSchema = z.object({
	code: z.string(),
	name: z.string(),
	level: nodeLevelSchema,
	metrics: metricsSchema,
	/** A round with a template only (docs/check-templates.md, "Figures"). */
	questions: questionFiguresSchema.optional()
});
export type RollupChild = z.infer<typeof rollupChildSchema>;

export const rollupSchema = z.object({
	code: z.string(),
	name: z.string(),
	level: nodeLevelSchema,
	asOf: z.string(),
	metrics: metricsSchema,
	questions: questionFiguresSchema.optional(),
	children: z.array(rollupChildSchema)
});
export type Rollup = z.infer<typeof rollupSchema>;

export const trendSchema = z.object({
	code: z.string(),
	days: z.array(z.object({ date: z.string(), metrics: metricsSchema }))
});
export type Trend = z.infer<typeof trendSchema>;

export const roundSchema = z.object({
	id: z.string(),
	name: z.string(),
	dueDate: z.string(),
	startDate: z.string().optional(),
	divisionCode: z.string().optional(),
	/** The check template the round asks, and the version it pinned (docs/check-templates.md). */
	templateId: z.string().nullish(),
	templateVersion: z.number().int().nullish(),
	templateName: z.string().nullish()
});
export type Round = z.infer<typeof roundSchema>;

export const gridWorkerSchema = z.object({
	id: z.string(),
	username: z.string(),
	displayName: z.string().nullable().optional(),
	lastSyncAt: z.string().nullable()
});
export type GridWorker = z.infer<typeof gridWorkerSchema>;

export const communityGridSchema = z.object({
	id: z.string(),
	name: z.string(),
	metrics: metricsSchema,
	roundMetrics: metricsSchema.nullable(),
	workers: z.array(gridWorkerSchema)
});
export type CommunityGrid = z.infer<typeof communityGridSchema>;

export const communityGridsSchema = z.object({
	code: z.string(),
	name: z.string(),
	date: z.string(),
	round: roundSchema.nullable(),
	/** The community's own figures today; absent from answers saved on the device before it was sent. */
	metrics: metricsSchema.optional(),
	grids: z.array(communityGridSchema)
});
export type CommunityGrids = z.infer<typeof communityGridsSchema>;

export const roundListSchema = z.union([
	z.array(roundSchema),
	z.object({ rounds: z.array(roundSchema) }).transform((body) => body.rounds)
]);

export const thresholdsSchema = z.object({
	abnormalResidents: z.number().int().nonnegative(),
	missedCheckins: z.number().int().nonnegative(),
	coverageBehindPct: z.number().min(0).max(100),
	/** Households overdue for a visit (docs/care-tiers.md). */
	visitsOverdue: z.number().int().nonnegative()
});
export const communitySettingsSchema = z.object({
	checkinCutoff: z.string(),
	thresholds: thresholdsSchema,
	/** Days between visits per care tier (docs/care-tiers.md). */
	visitFrequency: visitFrequencySchema
});
export type CommunitySettings = z.infer<typeof communitySettingsSchema>;

const incidentStatusSchema = z.enum(INCIDENT_STATUSES);

export const incidentSummarySchema = z.object({
	id: z.string(),
	gridId: z.string().nullable().optional(),
	category: z.enum(INCIDENT_CATEGORIES).or(z.string()),
	severity: z.enum(SEVERITIES),
	status: incidentStatusSchema,
	dueAt: z.string().nullable().optional(),
	createdAt: z.string().nullable().optional(),
	/** The division an overdue incident climbed to, when it did. */
	escalatedTo: z.string().nullable().optional(),
	/** The name of the division that holds it. */
	escalatedToName: z.string().nullable().optional(),
	gridName: z.string().optional(),
	communityName: z.string().optional(),
	/** Only at the community level (personal data stays there). */
	description: z.string().nullable().optional(),
	address: z.string().nullable().optional(),
	assigneeId: z.string().nullable().optional(),
	assignee: z.string().nullable().optional(),
	reporter: z.string().nullable().optional()
});
export type IncidentSummary = z.infer<typeof incidentSummarySchema>;

export const incidentListSchema = z.union([
	z.array(incidentSummarySchema),
	z.object({ incidents: z.array(incidentSummarySchema) }).transform((body) => body.incidents)
]);

export const transitionSchema = z.object({
	from: incidentStatusSchema.nullable(),
	to: incidentStatusSchema,
	/** A name only inside the community, for its own people; above it the role and level only. */
	who: z.string().nullable().optional(),
	role: z.enum([...ROLES, 'system']).optional(),
	level: z.enum(NODE_LEVELS).nullable().optional(),
	note: z.string().nullable().optional(),
	at: z.string()
});
export type Transition = z.infer<typeof transitionSchema>;

export const incidentDetailSchema = incidentSummarySchema.extend({
	transitions: z.array(transitionSchema)
});
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

export const alertSchema = z.object({
	id: z.string(),
	communityCode: z.string(),
	communityName: z.string().optional(),
	kind: z.string(),
	value: z.number(),
	threshold: z.number(),
	raisedAt: z.string(),
	acknowledgedBy: z.string().nullable(),
	acknowledgedAt: z.string().nullable()
});
export type Alert = z.infer<typeof alertSchema>;

export const alertListSchema = z.union([
	z.array(alertSchema),
	z.object({ alerts: z.array(alertSchema) }).transform((body) => body.alerts)
]);
