// Who may manage whom (docs/administration.md, "People"): the one rule behind every route of
// /api/v1/users. Pure: the caller passes where each person's scope lies.
import { ROLES, type Role } from '../../src/lib/shared/enums';

/** Roles a community head manages: the people who work inside their community. */
export const HEAD_MANAGES: readonly Role[] = ['grid_worker', 'volunteer', 'kiosk'];
/** Roles county and street officers manage: the community heads beneath them. */
export const OFFICER_MANAGES: readonly Role[] = ['community_head'];
/** Roles an administrator manages within their scope: everyone beneath them. */
export const ADMIN_MANAGES: readonly Role[] = ROLES.filter((role) => role !== 'admin');

/** A manager: their role and scope (division codes, or '*' for an administrator of everything). */
export interface Manager {
	role: Role;
	scope: string[];
}

/**
 * A managed person: their role and the division codes their scope lies in (a grid worker's:
 * the communities of their grids; anyone else's: the codes of their scope).
 */
export interface Managed {
	role: Role;
	places: string[];
}

/** The roles `manager` may create, edit, disable and reset (empty for everyone else). */
export function managedRoles(manager: Manager): readonly Role[] {
	switch (manager.role) {
		case 'admin':
			return ADMIN_MANAGES;
		case 'county_officer':
		case 'street_officer':
			return OFFICER_MANAGES;
		case 'community_head':
			return HEAD_MANAGES;
		default:
			return [];
	}
}

const within = (roots: string[], code: string) =>
	roots.some((root) => root === '*' || code.startsWith(root));

/**
 * Whether `manager` may manage `person`: the person's role is one the manager manages, and all of
 * the person's scope lies inside the manager's (a head's: their community itself).
 */
export function mayManage(manager: Manager, person: Managed): boolean {
	if (!managedRoles(manager).includes(person.role)) return false;
	if (person.places.length === 0) return false;
	if (manager.role === 'community_head')
		return person.places.every((code) => manager.scope.includes(code) && code.length === 12);
	return person.places.every((code) => within(manager.scope, code));
}
