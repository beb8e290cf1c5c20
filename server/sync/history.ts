// Who changed which field of a household or resident, including values that lost a merge
// (server/sync/merge.ts): for the roles that receive grid data, inside their scope.
import { maskPhone } from '../../src/lib/shared/mask';
import { forbidden, notFound } from '../api-error';
import { canSeeGrid } from '../auth/scope';
import type { Store, UserRow } from '../store/types';
import { pullScope } from './scope';

export interface HistoryEntry {
	field: string;
	value: unknown;
	outcome: 'applied' | 'lost';
	actor: string;
	at: string;
	mutationId: string;
}

/** The field history of a row, oldest first, actors by name. */
export async function fieldHistoryOf(
	store: Store,
	user: UserRow,
	table: 'households' | 'residents',
	rowId: string
): Promise<HistoryEntry[]> {
	const gridId = await store.gridOfRow(table, rowId);
	if (!gridId) throw notFound('rowId', `no such row in ${table}`);
	const grid = await store.getGrid(gridId);
	// Personal data: only roles that receive grid data, and only inside their scope.
	if (!grid || !pullScope(user) || !canSeeGrid(user, grid))
		throw forbidden('rowId', 'outside your scope');
	const rows = await store.fieldHistory(table, rowId);
	const names = new Map<string, string>();
	for (const id of new Set(rows.map((r) => r.actorId))) {
		const actor = await store.getUser(id);
		names.set(id, actor?.displayName ?? actor?.username ?? id);
	}
	return rows.map((r) => ({
		field: r.field,
		// Phones stay masked here too; the reveal with a reason is the only way to the number.
		value:
			r.field === 'phone' && (typeof r.value === 'string' || typeof r.value === 'number')
				? maskPhone(String(r.value))
				: r.value,
		outcome: r.outcome as 'applied' | 'lost',
		actor: names.get(r.actorId)!,
		at: r.at.toISOString(),
		mutationId: r.mutationId
	}));
}
