// What a write implies besides the row itself, derived here and nowhere else: the change-log
// entry and the row's new version (what devices pull), the field history of a merge, the ID
// number kept sealed, hashed and masked, and the member counts of households. The batch
// (batch.ts) calls these, and adds the roll-up figures when it settles (server/rollup/
// maintain.ts); callers of the write path never do.
import { maskIdNumber } from '../../src/lib/shared/mask';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { IdProtection } from '../privacy/ids';
import type { SyncRows } from '../store/rows';
import type { FieldHistoryEntry, SyncTx } from '../store/sync-types';
import type { MergeResult } from '../sync/merge';
import type { Grid } from './rules';

/** The stored columns and the logged (device-visible) fields of an ID number, written once. */
export function idNumberColumns(ids: IdProtection, full: string | null | undefined) {
	const masked = full ? maskIdNumber(full) : null;
	return {
		// The full number stays on the server, sealed; devices only ever receive the masked form.
		stored: {
			idNumber: full ? ids.seal(full) : null,
			idNumberMasked: masked,
			idHash: full ? ids.hash(full) : null
		},
		logged: { idNumberMasked: masked }
	};
}

/** Log a new row (devices receive `logged`) and store it (`stored` adds server-only columns). */
export async function recordInsert<T extends SyncTable>(
	tx: SyncTx,
	table: T,
	grid: Grid,
	logged: Record<string, unknown> & { id: string },
	stored: (version: number) => SyncRows[T]
): Promise<number> {
	const version = await tx.logChange({
		tableName: table,
		rowId: logged.id,
		op: 'insert',
		fields: logged,
		gridId: grid.id,
		communityCode: grid.communityCode
	});
	await tx.insertRow(table, stored(version));
	return version;
}

/** Log a change of a row and store it with its new version (and `updatedAt`, where kept). */
export async function recordChange<T extends SyncTable>(
	tx: SyncTx,
	table: T,
	row: { id: string },
	grid: Grid,
	change: {
		op: 'update' | 'delete';
		logged: Record<string, unknown>;
		stored: Partial<SyncRows[T]>;
		at: Date | null;
	}
): Promise<number> {
	const version = await tx.logChange({
		tableName: table,
		rowId: row.id,
		op: change.op,
		fields: change.logged,
		gridId: grid.id,
		communityCode: grid.communityCode
	});
	const set: Record<string, unknown> = { ...change.stored, version };
	if (change.at) set.updatedAt = change.at;
	await tx.updateRow(table, row.id, set as Partial<SyncRows[T]>);
	return version;
}

/** The field history of a merge: every value that won and every value that lost. */
export function historyOf(
	merged: Pick<MergeResult, 'won' | 'lost'>,
	who: { table: SyncTable; rowId: string; actorId: string; mutationId: string }
): FieldHistoryEntry[] {
	const entries: { field: string; value: unknown; outcome: 'applied' | 'lost' }[] = [
		...Object.entries(merged.won).map(([field, value]) => ({
			field,
			value,
			outcome: 'applied' as const
		})),
		...Object.entries(merged.lost).map(([field, value]) => ({
			field,
			value,
			outcome: 'lost' as const
		}))
	];
	return entries.map((h) => ({
		field: h.field,
		// Full ID numbers never enter the history either.
		value: h.field === 'idNumber' && typeof h.value === 'string' ? maskIdNumber(h.value) : h.value,
		outcome: h.outcome,
		tableName: who.table,
		rowId: who.rowId,
		actorId: who.actorId,
		mutationId: who.mutationId
	}));
}

/**
 * Member counts of households whose residents the batch added or removed, written once per
 * household at the end of the batch: folded into the household's own insert when the batch
 * created it, else one logged update.
 */
export class MemberCounts {
	private readonly deltas = new Map<string, { grid: Grid; delta: number }>();
	/** Change-log sequence of households inserted by the batch, by id. */
	private readonly inserted = new Map<string, number>();

	householdInserted(id: string, seq: number): void {
		this.inserted.set(id, seq);
	}

	add(householdId: string, grid: Grid, delta: number): void {
		const held = this.deltas.get(householdId);
		this.deltas.set(householdId, { grid, delta: (held?.delta ?? 0) + delta });
	}

	/** Forget what was noted since `mark` (a savepoint rolled back). */
	mark(): () => void {
		const deltas = new Map(this.deltas);
		const inserted = new Map(this.inserted);
		return () => {
			this.deltas.clear();
			this.inserted.clear();
			for (const [k, v] of deltas) this.deltas.set(k, v);
			for (const [k, v] of inserted) this.inserted.set(k, v);
		};
	}

	/** Write the counts. */
	async settle(tx: SyncTx): Promise<void> {
		for (const [id, { grid, delta }] of this.deltas) {
			const household = await tx.getRow('households', id);
			if (!household || delta === 0) continue;
			const memberCount = Math.max(0, household.memberCount + delta);
			const insertSeq = this.inserted.get(id);
			if (insertSeq !== undefined && tx.amendChange(insertSeq, { memberCount })) {
				await tx.updateRow('households', id, { memberCount });
				continue;
			}
			if (household.deleted) continue;
			await recordChange(tx, 'households', household, grid, {
				op: 'update',
				logged: { memberCount },
				stored: { memberCount },
				at: null
			});
		}
		this.deltas.clear();
		this.inserted.clear();
	}
}
