// The incident closed loop: 上报 → 受理 → 派遣 → 处置 → 办结 → 核查 → 结案, and who may make each
// move. The table below is the only statement of these rules: the server applies it to a move
// made online (POST /incidents/:id/transition) and to one arriving by sync push alike, and the
// app offers exactly the moves it allows (docs/security.md).
import type { IncidentStatus, Role, Severity } from '../shared/enums';

/**
 * Who makes a move, relative to the incident:
 * - `head`: the incident's community head (or an administrator over the community);
 * - `assignee`: the person the incident is assigned to (the dispatched grid worker, or the head
 *   who took it on directly).
 * Escalation is not a move: only the server raises an incident's level.
 */
export type IncidentActor = 'head' | 'assignee';

export interface IncidentMove {
	from: IncidentStatus;
	to: IncidentStatus;
	by: readonly IncidentActor[];
	/** `assigneeId`: a grid worker of the incident's grid; `note`: why (kept in the history). */
	requires?: readonly ('assigneeId' | 'note')[];
}

export const INCIDENT_MOVES: readonly IncidentMove[] = [
	{ from: 'reported', to: 'accepted', by: ['head'] },
	{ from: 'accepted', to: 'dispatched', by: ['head'], requires: ['assigneeId'] },
	// The head handles it directly and becomes its assignee.
	{ from: 'accepted', to: 'in_progress', by: ['head'] },
	{ from: 'dispatched', to: 'in_progress', by: ['assignee'] },
	{ from: 'in_progress', to: 'resolved', by: ['assignee'] },
	// Sent back after a failed verification: the reason is required.
	{ from: 'resolved', to: 'in_progress', by: ['head'], requires: ['note'] },
	{ from: 'resolved', to: 'verified', by: ['head'] },
	{ from: 'verified', to: 'closed', by: ['head'] }
];

/** Legal next states, whoever moves. */
export const NEXT_STATUSES: Record<IncidentStatus, readonly IncidentStatus[]> = {
	reported: nextOf('reported'),
	accepted: nextOf('accepted'),
	dispatched: nextOf('dispatched'),
	in_progress: nextOf('in_progress'),
	resolved: nextOf('resolved'),
	verified: nextOf('verified'),
	closed: nextOf('closed')
};

function nextOf(from: IncidentStatus): IncidentStatus[] {
	return INCIDENT_MOVES.filter((m) => m.from === from).map((m) => m.to);
}

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
	return NEXT_STATUSES[from].includes(to);
}

/** The longest note a move (or the incident's history) keeps. */
export const INCIDENT_NOTE_MAX = 500;

/** A user as the rules see them; whether they may write the incident's grid at all is checked first. */
export interface IncidentUser {
	id: string;
	role: Role;
}

/** The incident fields the rules read. */
export interface IncidentState {
	status: IncidentStatus;
	assigneeId: string | null;
	reportedBy: string;
}

/** The roles that act as the head of the incident's community (their scope is checked by the server). */
const HEAD_ROLES: ReadonlySet<Role> = new Set(['community_head', 'admin']);

/** The parts `user` plays for `incident`. */
export function actorsOf(
	user: IncidentUser,
	incident: Pick<IncidentState, 'assigneeId'>
): Set<IncidentActor> {
	const actors = new Set<IncidentActor>();
	if (HEAD_ROLES.has(user.role)) actors.add('head');
	if (incident.assigneeId !== null && incident.assigneeId === user.id) actors.add('assignee');
	return actors;
}

/** The moves `user` may make on `incident` now: what the app offers as buttons. */
export function allowedMoves(
	user: IncidentUser,
	incident: Pick<IncidentState, 'status' | 'assigneeId'>
): IncidentMove[] {
	const actors = actorsOf(user, incident);
	return INCIDENT_MOVES.filter(
		(m) => m.from === incident.status && m.by.some((actor) => actors.has(actor))
	);
}

/** A refused move: `illegal` (no such step), `forbidden` (not this user's step), `invalid` (input). */
export interface MoveDenial {
	kind: 'illegal' | 'forbidden' | 'invalid';
	field: string;
	message: string;
}

/** The grid worker named by a dispatch, as the server found them (null: no such user). */
export interface AssigneeCandidate {
	role: Role;
	scope: readonly string[];
	disabled: boolean;
}

