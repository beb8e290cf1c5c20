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

/** A landline: area code (3 or 4 digits from 0), a hyphen, 7 or 8 digits, an optional extension. */
export const LANDLINE_PATTERN = /^0\d{2,3}-\d{7,8}(-\d{1,6})?$/;
export const landlineSchema = z
	.string()
	.regex(LANDLINE_PATTERN, 'must be an area code and a number, e.g. 0771-1234567');

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

/** What a text field may not contain: control characters, or half of a surrogate pair. */
export type TextProblem = 'control_character' | 'lone_surrogate';

const TEXT_PROBLEM_TEXT: Record<TextProblem, string> = {
	control_character: 'must not contain control characters',
	lone_surrogate: 'must not contain invalid Unicode (a lone surrogate)'
};

/** Why `value` is not storable text, or null. Tab and newline are allowed when `multiline`. */
export function textProblem(value: string, multiline = false): TextProblem | null {
	for (let i = 0; i < value.length; i++) {
		const c = value.charCodeAt(i);
		// U+0000–U+001F and U+007F.
		if (c < 0x20 || c === 0x7f) {
			if (multiline && (c === 0x09 || c === 0x0a)) continue;
			return 'control_character';
		}
		// A high surrogate must be followed by a low one; a low one must follow a high one.
		if (c >= 0xd800 && c <= 0xdbff) {
			const next = value.charCodeAt(i + 1);
			if (!(next >= 0xdc00 && next <= 0xdfff)) return 'lone_surrogate';
			i++;
		} else if (c >= 0xdc00 && c <= 0xdfff) return 'lone_surrogate';
	}
	return null;
}

/**
 * The building block of every free-text field: a string both databases store as it is (no
 * control characters, no lone surrogates; tab and newline only when `multiline`). Checked
 * before anything trims the value, so a control character is refused wherever it stands.
 */
export const safeText = (options: { multiline?: boolean } = {}) =>
	z.string().superRefine((value, ctx) => {
		const problem = textProblem(value, options.multiline);
		if (problem)
			ctx.addIssue({ code: 'custom', message: TEXT_PROBLEM_TEXT[problem], params: { problem } });
	});

/** A one-line text field, trimmed, 1 to `max` characters. */
export const shortText = (max: number) => safeText().trim().min(1, 'must not be empty').max(max);

/** Instants a device may send: from this moment on… */
export const EARLIEST_INSTANT = '2000-01-01T00:00:00Z';
/** …up to this long after the receiver's now (clock skew). */
export const INSTANT_LEEWAY_MS = 24 * 3600_000;

/**
 * An instant (ISO 8601 with offset) from 2000-01-01T00:00Z up to `now()` + 24 h. Without `now`
 * only the earliest bound is checked: the shared field schemas leave the latest bound to the
 * receiver, which holds the clock that decides (the server's, for a push).
 */
export const instantSchema = (now?: () => Date) =>
	isoDateTimeSchema.superRefine((value, ctx) => {
		const at = Date.parse(value);
		if (Number.isNaN(at) || at < Date.parse(EARLIEST_INSTANT))
			ctx.addIssue({
				code: 'custom',
				message: `must not be before ${EARLIEST_INSTANT}`,
				params: { problem: 'too_early' }
			});
		else if (now && at > now().getTime() + INSTANT_LEEWAY_MS)
			ctx.addIssue({
				code: 'custom',
				message: 'must not be more than 24 hours ahead of now',
				params: { problem: 'too_late' }
			});
	});

/** Which field of a pushed insert holds its instant (bounded by the receiver's now). */
export const INSTANT_FIELDS = { visits: 'visitedAt', checkins: 'at', audit: 'at' } as const;

/** A calendar date YYYY-MM-DD that exists (2026-02-30 does not), from 2000-01-01 to 9999-12-31. */
export const calendarDateSchema = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')
	.refine((d) => {
		const at = new Date(`${d}T00:00:00Z`);
		return !Number.isNaN(at.getTime()) && at.toISOString().slice(0, 10) === d;
	}, 'not a real calendar date')
	.refine((d) => d >= '2000-01-01', 'must not be before 2000-01-01');

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
	/** 与户主关系 as the roster states it (户主, 配偶, 子女 …). */
	relation: shortText(16).optional(),
	/** A landline with its area code, written 0771-1234567 (landlineSchema). */
	landline: landlineSchema.optional(),
	/** 备注 of the roster. */
	note: safeText({ multiline: true }).trim().max(500).optional(),
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

