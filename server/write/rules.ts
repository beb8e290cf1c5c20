// Who may write what: the one table of rules every change to a synced row is checked against,
// whether it arrives by push or through an online route (docs/architecture.md, "The write
// path"). Role × table decides the grid a user may write; the incident moves are the closed
// loop's table in src/lib/domain/incident.ts, which the app also reads to offer its buttons.
import type { IncidentCategory, IncidentStatus, SyncTable } from '../../src/lib/shared/enums';
import {
	assigneeAfter,
	contentEditDenial,
	INCIDENT_CONTENT_FIELDS,
	moveDenial,
	type MoveDenial
} from '../../src/lib/domain/incident';
import { canSeeDivision } from '../auth/scope';
import { headsCommunity } from '../privacy/access';
import type { SyncRows, UserRow } from '../store/rows';
import { refuse, type RefusalKind } from './refusal';

/** Who writes: a signed-in user, or the server itself (escalation, retention, seed, import). */
export type Actor = UserRow | SystemActor;
export interface SystemActor {
	readonly id: 'system';
	readonly role: 'system';
}
/** The server's own writes; its id is the actor of their history entries. */
export const SYSTEM: SystemActor = { id: 'system', role: 'system' };

export interface Grid {
	id: string;
	communityCode: string;
	/** A retired grid takes no writes (docs/administration.md, "Grids"). */
	retired?: boolean;
}

/** Incidents a kiosk may raise for a resident at check-in: a help request, or feeling unwell. */
export const KIOSK_INCIDENT_CATEGORIES: readonly IncidentCategory[] = ['help_request', 'health'];

/** Roles that may check a resident in on their behalf at a kiosk. */
const ASSISTING_ROLES: ReadonlySet<UserRow['role']> = new Set([
	'volunteer',
	'grid_worker',
	'community_head'
]);

/**
 * Reason a user may not write `table` in a grid, or null when allowed. `newIncident` is the
 * category of an incident being inserted; updates of incidents pass none.
 */
export function writeDenial(
	user: UserRow,
	grid: Grid,
	table: SyncTable,
	newIncident?: IncidentCategory
): string | null {
	const denial = roleDenial(user, grid, table, newIncident);
	// Only an empty grid is retired: nothing in it is left to change, and nothing new comes in.
	if (!denial && grid.retired) return 'gridId: the grid has been retired';
	return denial;
}

function roleDenial(
	user: UserRow,
	grid: Grid,
	table: SyncTable,
	newIncident?: IncidentCategory
): string | null {
	switch (user.role) {
		case 'grid_worker':
			return user.scope.includes(grid.id) ? null : 'gridId: grid is outside your scope';
		case 'community_head':
		case 'admin':
			return canSeeDivision(user, grid.communityCode) ? null : 'gridId: grid is outside your scope';
		case 'street_officer':
			// The roster import (docs/imports.md): a street office brings in its communities'
			// households and residents; everything else in a grid stays with the community.
			if (table !== 'households' && table !== 'residents')
				return `table: a street_officer may only import households and residents`;
			return canSeeDivision(user, grid.communityCode) ? null : 'gridId: grid is outside your scope';
		case 'kiosk':
		case 'volunteer': {
			// Check-ins, and the help request or health alert a check-in raises; nothing else.
			const allowed =
				table === 'checkins' ||
				(table === 'incidents' &&
					newIncident !== undefined &&
					KIOSK_INCIDENT_CATEGORIES.includes(newIncident));
			if (!allowed)
				return `table: a ${user.role} may only record check-ins and the help requests they raise`;
			return canSeeDivision(user, grid.communityCode) ? null : 'gridId: grid is outside your scope';
		}
		default:
			return `role: ${user.role} sees counts only and cannot change grid data`;
	}
}

/** Refuse unless the actor may write `table` in the grid (the server itself always may). */
export function requireWritable(
	actor: Actor,
	grid: Grid,
	table: SyncTable,
	newIncident?: IncidentCategory
): void {
	if (actor.role === 'system') return;
	const denial = writeDenial(actor, grid, table, newIncident);
	if (denial) refuse(denial, 'forbidden');
}

/**
 * Moving a household to another grid (docs/administration.md, "Moving households and changing
 * scopes"): allowed only to a user who may write households in both grids, so a worker moves
 * between their own grids, a community head within their community, and a street officer or an
 * administrator across the communities their scope covers. Kiosks, volunteers and count-only
 * roles never move households.
 */
