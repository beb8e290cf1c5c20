// Where a supervisor's screens start: an officer's scope is one division code.
import type { SessionUser } from '$lib/app/types';

export function scopeRoot(user: Pick<SessionUser, 'scope'>): string | null {
	return user.scope[0] ?? null;
}

export function isCommunityHead(user: Pick<SessionUser, 'role'>): boolean {
	return user.role === 'community_head';
}

/** The community a community head runs, or null for other roles. */
export function headCommunity(user: Pick<SessionUser, 'role' | 'scope'>): string | null {
	return isCommunityHead(user) ? scopeRoot(user) : null;
}
