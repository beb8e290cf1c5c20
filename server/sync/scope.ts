// Who may write which rows through sync, and which changes a device may pull.
import type { SyncTable } from '../../src/lib/shared/enums';
import { canSeeDivision } from '../auth/scope';
import type { UserRow } from '../store/types';
import type { PullFilter } from '../store/sync-types';

/** Reason a user may not write `table` in a grid, or null when allowed. */
export function writeDenial(
	user: UserRow,
	grid: { id: string; communityCode: string },
	table: SyncTable
): string | null {
	switch (user.role) {
		case 'grid_worker':
			return user.scope.includes(grid.id) ? null : 'gridId: grid is outside your scope';
		case 'community_head':
		case 'admin':
			return canSeeDivision(user, grid.communityCode) ? null : 'gridId: grid is outside your scope';
		case 'kiosk':
		case 'volunteer':
			if (table !== 'checkins') return `table: a ${user.role} may only record check-ins`;
			return canSeeDivision(user, grid.communityCode) ? null : 'gridId: grid is outside your scope';
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
		case 'kiosk':
		case 'volunteer':
			return { communityCodes: user.scope.filter((code) => code.length === 12) };
		default:
			return null;
	}
}
