// Erasing a resident who moved out (README, "Privacy (personal data)"): the row keeps its id so
// history still points somewhere, but every personal field is emptied, the ID number and its
// hash go, and devices receive the erasure as a delete. It goes through the write path like a
// pushed delete, so the roll-up figures (households' members, expected check-ins and the days
// the resident checked in) change in the same transaction.
import type { Store, UserRow } from '../store/types';
import type { DayClock } from '../rollup/snapshots';
import { write } from '../write';

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
