// Moving households to another grid (docs/administration.md, "Moving households and changing
// scopes"): one write-path batch, so the rules (server/write/rules.ts `requireMovable`) decide
// who may, the change log tells the devices, and the roll-up figures follow in the same
// transaction. The target grid must not be retired.
import { ApiError } from '../api-error';
import type { DayClock } from '../rollup/snapshots';
import { VISIT_WINDOW_DAYS } from '../sync/pull';
import type { Store } from '../store/types';
import { write, type Actor } from '../write';

/** At most this many households in one move. */
export const MOVE_MAX = 500;

export interface MoveResult {
	/** Households that changed grid (those already in the target grid are left as they are). */
	moved: number;
	/** The communities the households left and joined. */
	communityCode: string;
	communities: string[];
}

export async function moveHouseholds(
	store: Store,
	actor: Actor,
	input: { householdIds: string[]; toGridId: string },
	options: DayClock & { rollup?: boolean }
): Promise<MoveResult> {
	const grid = await store.getGrid(input.toGridId);
	if (!grid) throw new ApiError(404, 'not_found', 'toGridId: no such grid', 'toGridId');
	if (grid.retiredAt)
		throw new ApiError(409, 'conflict', 'toGridId: this grid is retired', 'toGridId');
	const ids = [...new Set(input.householdIds)];
	const { result, communities } = await write(store, actor, options, async (batch) => {
		await batch.prefetch({ households: ids, grids: [grid.id] });
		let moved = 0;
		for (const id of ids) if (await batch.moveHousehold(id, grid.id, VISIT_WINDOW_DAYS)) moved++;
		return moved;
	});
	return { moved: result, communityCode: grid.communityCode, communities };
}
