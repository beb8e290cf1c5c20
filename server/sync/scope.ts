// Who may write which rows through sync, and which changes a device may pull.
import type { IncidentCategory, SyncTable } from '../../src/lib/shared/enums';
import { canSeeDivision } from '../auth/scope';
import type { UserRow } from '../store/types';
import type { PullFilter } from '../store/sync-types';

/** Incidents a kiosk may raise for a resident at check-in: a help request, or feeling unwell. */
export const KIOSK_INCIDENT_CATEGORIES: readonly IncidentCategory[] = ['help_request', 'health'];

/**
 * Reason a user may not write `table` in a grid, or null when allowed. `newIncident` is the
 * category of an incident being inserted; updates of incidents pass none.
 */
export function writeDenial(
	user: UserRow,
	grid: { id: string; communityCode: string },
	table: SyncTable,
	newIncident?: IncidentCategory
): string | null {
	switch (user.role) {
		case 'grid_worker':
			return user.scope.includes(grid.id) ? null : 'gridId: grid is outside your scope';
		case 'community_head':
		case 'admin':
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

/** The part of the change log a user's devices receive, or null when the role gets none. */
export function pullScope(user: UserRow): Omit<PullFilter, 'after' | 'limit'> | null {
	switch (user.role) {
		case 'grid_worker':
			return { gridIds: user.scope };
		case 'community_head':
			return { communityCodes: user.scope.filter((code) => code.length === 12) };
		// A kiosk (and a volunteer on it) holds no copy of grid data: its check-in directory comes
		// from GET /kiosk/directory (masked names, ID tails), never the community's change log.
		default:
			return null;
	}
}
