// Who sees and does what in supervision, besides the write rules every change meets
// (server/write/rules.ts): starting rounds, seeing incidents (in full inside the community,
// counts-safe above it once escalated), acknowledging alerts (docs/security.md, "Who sees and
// supervises what").
import type { Role } from '../../src/lib/shared/enums';
import { runsCommunity } from '../auth/nodes';
import { canSeeDivision } from '../auth/scope';
import type { AlertRow, IncidentRow } from '../store/supervision';
import type { UserRow } from '../store/types';

/** Officers above the community: they see counts, and incidents escalated to their level. */
export const OFFICER_ROLES: ReadonlySet<Role> = new Set([
	'street_officer',
	'county_officer',
	'city_officer',
	'province_officer'
]);

/** Who may start a round for a division: its community head, an officer of its subtree, an admin. */
export function mayStartRound(user: UserRow, code: string): boolean {
	if (!canSeeDivision(user, code)) return false;
	if (user.role === 'admin') return true;
	if (user.role === 'community_head') return code.length === 12;
	return OFFICER_ROLES.has(user.role);
}

/**
 * Who may create or change a check template of a division (docs/check-templates.md): whoever
 * may start a round there.
 */
export const mayEditTemplate = mayStartRound;

/** The roles that supervise: community heads, officers, administrators. */
export const supervises = (user: UserRow) =>
	user.role === 'admin' || user.role === 'community_head' || OFFICER_ROLES.has(user.role);

/**
 * Who may read a check template: every supervising role a shipped one (divisionCode null); a
 * stored one, whoever may edit it or supervises at or below its division (where it is usable),
 * and an officer above it (to label round figures).
 */
export function mayReadTemplate(user: UserRow, divisionCode: string | null): boolean {
	if (!supervises(user)) return false;
	if (divisionCode === null) return true;
	return (
		mayEditTemplate(user, divisionCode) ||
		canSeeDivision(user, divisionCode) ||
		user.scope.some((root) => root.startsWith(divisionCode))
	);
}

/** An officer sees an incident once it has escalated into their subtree (their level or below). */
export function escalatedToOfficer(user: UserRow, row: Pick<IncidentRow, 'escalatedTo'>): boolean {
	if (row.escalatedTo === null) return false;
	return user.scope.some((root) => root === '*' || row.escalatedTo!.startsWith(root));
}

/**
 * How a user sees one incident: in full when they run its community or work its grid (their
 * device already holds it), counts-safe (no personal data) when they are an officer it has
 * escalated to, or not at all.
 */
export function incidentView(
	user: UserRow,
	row: Pick<IncidentRow, 'communityCode' | 'escalatedTo' | 'gridId'>
): 'full' | 'escalated' | null {
	if (runsCommunity(user, row.communityCode)) return 'full';
	if (user.role === 'grid_worker' && user.scope.includes(row.gridId)) return 'full';
	if (OFFICER_ROLES.has(user.role) && escalatedToOfficer(user, row)) return 'escalated';
	return null;
}

/** Who may acknowledge an alert: who runs its community, or an officer above it. */
export function mayAcknowledge(user: UserRow, alert: Pick<AlertRow, 'communityCode'>): boolean {
	return (
		(OFFICER_ROLES.has(user.role) || runsCommunity(user, alert.communityCode)) &&
		canSeeDivision(user, alert.communityCode)
	);
}
