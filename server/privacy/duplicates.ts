// Duplicate registrations (一人多码, 重复上报): one ID number in more than one household. The
// write path raises a flag to each community concerned (Store.flagDuplicates); its head
// reviews the residents, masked, with where each is registered (household, grid, address as the
// head sees them), and closes the flag with what they found.
import { buildingAndUnit } from '../../src/lib/forms/address';
import { maskName } from '../../src/lib/shared/mask';
import type { ResolveAction } from '../../src/lib/shared/privacy';
import { conflict, forbidden, notFound } from '../api-error';
import type { Store, UserRow } from '../store/types';
import { headsCommunity } from './access';

export interface FlaggedResident {
	id: string;
	/** Masked (张*明). */
	name: string;
	idNumberMasked: string | null;
	householdId: string;
	gridId: string;
	/** The grid's name in the flag's community; null for a grid of another community. */
	gridName: string | null;
	/**
	 * The household's address: in full in the flag's community (its head holds it already), only
	 * building and unit (3栋2单元) elsewhere, null when there is nothing to show.
	 */
	address: string | null;
	/** How many people the household has (the head weighs a household of one differently). */
	householdMembers: number | null;
	/** Registered since (ISO 8601): the later registration is the likelier mistake. */
	registeredAt: string;
	inYourCommunity: boolean;
}

export interface DuplicateFlag {
	id: string;
	communityCode: string;
	raisedAt: string;
	resolvedAt: string | null;
	resolution: string | null;
	note: string | null;
	residents: FlaggedResident[];
}

/** The flags of a community (all of them when undefined), newest first, residents masked. */
export async function duplicateFlagsOf(
	store: Store,
	communityCode: string | undefined
): Promise<DuplicateFlag[]> {
	const flags = await store.duplicateFlags({ communityCode });
	const out = [];
	for (const flag of flags) {
		const residents = [];
		for (const id of flag.residentIds) {
			const r = await store.getResident(id);
			if (!r) continue;
			const [grid, household] = await Promise.all([
				store.getGrid(r.gridId),
				store.getHousehold(r.householdId)
			]);
			const inYourCommunity = grid?.communityCode === flag.communityCode;
			const address = household && !household.deleted ? household.address : null;
			residents.push({
				id: r.id,
				// Above the grid level names are masked: enough to find the household, nothing more.
				name: maskName(r.name),
				idNumberMasked: r.idNumberMasked,
				householdId: r.householdId,
				gridId: r.gridId,
				gridName: inYourCommunity ? (grid?.name ?? null) : null,
				address: inYourCommunity ? address : address && buildingAndUnit(address),
				householdMembers: household && !household.deleted ? household.memberCount : null,
				registeredAt: r.createdAt.toISOString(),
				inYourCommunity
			});
		}
		out.push({
			id: flag.id,
			communityCode: flag.communityCode,
			raisedAt: flag.raisedAt.toISOString(),
			resolvedAt: flag.resolvedAt?.toISOString() ?? null,
			resolution: flag.resolution,
			note: flag.note,
			residents
		});
	}
	return out;
}

/** Close a flag, by the head of its community; returns the community (for the audit entry). */
export async function resolveDuplicate(
	store: Store,
	user: UserRow,
	id: string,
	resolution: { action: ResolveAction; note?: string },
	now: Date
): Promise<string> {
	const flag = await store.getDuplicateFlag(id);
	if (!flag) throw notFound('id', 'no such flag');
	if (!headsCommunity(user, flag.communityCode)) throw forbidden('id', "only the community's head");
	if (flag.resolvedAt) throw conflict('id', 'already resolved');
	await store.resolveDuplicateFlag(id, {
		by: user.id,
		at: now,
		action: resolution.action,
		note: resolution.note ?? null
	});
	return flag.communityCode;
}
