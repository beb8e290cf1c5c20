// Where a supervisor's screens start: an officer's scope is one division code; whoever may see
// everything ('*') starts at the nation.
import type { SessionUser } from '$lib/app/types';
import { NATION_CODE } from '$lib/shared/enums';

export function scopeRoot(user: Pick<SessionUser, 'scope'>): string | null {
	const root = user.scope[0] ?? null;
	return root === '*' ? NATION_CODE : root;
}

export function isCommunityHead(user: Pick<SessionUser, 'role'>): boolean {
	return user.role === 'community_head';
}

/** The community a community head runs, or null for other roles. */
export function headCommunity(user: Pick<SessionUser, 'role' | 'scope'>): string | null {
	return isCommunityHead(user) ? scopeRoot(user) : null;
}
