// One set of validation schemas for client forms, server routes and the sync protocol.
import { z } from 'zod';
import {
	CHECKIN_CHANNELS,
	CHECKIN_STATUSES,
	HEALTH_CODES,
	INCIDENT_CATEGORIES,
	INCIDENT_STATUSES,
	MUTATION_OPS,
	ROLES,
	SEVERITIES,
	SEXES,
	SYNC_TABLES,
	VISIT_OUTCOMES
} from './enums';
import { idNumberProblem } from './id-number';
import { INCIDENT_NOTE_MAX } from '../domain/incident';

const ID_PROBLEM_TEXT = {
	format: 'must be 17 digits followed by a digit or X',
	birthDate: 'does not contain a real birth date',
	checkChar: 'check character is wrong (GB 11643)'
} as const;

export const idNumberSchema = z.string().superRefine((value, ctx) => {
	const problem = idNumberProblem(value);
	if (problem)
		ctx.addIssue({ code: 'custom', message: ID_PROBLEM_TEXT[problem], params: { problem } });
});

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;
export const phoneSchema = z.string().regex(PHONE_PATTERN, 'must be an 11-digit mobile number');

export const TEMPERATURE_MIN = 34;
export const TEMPERATURE_MAX = 43;
export const temperatureSchema = z
	.number()
	.min(TEMPERATURE_MIN, `must be at least ${TEMPERATURE_MIN} °C`)
	.max(TEMPERATURE_MAX, `must be at most ${TEMPERATURE_MAX} °C`);

export const uuidSchema = z.string().uuid();
export const divisionCodeSchema = z
	.string()
	.regex(
		/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/,
		'must be a division code of 2, 4, 6, 9 or 12 digits'
	);
export const communityCodeSchema = z
	.string()
	.regex(/^\d{12}$/, 'must be a 12-digit community code');
export const roleSchema = z.enum(ROLES);
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

const shortText = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);

export const loginSchema = z.object({
	username: shortText(64),
	password: z.string().min(1, 'must not be empty').max(256),
	deviceId: shortText(64)
});
export type LoginInput = z.infer<typeof loginSchema>;

export const householdFields = z.object({
	gridId: uuidSchema,
	address: shortText(200),
	tags: z.array(shortText(32)).max(20).optional(),
	lat: z.number().min(-90).max(90).optional(),
	lng: z.number().min(-180).max(180).optional()
});

export const residentFields = z.object({
	householdId: uuidSchema,
	name: shortText(64),
	idNumber: idNumberSchema.optional(),
	phone: phoneSchema.optional(),
	birthYear: z.number().int().min(1900).max(2100).optional(),
	sex: z.enum(SEXES).optional(),
	tags: z.array(shortText(32)).max(20).optional(),
	dailyCheckIn: z.boolean().optional()
});

export const residentCheckSchema = z.object({
	residentId: uuidSchema,
	temperature: temperatureSchema.optional(),
	symptoms: z.array(shortText(32)).max(20).optional(),
	healthCode: z.enum(HEALTH_CODES).optional(),
	fromRiskArea: z.boolean().optional()
});
export type ResidentCheck = z.infer<typeof residentCheckSchema>;

export const visitFields = z.object({
	householdId: uuidSchema,
	visitedAt: isoDateTimeSchema,
	outcome: z.enum(VISIT_OUTCOMES),
	checks: z.array(residentCheckSchema).max(20),
	needs: z.array(shortText(32)).max(20).optional(),
	note: z.string().max(1000).optional()
});

export const checkinFields = z.object({
	residentId: uuidSchema,
	at: isoDateTimeSchema,
	status: z.enum(CHECKIN_STATUSES),
	channel: z.enum(CHECKIN_CHANNELS),
	needs: z.array(shortText(32)).max(20).optional(),
	/** Channel "assisted" on a kiosk: the volunteer or worker who signed in on it to help. */
	assistedBy: uuidSchema.optional()
});

export const incidentFields = z.object({
	gridId: uuidSchema,
	householdId: uuidSchema.optional(),
	category: z.enum(INCIDENT_CATEGORIES),
	severity: z.enum(SEVERITIES),
	description: shortText(2000),
	status: z.enum(INCIDENT_STATUSES)
});

/** Insert schemas per synced table: unknown fields are refused, not silently dropped. */
export const INSERT_FIELDS = {
	households: householdFields.strict(),
	residents: residentFields.strict(),
	visits: visitFields.strict(),
	checkins: checkinFields.strict(),
	incidents: incidentFields.strict()
} as const;

/** Fields a device may change after insert; the grid and parent links are fixed. */
export const UPDATE_FIELDS = {
	households: householdFields.omit({ gridId: true }).partial().strict(),
	residents: residentFields.omit({ householdId: true }).partial().strict(),
	incidents: incidentFields
		.pick({ status: true, description: true, severity: true, category: true })
		.extend({
			/** Only with `status: "dispatched"`: the grid worker it is dispatched to. */
			assigneeId: uuidSchema,
			/** Why: kept in the incident's history with the move, never on the row. */
			note: z.string().trim().max(INCIDENT_NOTE_MAX)
		})
		.partial()
		.strict()
} as const;
export type UpdatableTable = keyof typeof UPDATE_FIELDS;

/** Tables a device pushes to: the synced tables, and `audit` (insert-only, never pulled). */
export const PUSH_TABLES = [...SYNC_TABLES, 'audit'] as const;
export type PushTable = (typeof PUSH_TABLES)[number];

export const mutationSchema = z.object({
	id: uuidSchema,
	table: z.enum(SYNC_TABLES),
	op: z.enum(MUTATION_OPS),
	rowId: uuidSchema,
	baseVersion: z.number().int().nonnegative().optional(),
	fields: z.record(z.string(), z.unknown())
});
export type Mutation = z.infer<typeof mutationSchema>;

/** A mutation as a push carries it: to a synced table, or an `audit` entry recorded offline. */
export const pushMutationSchema = mutationSchema.extend({ table: z.enum(PUSH_TABLES) });
export type PushMutation = z.infer<typeof pushMutationSchema>;

export const pushRequestSchema = z.object({
	deviceId: shortText(64),
	mutations: z.array(pushMutationSchema.passthrough()).max(1000)
});

/** "field: message" for the first issue of a failed parse: the field is named in every error. */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
	const issue = error.issues[0];
	const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
	const field = path.length ? path.join('.') : '(body)';
	return { field, message: `${field}: ${issue.message}` };
}