/**
 * Why `user` may not move `incident` to `to`, or null when the move is allowed. `assignee` is
 * the user named by `assigneeId` (looked up by the caller).
 */
export function moveDenial(
	user: IncidentUser,
	incident: IncidentState & { gridId: string },
	change: { to: IncidentStatus; assigneeId?: string; note?: string },
	assignee: AssigneeCandidate | null
): MoveDenial | null {
	const { status: from } = incident;
	const { to } = change;
	const move = INCIDENT_MOVES.find((m) => m.from === from && m.to === to);
	if (!move)
		return { kind: 'illegal', field: 'status', message: `cannot go from "${from}" to "${to}"` };
	const actors = actorsOf(user, incident);
	if (!move.by.some((actor) => actors.has(actor)))
		return {
			kind: 'forbidden',
			field: 'status',
			message: `"${from}" → "${to}" is made by ${move.by.map(actorWords).join(' or ')}`
		};
	const requires = move.requires ?? [];
	if (change.assigneeId !== undefined && !requires.includes('assigneeId'))
		return { kind: 'invalid', field: 'assigneeId', message: 'set only when dispatching' };
	if (requires.includes('assigneeId')) {
		if (!change.assigneeId)
			return { kind: 'invalid', field: 'assigneeId', message: 'required to dispatch' };
		if (
			!assignee ||
			assignee.disabled ||
			assignee.role !== 'grid_worker' ||
			!assignee.scope.includes(incident.gridId)
		)
			return {
				kind: 'invalid',
				field: 'assigneeId',
				message: "not a grid worker of the incident's grid"
			};
	}
	if (requires.includes('note') && !change.note?.trim())
		return { kind: 'invalid', field: 'note', message: 'a reason is required to send it back' };
	return null;
}

/** The assignee an allowed move leaves on the incident (unchanged when undefined). */
export function assigneeAfter(
	user: IncidentUser,
	incident: IncidentState,
	change: { to: IncidentStatus; assigneeId?: string }
): string | undefined {
	if (change.to === 'dispatched') return change.assigneeId;
	// accepted → in_progress is the head taking it on directly.
	if (incident.status === 'accepted' && change.to === 'in_progress') return user.id;
	return undefined;
}

/** The incident's content: what it is about, how urgent, what happened. */
export const INCIDENT_CONTENT_FIELDS = ['category', 'severity', 'description'] as const;

/**
 * Why `user` may not change the incident's content (category, severity, description), or null:
 * its reporter may until it is accepted, then its head.
 */
export function contentEditDenial(user: IncidentUser, incident: IncidentState): string | null {
	if (actorsOf(user, incident).has('head')) return null;
	if (user.id === incident.reportedBy) {
		return incident.status === 'reported'
			? null
			: 'the reporter may change it only until it is accepted; ask the community head';
	}
	return 'only its reporter (until it is accepted) or the community head may change it';
}

function actorWords(actor: IncidentActor): string {
	return actor === 'head' ? 'the community head' : 'the assigned person';
}

/** Time allowed to close an incident, by severity. */
export const DUE_HOURS: Record<Severity, number> = { urgent: 2, high: 24, medium: 72, low: 168 };

export function dueAt(createdAt: Date, severity: Severity): Date {
	return new Date(createdAt.getTime() + DUE_HOURS[severity] * 3600_000);
}

/** Handled (办结): resolved by its assignee, and then verified and closed by the head. */
export const HANDLED_STATUSES = ['resolved', 'verified', 'closed'] as const;
export type HandledStatus = (typeof HANDLED_STATUSES)[number];

/** Whether the incident has been handled: the resident who asked hears back. */
export function isHandled(status: IncidentStatus): status is HandledStatus {
	return (HANDLED_STATUSES as readonly IncidentStatus[]).includes(status);
}

/**
 * The seeds' words for where an incident stands, as its reporter reads it: 上报 (reported), 受理
 * (accepted or dispatched), 处置 (in progress), 办结 (handled, above).
 */
export type IncidentStage = 'reported' | 'accepted' | 'handling' | 'done';

export function stageOf(status: IncidentStatus): IncidentStage {
	if (isHandled(status)) return 'done';
	if (status === 'in_progress') return 'handling';
	return status === 'reported' ? 'reported' : 'accepted';
}
