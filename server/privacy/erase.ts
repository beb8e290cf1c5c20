// Erasing a resident who moved out (README, "Privacy (personal data)"): the row keeps its id so
// history still points somewhere, but every personal field is emptied, the ID number and its
// hash go, and devices receive the erasure as a delete. It goes through the write path like a
// pushed delete, so the roll-up figures (households' members, expected check-ins and the days
// the resident checked in) change in the same transaction.
import type { Store, UserRow } from '../store/types';
import type { DayClock } from '../rollup/snapshots';
import { write } from '../write';
import { forbidden, notFound } from '../api-error';
import { headsCommunity } from './access';

/**
 * Erase a resident on behalf of `user` (the head of the resident's community). Returns the
 * communities whose figures changed (for their alerts), or null when there is no such resident.
 */
export async function eraseResident(
	store: Store,
	user: UserRow,
	id: string,
	options: DayClock & { rollup?: boolean }
): Promise<{ communities: string[] } | null> {
	const { result: found, communities } = await write(store, user, options, async (batch) => {
		await batch.prefetch({ residents: [id] });
		return batch.erase(id);
	});
	return found ? { communities } : null;
}

/**
 * Erase a resident on the request of the head of their community (DELETE /residents/:id).
 * Returns the resident's community and the communities whose figures changed.
 */
export async function eraseOnRequest(
	store: Store,
	user: UserRow,
	id: string,
	options: DayClock & { rollup?: boolean }
): Promise<{ communityCode: string; communities: string[] }> {
	const resident = await store.getResident(id);
	if (!resident) throw notFound('id', 'no such resident');
	const grid = await store.getGrid(resident.gridId);
	if (!grid || !headsCommunity(user, grid.communityCode))
		throw forbidden('id', "only the head of the resident's community");
	const erased = await eraseResident(store, user, id, options);
	if (!erased) throw notFound('id', 'no such resident');
	return { communityCode: grid.communityCode, communities: erased.communities };
}
