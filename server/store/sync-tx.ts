// SyncTx over drizzle: the database side of push, inside one driver transaction.
import { and, asc, eq, gt, gte, inArray, ne, or } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { Db, Tables } from './drizzle-store';
import type {
	ChangeRow,
	FieldHistoryEntry,
	NewChange,
	PullFilter,
	SyncRows,
	SyncTx
} from './sync-types';

type IdTable = PgTable & { id: Tables['households']['id'] };

export class DrizzleSyncTx implements SyncTx {
	constructor(
		private readonly tx: Db,
		private readonly t: Tables
	) {}

	private table(name: SyncTable): IdTable {
		return this.t[name] as unknown as IdTable;
	}

	async appliedMutationIds(ids: string[]): Promise<Set<string>> {
		if (ids.length === 0) return new Set();
		const { appliedMutations } = this.t;
		const rows = await this.tx
			.select({ id: appliedMutations.id })
			.from(appliedMutations)
			.where(inArray(appliedMutations.id, ids));
		return new Set(rows.map((r) => r.id));
	}

	async recordMutation(m: { id: string; deviceId: string; userId: string }): Promise<void> {
		await this.tx
			.insert(this.t.appliedMutations)
			.values({ ...m, status: 'applied', reason: null, appliedAt: new Date() });
	}

	async gridCommunity(gridId: string): Promise<string | null> {
		const { grids } = this.t;
		const [row] = await this.tx
			.select({ communityCode: grids.communityCode })
			.from(grids)
			.where(eq(grids.id, gridId))
			.limit(1);
		return row?.communityCode ?? null;
	}

	async getRow<T extends SyncTable>(name: T, rowId: string): Promise<SyncRows[T] | null> {
		const table = this.table(name);
		const [row] = await this.tx.select().from(table).where(eq(table.id, rowId)).limit(1);
		return (row as SyncRows[T] | undefined) ?? null;
	}

	async insertRow<T extends SyncTable>(name: T, row: SyncRows[T]): Promise<void> {
		await this.tx.insert(this.table(name)).values(row);
	}

	async updateRow<T extends SyncTable>(
		name: T,
		rowId: string,
		set: Partial<SyncRows[T]>
	): Promise<void> {
		const table = this.table(name);
		await this.tx.update(table).set(set).where(eq(table.id, rowId));
	}

	async logChange(change: NewChange): Promise<number> {
		const { changeLog } = this.t;
		const [row] = await this.tx
			.insert(changeLog)
			.values({ ...change, at: new Date() })
			.returning({ seq: changeLog.seq });
		return row.seq;
	}

	async addIncidentTransition(t: {
		incidentId: string;
		fromStatus: string | null;
		toStatus: string;
		actorId: string;
		note?: string;
	}): Promise<void> {
		await this.tx
			.insert(this.t.incidentTransitions)
			.values({ ...t, note: t.note ?? null, id: crypto.randomUUID(), at: new Date() });
	}

	async addFieldHistory(entries: FieldHistoryEntry[]): Promise<void> {
		if (entries.length === 0) return;
		const at = new Date();
		await this.tx
			.insert(this.t.fieldHistory)
			.values(entries.map((e) => ({ ...e, id: crypto.randomUUID(), at })));
	}
}

/**
 * Changes after a cursor for a scope, in server order. One indexed range scan per grid or
 * community (index on (grid_id, seq) / (community_code, seq)), so the cost follows the number of
 * changes returned, not the size of the log.
 */
export async function pullChanges(db: Db, t: Tables, filter: PullFilter): Promise<ChangeRow[]> {
	const { changeLog } = t;
	const ranges = [
		...(filter.gridIds ?? []).map((id) => eq(changeLog.gridId, id)),
		...(filter.communityCodes ?? []).map((code) => eq(changeLog.communityCode, code))
	];
	const parts = await Promise.all(
		ranges.map((where) =>
			db
				.select({
					seq: changeLog.seq,
					tableName: changeLog.tableName,
					rowId: changeLog.rowId,
					op: changeLog.op,
					fields: changeLog.fields
				})
				.from(changeLog)
				.where(
					and(
						where,
						gt(changeLog.seq, filter.after),
						filter.visitsSince
							? or(ne(changeLog.tableName, 'visits'), gte(changeLog.at, filter.visitsSince))
							: undefined
					)
				)
				.orderBy(asc(changeLog.seq))
				.limit(filter.limit)
		)
	);
	const merged = new Map<number, ChangeRow>();
	for (const part of parts) for (const row of part) merged.set(row.seq, row);
	return [...merged.values()].sort((a, b) => a.seq - b.seq).slice(0, filter.limit);
}
