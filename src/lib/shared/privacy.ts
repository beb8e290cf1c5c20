// Purpose-bound access to personal data: which fields can be unmasked, and the reasons a person
// may give for it (each unmask is written to the audit trail with its reason).
import { z } from 'zod';
import { instantSchema } from './schemas';

export const UNMASK_FIELDS = ['idNumber', 'phone', 'landline'] as const;
export type UnmaskField = (typeof UNMASK_FIELDS)[number];

/** 入户核实 / 联系本人 / 紧急救助 / 上级核查 */
export const UNMASK_REASONS = [
	'home_visit_check',
	'contact_resident',
	'emergency_aid',
	'supervisor_review'
] as const;
export type UnmaskReason = (typeof UNMASK_REASONS)[number];

export const unmaskRequestSchema = z
	.object({ field: z.enum(UNMASK_FIELDS), reason: z.enum(UNMASK_REASONS) })
	.strict();

export const DUPLICATE_ACTIONS = ['merged', 'corrected', 'not_duplicate'] as const;
export type DuplicateAction = (typeof DUPLICATE_ACTIONS)[number];

/**
 * What a head may close a flag with now: the wrong registration corrected (edited or erased in
 * the ordinary way), or not the same person. "merged" is read on flags closed earlier but not
 * taken any more: closing a flag does not fold one resident's records into the other's, and the
 * flag must not say it did.
 */
export const RESOLVE_ACTIONS = [
	'corrected',
	'not_duplicate'
] as const satisfies readonly DuplicateAction[];
export type ResolveAction = (typeof RESOLVE_ACTIONS)[number];

/**
 * Audit actions: reads of unmasked data, exports, permission changes, erasure, resolving
 * duplicates, enrolling a kiosk and changing a community's alert settings.
 */
export const AUDIT_ACTIONS = [
	'unmask',
	'export',
	'user_created',
	'device_revoked',
	'resident_erased',
	'duplicate_resolved',
	'kiosk.enrol',
	'settings',
	/** A roster import committed (server/routes/imports.ts). */
	'import',
	/** A kiosk retired from the administration screens (server/routes/manage-devices.ts). */
	'kiosk_retired',
	/** A province's division tree imported from the app (server/routes/division-import.ts). */
	'divisions_imported',
	/** People's administration (server/routes/users.ts, docs/administration.md). */
	'user_updated',
	'user_disabled',
	'user_enabled',
	'password_reset',
	/** Grid administration (server/routes/grids.ts). */
	'grid_created',
	'grid_updated',
	'grid_retired',
	'grid_restored',
	/** Households moved to another grid (server/routes/households.ts). */
	'households_moved',
	/** Check templates made and changed (server/routes/templates.ts, docs/check-templates.md). */
	'template_create',
	'template_update'
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * An entry of the audit trail as `GET /audit` answers it. `action` stays a plain string so that
 * the app shows an entry of an action it does not know yet instead of refusing the whole list.
 */
export const auditEntrySchema = z.object({
	id: z.string(),
	at: z.string(),
	userId: z.string(),
	role: z.string(),
	/** Who acted, by name: only the community's own people, for who runs the community. */
	actorName: z.string().nullable().optional(),
	action: z.string(),
	subjectType: z.string(),
	subjectId: z.string(),
	/** The name of the division, grid, resident or user the entry is about, when it may be shown. */
	subjectName: z.string().nullable().optional(),
	/** The role of a user the entry is about. */
	subjectRole: z.string().nullable().optional(),
	communityCode: z.string().nullable(),
	communityName: z.string().nullable().optional(),
	reason: z.string().nullable(),
	deviceId: z.string().nullable(),
	details: z.record(z.string(), z.unknown()).nullable()
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/** The answer to `GET /audit`: entries, newest first. */
export const auditTrailSchema = z.object({ entries: z.array(auditEntrySchema) });

/** How long an unmasked value stays on screen. */
export const REVEAL_SECONDS = 30;

/**
 * Fields of an `audit` mutation: a device that showed a value it holds (a phone, a landline) while offline
 * records the access, and the entry reaches the server with its next push.
 */
export const offlineAuditFields = z
	.object({
		residentId: z.string().uuid(),
		field: z.enum(UNMASK_FIELDS),
		reason: z.enum(UNMASK_REASONS),
		at: instantSchema()
	})
	.strict();
export type OfflineAuditFields = z.infer<typeof offlineAuditFields>;