/** Longest free-text answer to a template's "text" question. */
export const ANSWER_TEXT_MAX = 200;

/**
 * One answer to a check template's question (docs/check-templates.md): `residentId` for a
 * question asked per resident, none for one asked of the household. The value's type follows
 * the question's kind (yes_no: boolean, number: number, choice and text: string, choices: string
 * array); validateAnswers (templates.ts) checks it against the template version.
 */
export const answerSchema = z
	.object({
		residentId: uuidSchema.optional(),
		key: z.string().min(1, 'must not be empty').max(32),
		value: z.union([
			z.boolean(),
			z.number().finite(),
			safeText().trim().min(1, 'must not be empty').max(ANSWER_TEXT_MAX),
			z.array(shortText(40)).max(20)
		])
	})
	.strict();
export type Answer = z.infer<typeof answerSchema>;

export const visitFields = z.object({
	householdId: uuidSchema,
	visitedAt: instantSchema(),
	outcome: z.enum(VISIT_OUTCOMES),
	checks: z.array(residentCheckSchema).max(20),
	needs: z.array(shortText(32)).max(20).optional(),
	note: safeText({ multiline: true }).max(1000).optional(),
	/** The check template (and its version) the answers belong to; both or neither. */
	templateId: uuidSchema.optional(),
	templateVersion: z.number().int().min(1).optional(),
	/** Required with templateId; at most 20 members × 20 questions. */
	answers: z.array(answerSchema).max(400).optional()
});

/** A visit's template fields belong together: templateId, templateVersion and answers. */
function templateFieldsProblem(
	fields: { templateId?: string; templateVersion?: number; answers?: unknown[] },
	ctx: z.RefinementCtx
) {
	const has = (key: 'templateId' | 'templateVersion' | 'answers') => fields[key] !== undefined;
	if (has('templateId') && !has('templateVersion'))
		ctx.addIssue({
			code: 'custom',
			path: ['templateVersion'],
			message: 'required with templateId'
		});
	if (has('templateId') && !has('answers'))
		ctx.addIssue({ code: 'custom', path: ['answers'], message: 'required with templateId' });
	for (const key of ['templateVersion', 'answers'] as const)
		if (has(key) && !has('templateId'))
			ctx.addIssue({ code: 'custom', path: [key], message: 'only with templateId' });
}

export const checkinFields = z.object({
	residentId: uuidSchema,
	at: instantSchema(),
	status: z.enum(CHECKIN_STATUSES),
	channel: z.enum(CHECKIN_CHANNELS),
	needs: z.array(shortText(32)).max(20).optional(),
	/** Channel "assisted" on a kiosk: the volunteer or worker who signed in on it to help. */
	assistedBy: uuidSchema.optional()
});

export const incidentFields = z.object({
	gridId: uuidSchema,
	householdId: uuidSchema.optional(),
	/** The resident it concerns (a kiosk's help request or health alert names who asked). */
	residentId: uuidSchema.optional(),
	category: z.enum(INCIDENT_CATEGORIES),
	severity: z.enum(SEVERITIES),
	description: safeText({ multiline: true }).trim().min(1, 'must not be empty').max(2000),
	status: z.enum(INCIDENT_STATUSES)
});

/** Insert schemas per synced table: unknown fields are refused, not silently dropped. */
export const INSERT_FIELDS = {
	households: householdFields.strict(),
	residents: residentFields.strict(),
	visits: visitFields.strict().superRefine(templateFieldsProblem),
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
			note: safeText({ multiline: true }).trim().max(INCIDENT_NOTE_MAX)
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

/** What the server answers for one pushed mutation, in the order they were sent. */
export const pushResultSchema = z.discriminatedUnion('status', [
	z.object({
		id: z.string(),
		status: z.literal('applied'),
		version: z.number().int().optional().describe('The row version after an applied mutation')
	}),
	z.object({ id: z.string(), status: z.literal('duplicate') }),
	z.object({
		id: z.string(),
		status: z.literal('rejected'),
		reason: z.string().describe('Why the mutation was rejected, naming the field')
	})
]);
export type PushResult = z.infer<typeof pushResultSchema>;

/** The answer to `POST /sync/push`: one result per mutation. */
export const pushResponseSchema = z.object({ results: z.array(pushResultSchema) });

/** "field: message" for the first issue of a failed parse: the field is named in every error. */
export function describeIssue(error: z.ZodError): { field: string; message: string } {
	const issue = error.issues[0];
	const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
	const field = path.length ? path.join('.') : '(body)';
	return { field, message: `${field}: ${issue.message}` };
}
