// Who may see personal data in the clear, and the audit entries that record each access.
import type { Context } from 'hono';
import { forbidden, notFound } from '../api-error';
import type { UnmaskField } from '../../src/lib/shared/privacy';
import type { AppEnv } from '../context';
import type { GridRow, NewAuditEntry, Store, UserRow } from '../store/types';

/** Unmasking is for the people who work with the resident: its grid's worker, its community's head. */
export function canUnmask(user: UserRow, grid: Pick<GridRow, 'id' | 'communityCode'>): boolean {
	if (user.role === 'grid_worker') return user.scope.includes(grid.id);
	if (user.role === 'community_head') return user.scope.includes(grid.communityCode);
	return false;
}

/** Whether the user heads this community. */
export function headsCommunity(user: UserRow, communityCode: string): boolean {
	return user.role === 'community_head' && user.scope.includes(communityCode);
}

/** The community a community head is responsible for. */
export function communityOfHead(user: UserRow): string | null {
	return user.role === 'community_head' ? (user.scope.find((c) => c.length === 12) ?? null) : null;
}

/** Communities a user works in: a worker's grids' communities, or the communities their scope names. */
export async function communitiesOfUser(store: Store, user: UserRow): Promise<Set<string>> {
	const out = new Set<string>();
	if (user.role === 'grid_worker') {
		for (const id of user.scope) {
			const grid = await store.getGrid(id);
			if (grid) out.add(grid.communityCode);
		}
	} else for (const code of user.scope) if (code.length === 12) out.add(code);
	return out;
}

/**
 * Whether all of a user's scope lies inside a community: a worker's grids all belong to it, or
 * every division code of the scope is the community itself. An empty scope, an administrator's
 * and an officer's above the community are not inside.
 */
export async function scopeWithin(
	store: Store,
	user: UserRow,
	communityCode: string
): Promise<boolean> {
	if (user.role === 'admin' || user.scope.length === 0) return false;
	if (user.role === 'grid_worker') {
		for (const id of user.scope) {
			const grid = await store.getGrid(id);
			if (grid?.communityCode !== communityCode) return false;
		}
		return true;
	}
	return user.scope.every((code) => code.startsWith(communityCode));
}

/** Append an audit entry for the calling user and device. */
export function audit(
	c: Context<AppEnv>,
	entry: Omit<NewAuditEntry, 'userId' | 'role' | 'deviceId'>
) {
	const { user, deviceId } = c.var.principal;
	return c.var.services.store.appendAudit({
		...entry,
		userId: user.id,
		role: user.role,
		deviceId
	});
}

/**
 * The community whose records (audit trail, duplicate flags) a user reads for `code`: a head
 * reads their own community's, an administrator any community's or, with no code, all of them
 * (undefined). Anyone else is refused.
 */
export function communityInView(user: UserRow, code: string | undefined): string | undefined {
	if (user.role === 'admin') return code;
	if (user.role === 'community_head' && (!code || headsCommunity(user, code))) {
		const community = code ?? communityOfHead(user);
		if (community) return community;
	}
	throw forbidden('code', 'outside your scope');
}

/**
 * One masked field of a resident in the clear, for the people who work with the resident
 * (canUnmask); the caller records the access in the audit trail with its reason.
 */
export async function unmaskedValue(
	store: Store,
	user: UserRow,
	residentId: string,
	field: UnmaskField
): Promise<{ value: string; communityCode: string }> {
	const resident = await store.getResident(residentId);
	if (!resident || resident.deleted) throw notFound('id', 'no such resident');
	const grid = await store.getGrid(resident.gridId);
	if (!grid || !canUnmask(user, grid))
		throw forbidden('id', "only the resident's grid worker or community head");
	const stored = resident[field];
	if (!stored) throw notFound(field, 'no value recorded');
	const value = field === 'idNumber' ? (await store.idProtection()).open(stored) : stored;
	return { value, communityCode: grid.communityCode };
}
