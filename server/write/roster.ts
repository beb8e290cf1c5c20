// Households and residents in bulk (the demo seed and the benchmarks' workloads; the Excel roster
// import will use it too): the same batch as a push, so the rows get their change-log entries,
// member counts, sealed ID numbers, duplicate flags and roll-up figures exactly as pushed ones do.
import type { z } from 'zod';
import { describeIssue, INSERT_FIELDS } from '../../src/lib/shared/schemas';
import type { NewHousehold, NewResident, Store } from '../store/types';
import type { DayClock } from '../rollup/snapshots';
import { write } from './index';
import { refuse } from './refusal';
import type { Actor } from './rules';

/**
 * Insert households, then residents (of these or of existing households), in one transaction:
 * all of them or, on the first refusal (naming the field), none.
 */
export async function insertRoster(
	store: Store,
	actor: Actor,
	rows: { households?: NewHousehold[]; residents?: NewResident[] },
	clock: DayClock
): Promise<{ communities: string[] }> {
	const households = rows.households ?? [];
	const residents = rows.residents ?? [];
	if (households.length + residents.length === 0) return { communities: [] };
	const { communities } = await write(store, actor, clock, async (batch) => {
		await batch.prefetch({
			households: [...households.map((h) => h.id), ...residents.map((r) => r.householdId)],
			residents: residents.map((r) => r.id),
			grids: households.map((h) => h.gridId)
		});
		for (const { id, ...h } of households)
			await batch.insert('households', id, parse('households', h));
		for (const { id, ...r } of residents)
			await batch.insert('residents', id, parse('residents', r));
	});
	return { communities };
}

/** A row's fields checked by the same schema as a pushed insert; nulls count as absent. */
function parse<T extends 'households' | 'residents'>(table: T, row: Record<string, unknown>) {
	const present = Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));
	// Member counts are derived from the residents, never taken from the input.
	delete present.memberCount;
	const result = INSERT_FIELDS[table].safeParse(present);
	if (!result.success) refuse(`fields.${describeIssue(result.error).message}`);
	return result.data as z.infer<(typeof INSERT_FIELDS)[T]>;
}
