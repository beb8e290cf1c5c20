// Who may see what (docs/security.md, "Who sees what"). The server decides; client-side filtering
// is a convenience.
import type { UserRow } from '../store/types';
import type { Role } from '../../src/lib/shared/enums';

/** Roles whose scope is a list of grid ids. */
const GRID_ROLES: ReadonlySet<Role> = new Set(['grid_worker']);

/**
 * The community's check-in devices: a kiosk and a volunteer signed in on one. They record
 * check-ins and read the kiosk directory; the staff's views answer them 403 (requireStaff).
 */
export const COMMUNITY_DEVICE_ROLES: ReadonlySet<Role> = new Set(['kiosk', 'volunteer']);

export interface Principal {
	user: UserRow;
	sessionId: string;
	deviceId: string;
}

/** A division node is visible when it lies in the caller's subtree (codes are prefixes of their descendants). */
export function canSeeDivision(user: UserRow, code: string): boolean {
	if (GRID_ROLES.has(user.role)) return false;
	return user.scope.some((root) => root === '*' || code.startsWith(root));
}

/** A grid is visible to its assigned workers and to everyone whose division contains its community. */
export function canSeeGrid(user: UserRow, grid: { id: string; communityCode: string }): boolean {
	if (GRID_ROLES.has(user.role)) return user.scope.includes(grid.id);
	return canSeeDivision(user, grid.communityCode);
}
