// Erasing a resident who moved out (product.md, personal data): the row keeps its id so history
// still points somewhere, but every personal field is emptied, the ID number and its hash go,
// and devices receive the erasure as a delete. It goes through the sync write path, like a
// pushed delete, so the roll-up figures (households' members, expected check-ins and the days
// the resident checked in) change in the same transaction.
import type { Store } from '../store/types';
import { maintainRollup } from '../rollup/maintain';
import { changeMemberCount } from '../sync/push';
import type { DayClock } from '../rollup/snapshots';

/** Fields a resident keeps after erasure, as devices receive them. */
const ERASED = {
	name: '',
	idNumberMasked: null,
	phone: null,
	birthYear: null,
	sex: null,
	tags: [] as string[],
	dailyCheckIn: false
};

/**
 * Erase a resident. Returns the communities whose figures changed (for their alerts), or null
 * when there is no such resident.
 */
export async function eraseResident(
	store: Store,
	id: string,
	options: DayClock & { rollup?: boolean }
): Promise<{ communities: string[] } | null> {
	return store.supervision().inSyncTransaction(async (tx) => {
		await tx.prefetch({ residents: [id] });
		const row = await tx.getRow('residents', id);
		if (!row) return null;
		// updateRow changes the cached row in place: what it was, first.
		const { deleted: wasDeleted, householdId, gridId } = row;
		const communityCode = await tx.gridCommunity(row.gridId);
		if (!communityCode) throw new Error(`resident ${id}: grid ${row.gridId} has no community`);
		const version = await tx.logChange({
			tableName: 'residents',
			rowId: id,
			op: 'delete',
			fields: ERASED,
			gridId: row.gridId,
			communityCode
		});
		await tx.updateRow('residents', id, {
			...ERASED,
			idNumber: null,
			idHash: null,
			deleted: true,
			version,
			updatedAt: options.now
		});
		const household = wasDeleted ? null : await tx.getRow('households', householdId);
		if (household && !household.deleted)
			await changeMemberCount(tx, household, { id: gridId, communityCode }, -1);
		const change =
			options.rollup === false
				? null
				: await maintainRollup(tx, [{ table: 'residents', op: 'delete', rowId: id }], options);
		await tx.flush();
		return { communities: change?.communities ?? [] };
	});
}
