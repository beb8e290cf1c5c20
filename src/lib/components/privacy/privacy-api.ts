// Calls of the privacy routes from the app: unmask one field, read the audit trail.
import { z } from 'zod';
import { apiRequest } from '$lib/client/api';
import type { UnmaskField, UnmaskReason } from '$lib/shared/privacy';

const unmaskAnswer = z.object({ value: z.string() });

export function unmask(
	residentId: string,
	field: UnmaskField,
	reason: UnmaskReason,
	token: string | null
): Promise<string> {
	return apiRequest(`/residents/${encodeURIComponent(residentId)}/unmask`, unmaskAnswer, {
		method: 'POST',
		body: { field, reason },
		token
	}).then((answer) => answer.value);
}

export const auditEntrySchema = z.object({
	id: z.string(),
	at: z.string(),
	userId: z.string(),
	role: z.string(),
	action: z.string(),
	subjectType: z.string(),
	subjectId: z.string(),
	communityCode: z.string().nullable(),
	reason: z.string().nullable(),
	deviceId: z.string().nullable(),
	details: z.record(z.string(), z.unknown()).nullable()
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export function auditEntries(token: string | null, limit = 200): Promise<AuditEntry[]> {
	return apiRequest(`/audit?limit=${limit}`, z.object({ entries: z.array(auditEntrySchema) }), {
		token
	}).then((answer) => answer.entries);
}
