// Check rounds (排查轮次): a division's visiting campaign between two dates. Creating one adds its
// figures from the visits already recorded and logs a `rounds` change for every grid of its
// subtree, so worker devices receive it through pull (server/write/batch.ts, publishRound).
import type { Store, UserRow } from '../store/types';
import { write } from '../write';
import type { RoundRow } from '../store/rows';
import type { DayClock } from '../rollup/snapshots';

/** Create a round; returns the communities (with grids) of its subtree. */
export async function createRound(
	store: Store,
	user: UserRow,
	round: RoundRow,
	clock: DayClock
): Promise<string[]> {
	const { result } = await write(store, user, clock, (batch) => batch.publishRound(round));
	return result;
}
