// The incident queue of the supervisors' screens: a community's incidents in full for who runs
// it, and above the community, incidents escalated into an officer's subtree without personal
// data (docs/security.md). The rows are what the API answers.
import { forbidden, notFound } from '../api-error';
import { lookupNode, runsCommunity } from '../auth/nodes';
import type { IncidentRow } from '../store/supervision';
import type { Store, UserRow } from '../store/types';
import { escalatedToOfficer, incidentView, OFFICER_ROLES } from './access';
import { SYSTEM_ACTOR } from './incidents';

export interface QueueIncident {
	id: string;
	category: string;
	severity: string;
	status: string;
	dueAt: string;
	escalatedTo: string | null;
	communityCode: string;
	communityName: string;
	gridId: string;
	gridName: string;
	createdAt: string;
	// Community level only: personal data never leaves the community.
	description?: string;
	householdId?: string | null;
	address?: string | null;
	assigneeId?: string | null;
	assignee?: string | null;
	reporter?: string;
	version?: number;
}

export interface QueueTransition {
	from: string | null;
	to: string;
	who: string;
	note: string | null;
	at: string;
}

/** Rows of a queue: full for the community's own people, counts-safe above it. */
async function queueRows(
	store: Store,
	rows: IncidentRow[],
	full: boolean
): Promise<QueueIncident[]> {
	const sup = store.supervision();
	const grids = await sup.namesOf(
		'grids',
		rows.map((r) => r.gridId)
	);
	const communities = await sup.namesOf(
		'divisions',
		rows.map((r) => r.communityCode)
	);
	const addresses = full
		? await sup.addressesOf(rows.flatMap((r) => (r.householdId ? [r.householdId] : [])))
		: new Map<string, string>();
	const users = full
		? await sup.usernamesOf(
				rows.flatMap((r) => [r.reportedBy, ...(r.assigneeId ? [r.assigneeId] : [])])
			)
		: new Map<string, string>();
	return rows.map((r) => ({
		id: r.id,
		category: r.category,
		severity: r.severity,
		status: r.status,
		dueAt: r.dueAt.toISOString(),
		escalatedTo: r.escalatedTo,
		communityCode: r.communityCode,
		communityName: communities.get(r.communityCode) ?? '',
		gridId: r.gridId,
		gridName: grids.get(r.gridId) ?? '',
		createdAt: r.createdAt.toISOString(),
		...(full
			? {
					description: r.description,
					householdId: r.householdId,
					address: r.householdId ? (addresses.get(r.householdId) ?? null) : null,
					assigneeId: r.assigneeId,
					assignee: r.assigneeId ? (users.get(r.assigneeId) ?? null) : null,
					reporter: users.get(r.reportedBy) ?? r.reportedBy,
					version: r.version
				}
			: {})
	}));
}

/**
 * A community's incident queue (`code` of 12 digits) for who runs it, or the incidents of a
 * subtree escalated into an officer's scope; newest first, open ones only unless `all`.
 */
export async function incidentQueue(
	store: Store,
	user: UserRow,
	code: string,
	all: boolean
): Promise<QueueIncident[]> {
	await lookupNode(store, user, code);
	const sup = store.supervision();
	if (code.length === 12 && runsCommunity(user, code))
		return queueRows(store, await sup.incidentsOf(code, all), true);
	if (!OFFICER_ROLES.has(user.role))
		throw forbidden('code', 'incident queues are for community heads and officers');
	const rows = (await sup.incidentsOf(code, all)).filter((r) => escalatedToOfficer(user, r));
	return queueRows(store, rows, false);
}

/** One incident with its history of transitions, as the user may see it. */
export async function incidentDetail(
	store: Store,
	user: UserRow,
	id: string
): Promise<QueueIncident & { transitions: QueueTransition[] }> {
	const sup = store.supervision();
	const row = await sup.getIncident(id);
	if (!row) throw notFound('id', 'no such incident');
	const view = incidentView(user, row);
	if (!view) throw forbidden('id', 'outside your scope');
	const full = view === 'full';
	const [json] = await queueRows(store, [row], full);
	const transitions = await sup.transitionsOf(id);
	const names = full
		? await sup.usernamesOf(transitions.map((t) => t.actorId))
		: new Map<string, string>();
	return {
		...json,
		transitions: transitions.map((t) => ({
			from: t.fromStatus,
			to: t.toStatus,
			// Above the community: the role of the step, not who (names are personal data).
			who: full
				? (names.get(t.actorId) ?? t.actorId)
				: t.actorId === SYSTEM_ACTOR
					? SYSTEM_ACTOR
					: 'community',
			note: full || t.actorId === SYSTEM_ACTOR ? t.note : null,
			at: t.at.toISOString()
		}))
	};
}
