// `audit` mutations in a push: insert-only, validated and scope-checked like any other write.
import { describeIssue, type PushMutation } from '../../src/lib/shared/schemas';
import { offlineAuditFields } from '../../src/lib/shared/privacy';
import type { RowReader } from '../store/rows';
import type { NewAuditEntry, UserRow } from '../store/types';
import { canUnmask } from './access';

/** The audit entry an `audit` mutation records, or the reason it is rejected (naming the field). */
export async function offlineAuditEntry(
	tx: RowReader,
	user: UserRow,
	deviceId: string,
	m: PushMutation
): Promise<NewAuditEntry | string> {
	if (m.op !== 'insert') return 'op: audit entries can only be inserted';
	const parsed = offlineAuditFields.safeParse(m.fields);
	if (!parsed.success) return `fields.${describeIssue(parsed.error).message}`;
	const f = parsed.data;
	const resident = await tx.getRow('residents', f.residentId);
	if (!resident) return 'fields.residentId: no such resident';
	const communityCode = await tx.gridCommunity(resident.gridId);
	if (!communityCode || !canUnmask(user, { id: resident.gridId, communityCode }))
		return "fields.residentId: only the resident's grid worker or community head";
	return {
		userId: user.id,
		role: user.role,
		action: 'unmask',
		subjectType: 'resident',
		subjectId: f.residentId,
		communityCode,
		reason: f.reason,
		deviceId,
		details: { field: f.field, offline: true, shownAt: f.at, entryId: m.rowId }
	};
}