export function requireMovable(actor: Actor, from: Grid, to: Grid): void {
	if (actor.role === 'system') return;
	const fromDenial = writeDenial(actor, from, 'households');
	if (fromDenial?.startsWith('gridId:'))
		refuse("householdIds: the household's grid is outside your scope", 'forbidden');
	if (fromDenial) refuse(fromDenial, 'forbidden');
	if (writeDenial(actor, to, 'households'))
		refuse('toGridId: grid is outside your scope', 'forbidden');
}

/** Removing a household or a resident is the community head's decision; incidents close instead. */
export function requireDeletable(actor: Actor, table: SyncTable): void {
	if (table === 'incidents') refuse('op: incidents are closed through their status, not deleted');
	if (actor.role !== 'community_head' && actor.role !== 'system')
		refuse(`op: only the community head deletes ${table}`, 'forbidden');
}

/** Erasing a resident's personal data: the head of the resident's community. */
export function requireErasable(actor: Actor, grid: Grid): void {
	if (actor.role !== 'system' && !headsCommunity(actor, grid.communityCode))
		refuse("id: only the head of the resident's community", 'forbidden');
}

/**
 * Who assisted a check-in: for a person's own device the recorder; on a kiosk the volunteer or
 * worker who signed in on it (`helper`, the user `assistedBy` names), who must be allowed to
 * record check-ins in the resident's grid. The channel must match who records it.
 */
export function checkinAssistant(
	actor: Actor,
	f: { channel: string; assistedBy?: string },
	grid: Grid,
	helper: UserRow | null
): string | null {
	const role = actor.role;
	if (f.channel === 'kiosk' && role !== 'kiosk')
		refuse('fields.channel: only a kiosk records a "kiosk" check-in');
	if (f.channel === 'worker' && (role === 'kiosk' || role === 'volunteer'))
		refuse(
			`fields.channel: a ${role} records "${role === 'kiosk' ? 'kiosk' : 'assisted'}" check-ins`
		);
	if (f.channel !== 'assisted') {
		if (f.assistedBy) refuse('fields.assistedBy: only an "assisted" check-in names a helper');
		return null;
	}
	if (role !== 'kiosk') {
		if (f.assistedBy && f.assistedBy !== actor.id)
			refuse('fields.assistedBy: only a kiosk records a check-in assisted by someone else');
		return actor.id;
	}
	if (!f.assistedBy) return refuse('fields.assistedBy: required for an assisted check-in');
	if (
		!helper ||
		helper.disabled ||
		!ASSISTING_ROLES.has(helper.role) ||
		writeDenial(helper, grid, 'checkins') !== null
	)
		refuse(
			"fields.assistedBy: not a volunteer of this resident's community or a worker of the resident's grid"
		);
	return f.assistedBy;
}

/** An incident move that passed the rules: the new status, the assignee after it, the note. */
export interface IncidentMove {
	to: IncidentStatus;
	assigneeId?: string | null;
	note?: string;
}

const DENIAL_KIND: Record<MoveDenial['kind'], RefusalKind> = {
	illegal: 'illegal',
	forbidden: 'forbidden',
	invalid: 'invalid'
};

/**
 * Check an incident update against the closed loop's rules and take the move's parts that are
 * not row fields out of `fields`: the note goes to the history, the assignee follows the move.
 * `assignee` is the user `fields.assigneeId` names. Returns the move, or null when the update
 * changes no status.
 */
export function incidentChange(
	actor: Actor,
	row: SyncRows['incidents'],
	fields: Record<string, unknown>,
	assignee: UserRow | null
): IncidentMove | null {
	const incident = {
		status: row.status as IncidentStatus,
		assigneeId: row.assigneeId,
		reportedBy: row.reportedBy,
		gridId: row.gridId
	};
	const { note, assigneeId } = fields as { note?: string; assigneeId?: string };
	delete fields.note;
	delete fields.assigneeId;
	if (actor.role === 'system') refuse('fields.status: incidents are moved by people');
	for (const field of INCIDENT_CONTENT_FIELDS)
		if (field in fields) {
			const denial = contentEditDenial(actor, incident);
			if (denial) refuse(`fields.${field}: ${denial}`, 'forbidden');
		}
	const to = fields.status as IncidentStatus | undefined;
	if (to === undefined) {
		if (note !== undefined) refuse('fields.note: a note goes with a change of status');
		if (assigneeId !== undefined) refuse('fields.assigneeId: set only when dispatching');
		return null;
	}
	const change = { to, assigneeId, note };
	const denial = moveDenial(actor, incident, change, assignee);
	if (denial) refuse(`fields.${denial.field}: ${denial.message}`, DENIAL_KIND[denial.kind]);
	return {
		to,
		assigneeId: assigneeAfter(actor, incident, change),
		note: note?.trim() || undefined
	};
}
