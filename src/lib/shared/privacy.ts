// Purpose-bound access to personal data: which fields can be unmasked, and the reasons a person
// may give for it (each unmask is written to the audit trail with its reason).
import { z } from 'zod';
import { instantSchema } from './schemas';

export const UNMASK_FIELDS = ['idNumber', 'phone'] as const;
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

/** Audit actions: reads of unmasked data, exports, permission changes, erasure. */
export const AUDIT_ACTIONS = [
	'unmask',
	'export',
	'user_created',
	'device_revoked',
	'resident_erased',
	'duplicate_resolved'
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How long an unmasked value stays on screen. */
export const REVEAL_SECONDS = 30;

/**
 * Fields of an `audit` mutation: a device that showed a value it holds (a phone) while offline
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
