// Calls of the privacy routes from the app: unmask one field, the audit trail, duplicate flags.
import { z } from 'zod';
import { apiRequest } from '$lib/app/api';
import {
	auditTrailSchema,
	type AuditEntry,
	type ResolveAction,
	type UnmaskField,
	type UnmaskReason
} from '$lib/shared/privacy';

export type { AuditEntry };

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

export function auditEntries(token: string | null, limit = 200): Promise<AuditEntry[]> {
	return apiRequest(`/audit?limit=${limit}`, auditTrailSchema, { token }).then(
		(answer) => answer.entries
	);
}

export const duplicateFlagSchema = z.object({
	id: z.string(),
	communityCode: z.string(),
	raisedAt: z.string(),
	resolvedAt: z.string().nullable(),
	resolution: z.string().nullable(),
	note: z.string().nullable(),
	residents: z.array(
		z.object({
			id: z.string(),
			name: z.string(),
			idNumberMasked: z.string().nullable(),
			householdId: z.string(),
			gridId: z.string(),
			gridName: z.string().nullable(),
			address: z.string().nullable(),
			householdMembers: z.number().nullable(),
			registeredAt: z.string(),
			inYourCommunity: z.boolean()
		})
	)
});
export type DuplicateFlag = z.infer<typeof duplicateFlagSchema>;

export function duplicateFlags(token: string | null): Promise<DuplicateFlag[]> {
	return apiRequest('/duplicates', z.object({ flags: z.array(duplicateFlagSchema) }), {
		token
	}).then((answer) => answer.flags);
}

export function resolveDuplicate(
	id: string,
	action: ResolveAction,
	note: string,
	token: string | null
): Promise<void> {
	return apiRequest(
		`/duplicates/${encodeURIComponent(id)}/resolve`,
		z.object({ resolved: z.literal(true) }),
		{ method: 'POST', body: { action, ...(note.trim() ? { note: note.trim() } : {}) }, token }
	).then(() => undefined);
}
