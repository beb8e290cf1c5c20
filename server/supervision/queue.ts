// The incident queue of the supervisors' screens: a community's incidents in full for who runs
// it, and above the community, incidents escalated into an officer's subtree without personal
// data (docs/security.md). The rows are what the API answers.
import { forbidden, notFound } from '../api-error';
import { lookupNode, runsCommunity } from '../auth/nodes';
import type { IncidentRow } from '../store/supervision';
import type { Store, UserRow } from '../store/types';
import { ROLE_LEVEL, type NodeLevel, type Role } from '../../src/lib/shared/enums';
import { escalatedToOfficer, incidentView, OFFICER_ROLES } from './access';
import { SYSTEM_ACTOR } from './incidents';
import { shownName, type Person } from '../auth/people';

export interface QueueIncident {
	id: string;
	category: string;
	severity: string;
	status: string;
	dueAt: string;
	escalatedTo: string | null;
	/** The name of the division that holds an escalated incident. */
	escalatedToName: string | null;
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
	reporter?: string | null;
	version?: number;
}

export interface QueueTransition {
	from: string | null;
	to: string;
	/** The person's name: only inside the community, and only for its own people. */
	who: string | null;
	/** Who made the move: a role, or `system` (escalation). */
	role: Role | 'system';
	/** The level the role works at (null for administrators and the system). */
	level: NodeLevel | null;
	note: string | null;
	at: string;
}

function levelOfRole(role: Role): NodeLevel | null {
	return role === 'grid_worker' ? 'grid' : (ROLE_LEVEL[role] ?? null);
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
	const divisions = await sup.namesOf('divisions', [
		...rows.map((r) => r.communityCode),
		...rows.flatMap((r) => (r.escalatedTo ? [r.escalatedTo] : []))
	]);
	const addresses = full
		? await sup.addressesOf(rows.flatMap((r) => (r.householdId ? [r.householdId] : [])))
		: new Map<string, string>();
	const people = full
		? await sup.peopleOf(
				rows.flatMap((r) => [r.reportedBy, ...(r.assigneeId ? [r.assigneeId] : [])])
			)
		: new Map<string, Person>();
	const nameOf = (id: string) => shownName(people.get(id), full);
	return rows.map((r) => ({
		id: r.id,
		category: r.category,
		severity: r.severity,
		status: r.status,
		dueAt: r.dueAt.toISOString(),
		escalatedTo: r.escalatedTo,
		escalatedToName: r.escalatedTo ? (divisions.get(r.escalatedTo) ?? null) : null,
		communityCode: r.communityCode,
		communityName: divisions.get(r.communityCode) ?? '',
		gridId: r.gridId,
		gridName: grids.get(r.gridId) ?? '',
		createdAt: r.createdAt.toISOString(),
		...(full
			? {
					description: r.description,
					householdId: r.householdId,
					address: r.householdId ? (addresses.get(r.householdId) ?? null) : null,
					assigneeId: r.assigneeId,
					assignee: r.assigneeId ? nameOf(r.assigneeId) : null,
					reporter: nameOf(r.reportedBy),
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
	const people = await sup.peopleOf(
		transitions.flatMap((t) => (t.actorId === SYSTEM_ACTOR ? [] : [t.actorId]))
	);
	return {
		...json,
		transitions: transitions.map((t) => {
			const person = people.get(t.actorId);
			const role = person ? (person.role as Role) : null;
			return {
				from: t.fromStatus,
				to: t.toStatus,
				// Inside the community its own people are named; above it, and for officers and
				// administrators, the role and level only (names are personal data).
				who: shownName(person, full),
				role: role ?? 'system',
				level: role ? levelOfRole(role) : null,
				note: full || t.actorId === SYSTEM_ACTOR ? t.note : null,
				at: t.at.toISOString()
			};
		})
	};
}
