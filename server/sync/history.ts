// Who changed which field of a household or resident, including values that lost a merge
// (server/sync/merge.ts): for the roles that receive grid data, inside their scope.
import { maskLandline, maskPhone } from '../../src/lib/shared/mask';
import { forbidden, notFound } from '../api-error';
import { canSeeGrid } from '../auth/scope';
import type { Store, UserRow } from '../store/types';
import { pullScope } from './scope';
import { shownName } from '../auth/people';

export interface HistoryEntry {
	field: string;
	value: unknown;
	outcome: 'applied' | 'lost';
	/** The person's name when they are one of the community's own people, else null. */
	actor: string | null;
	/** Their role, shown with the name, or alone for officers and administrators. */
	actorRole: string;
	at: string;
	mutationId: string;
}

function maskedHistoryValue(field: string, value: unknown): unknown {
	if (typeof value !== 'string' && typeof value !== 'number') return value;
	if (field === 'phone') return maskPhone(String(value));
	if (field === 'landline') return maskLandline(String(value));
	return value;
}

/** The field history of a row, oldest first, actors by name and role (auth/people.ts). */
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
	// Only grid workers and community heads get here (pullScope): they work inside the community.
	const people = await store.supervision().peopleOf(rows.map((r) => r.actorId));
	return rows.map((r) => ({
		field: r.field,
		// Phones and landlines stay masked here too; the reveal with a reason is the only way to
		// the number.
		value: maskedHistoryValue(r.field, r.value),
		outcome: r.outcome as 'applied' | 'lost',
		actor: shownName(people.get(r.actorId), true),
		actorRole: people.get(r.actorId)?.role ?? 'operator',
		at: r.at.toISOString(),
		mutationId: r.mutationId
	}));
}
