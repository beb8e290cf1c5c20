// Which changes a device may pull.
import type { PullFilter, UserRow } from '../store/rows';

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
