// Check rounds (排查轮次): a division's visiting campaign between two dates. Creating one adds its
// figures from the visits already recorded and logs a `rounds` change for every grid of its
// subtree, so worker devices receive it through pull.
import { and, gte, lt } from 'drizzle-orm';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { Store } from '../store/types';
import { recomputeRollups } from './recompute';
import { subtreeEnd } from './nodes';
import type { RoundRow } from './store';

/** Create a round; returns the communities (with grids) of its subtree. */
export async function createRound(store: Store, round: RoundRow): Promise<string[]> {
	return store.supervision().inSyncTransaction(async (tx) => {
		await tx.prefetch({});
		const { db, tables: t, maxParams } = tx.database();
		await db.insert(t.rounds).values(round);
		await recomputeRollups(db, t, maxParams, round);
		const grids = await db
			.select({ id: t.grids.id, communityCode: t.grids.communityCode })
			.from(t.grids)
			.where(
				and(
					gte(t.grids.communityCode, round.divisionCode),
					lt(t.grids.communityCode, subtreeEnd(round.divisionCode))
				)
			);
		for (const g of grids)
			await tx.logChange({
				tableName: 'rounds' as SyncTable,
				rowId: round.id,
				op: 'insert',
				fields: {
					id: round.id,
					divisionCode: round.divisionCode,
					name: round.name,
					startDate: round.startDate,
					dueDate: round.dueDate
				},
				gridId: g.id,
				communityCode: g.communityCode
			});
		await tx.flush();
		return [...new Set(grids.map((g) => g.communityCode))];
	});
}
