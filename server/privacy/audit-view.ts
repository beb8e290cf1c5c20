// The audit trail as a person reads it: each entry with the names of its community and subject
// and, inside the community, of who acted (auth/people.ts); codes and ids stay as they are.
import { runsCommunity } from '../auth/nodes';
import { shownName } from '../auth/people';
import type { AuditEntryRow, Store, UserRow } from '../store/types';

export interface AuditEntryView {
	id: string;
	at: string;
	userId: string;
	role: string;
	/** Who acted, by name: one of the community's own people, for who runs the community. */
	actorName: string | null;
	action: string;
	subjectType: string;
	subjectId: string;
	/** A division's or grid's name, a resident's or user's name (same rule as actorName). */
	subjectName: string | null;
	/** The role of a user the entry is about (a user created, a kiosk enrolled). */
	subjectRole: string | null;
	communityCode: string | null;
	communityName: string | null;
	reason: string | null;
	deviceId: string | null;
	details: Record<string, unknown> | null;
}

const DIVISION_SUBJECTS = new Set(['community', 'community_summary']);

export async function auditView(
	store: Store,
	viewer: UserRow,
	rows: AuditEntryRow[]
): Promise<AuditEntryView[]> {
	const sup = store.supervision();
	const inside = (row: AuditEntryRow) =>
		row.communityCode !== null && runsCommunity(viewer, row.communityCode);
	const people = await sup.peopleOf([
		...rows.map((r) => r.userId),
		...rows.filter((r) => r.subjectType === 'user').map((r) => r.subjectId)
	]);
	const divisions = await sup.namesOf('divisions', [
		...rows.flatMap((r) => (r.communityCode ? [r.communityCode] : [])),
		...rows.filter((r) => DIVISION_SUBJECTS.has(r.subjectType)).map((r) => r.subjectId)
	]);
	const grids = await sup.namesOf(
		'grids',
		rows.filter((r) => r.subjectType === 'grid').map((r) => r.subjectId)
	);
	const residents = new Map<string, string | null>();
	for (const r of rows)
		if (r.subjectType === 'resident' && inside(r) && !residents.has(r.subjectId)) {
			const resident = await store.getResident(r.subjectId);
			residents.set(r.subjectId, resident && !resident.deleted ? resident.name : null);
		}
	return rows.map((r) => {
		const subjectName = DIVISION_SUBJECTS.has(r.subjectType)
			? (divisions.get(r.subjectId) ?? null)
			: r.subjectType === 'grid'
				? (grids.get(r.subjectId) ?? null)
				: r.subjectType === 'user'
					? shownName(people.get(r.subjectId), inside(r))
					: r.subjectType === 'resident'
						? (residents.get(r.subjectId) ?? null)
						: null;
		return {
			id: r.id,
			at: r.at.toISOString(),
			userId: r.userId,
			role: r.role,
			actorName: shownName(people.get(r.userId), inside(r)),
			action: r.action,
			subjectType: r.subjectType,
			subjectId: r.subjectId,
			subjectName,
			subjectRole: r.subjectType === 'user' ? (people.get(r.subjectId)?.role ?? null) : null,
			communityCode: r.communityCode,
			communityName: r.communityCode ? (divisions.get(r.communityCode) ?? null) : null,
			reason: r.reason,
			deviceId: r.deviceId,
			details: (r.details as Record<string, unknown> | null) ?? null
		};
	});
}
