// SyncTx over drizzle: the database side of push, inside one driver transaction.
import { and, asc, eq, gt, gte, max, ne, or } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { Db, Driver, IdTable, Tables } from './driver';
import type { FrozenDays } from '../rollup/snapshots';
import type {
	ChangeRow,
	FieldHistoryEntry,
	NewChange,
	PullFilter,
	SyncRows,
	SyncTx,
	TxDatabase
} from './sync-types';

type AnyRow = SyncRows[SyncTable];

/** Row ids and grid ids a batch refers to, read in bulk before the batch is applied. */
export type PrefetchRefs = Partial<Record<SyncTable | 'grids', Iterable<string>>>;

/**
 * The database side of one push batch, write-behind: rows the batch reads are fetched in bulk
 * up front (prefetch), every write goes to memory first, and flush() writes them with a few
 * multi-row statements at the end of the transaction. Reads see the batch's own earlier writes.
 * Change-log sequence numbers are assigned here, in order, under the driver's writer lock.
 */
export class DrizzleSyncTx implements SyncTx {
	private readonly rows = new Map<SyncTable, Map<string, AnyRow | null>>();
	private readonly grids = new Map<string, string | null>();
	private readonly inserted = new Map<SyncTable, Map<string, AnyRow>>();
	private readonly updated = new Map<SyncTable, Map<string, Record<string, unknown>>>();
	private readonly changes: (NewChange & { seq: number; at: Date })[] = [];
	private readonly mutations: { id: string; deviceId: string; userId: string }[] = [];
	private readonly history: FieldHistoryEntry[] = [];
	private readonly transitions: {
		incidentId: string;
		fromStatus: string | null;
		toStatus: string;
		actorId: string;
		note: string | null;
	}[] = [];
	private nextSeq = 0;
	private deviceSync: { userId: string; deviceId: string; at: Date } | null = null;

	constructor(
		private tx: Db,
		private readonly t: Tables,
		private readonly driver: Pick<
			Driver,
			'insertMany' | 'afterExplicitSeq' | 'oneOf' | 'selectByIds' | 'maxParams' | 'savepoint'
		>,
		private readonly frozenDays: FrozenDays
	) {}

	database(): TxDatabase {
		return {
			db: this.tx,
			tables: this.t,
			maxParams: this.maxParams,
			oneOf: (column, values) => this.driver.oneOf(column, values),
			frozenDays: this.frozenDays
		};
	}

	private get maxParams(): number {
		return this.driver.maxParams;
	}

	private table(name: SyncTable): IdTable {
		return this.t[name] as unknown as IdTable;
	}

	private cache(name: SyncTable): Map<string, AnyRow | null> {
		let map = this.rows.get(name);
		if (!map) this.rows.set(name, (map = new Map()));
		return map;
	}

	/** Read in bulk every row and grid the batch refers to (misses are remembered too). */
	async prefetch(refs: PrefetchRefs): Promise<void> {
		// The lookups do not depend on each other: issued together, PostgreSQL gets them
		// pipelined on the transaction's connection instead of one round trip each.
		const lookups = (Object.entries(refs) as [SyncTable | 'grids', Iterable<string>][]).map(
			async ([name, ids]) => {
				const wanted = [...new Set(ids)];
				if (name === 'grids') return this.loadGrids(wanted);
				const cache = this.cache(name);
				for (const id of wanted) cache.set(id, null);
				if (wanted.length === 0) return;
				const found = await this.driver.selectByIds(this.tx, this.table(name), wanted);
				for (const row of found) cache.set(row.id as string, row as AnyRow);
			}
		);
		const [[{ maxSeq }]] = await Promise.all([
			this.tx.select({ maxSeq: max(this.t.changeLog.seq) }).from(this.t.changeLog),
			...lookups
		]);
		this.nextSeq = Number(maxSeq ?? 0) + 1;
		// The grids of every prefetched row, for scope checks.
		const gridIds = [...this.rows.values()].flatMap((m) =>
			[...m.values()].flatMap((r) => (r ? [r.gridId] : []))
		);
		await this.loadGrids(gridIds.filter((id) => !this.grids.has(id)));
	}

	private async loadGrids(ids: string[]): Promise<void> {
		const { grids } = this.t;
		const wanted = [...new Set(ids)];
		for (const id of wanted) this.grids.set(id, null);
		if (wanted.length === 0) return;
		const found = await this.tx
			.select({ id: grids.id, communityCode: grids.communityCode })
			.from(grids)
			.where(this.driver.oneOf(grids.id, wanted));
		for (const g of found) this.grids.set(g.id, g.communityCode);
	}

	async appliedMutationIds(ids: string[]): Promise<Set<string>> {
		const { appliedMutations } = this.t;
		if (ids.length === 0) return new Set();
		const rows = await this.tx
			.select({ id: appliedMutations.id })
			.from(appliedMutations)
			.where(this.driver.oneOf(appliedMutations.id, [...new Set(ids)]));
		return new Set(rows.map((r) => r.id));
	}

	recordDeviceSync(userId: string, deviceId: string, at: Date): void {
		this.deviceSync = { userId, deviceId, at };
	}

	async recordMutation(m: { id: string; deviceId: string; userId: string }): Promise<void> {
		this.mutations.push(m);
	}

	async gridCommunity(gridId: string): Promise<string | null> {
		if (!this.grids.has(gridId)) await this.loadGrids([gridId]);
		return this.grids.get(gridId) ?? null;
	}

	async getRow<T extends SyncTable>(name: T, rowId: string): Promise<SyncRows[T] | null> {
		const cache = this.cache(name);
		if (!cache.has(rowId)) {
			const table = this.table(name);
			const [row] = await this.tx.select().from(table).where(eq(table.id, rowId)).limit(1);
			cache.set(rowId, (row as AnyRow | undefined) ?? null);
		}
		return (cache.get(rowId) as SyncRows[T] | null) ?? null;
	}

	async insertRow<T extends SyncTable>(name: T, row: SyncRows[T]): Promise<void> {
		this.cache(name).set(row.id, row);
		let pending = this.inserted.get(name);
		if (!pending) this.inserted.set(name, (pending = new Map()));
		pending.set(row.id, row);
	}

	async updateRow<T extends SyncTable>(
		name: T,
		rowId: string,
		set: Partial<SyncRows[T]>
	): Promise<void> {
		const row = await this.getRow(name, rowId);
		if (row) Object.assign(row, set);
		// A row inserted by this batch is written whole at flush; others get their changed columns.
		if (this.inserted.get(name)?.has(rowId)) return;
		let pending = this.updated.get(name);
		if (!pending) this.updated.set(name, (pending = new Map()));
		pending.set(rowId, { ...pending.get(rowId), ...set });
	}

	async logChange(change: NewChange): Promise<number> {
		const seq = this.nextSeq++;
		this.changes.push({ ...change, seq, at: new Date() });
		return seq;
	}

	async addIncidentTransition(t: {
		incidentId: string;
		fromStatus: string | null;
		toStatus: string;
		actorId: string;
		note?: string;
	}): Promise<void> {
		this.transitions.push({ ...t, note: t.note ?? null });
	}

	async addFieldHistory(entries: FieldHistoryEntry[]): Promise<void> {
		this.history.push(...entries);
	}

	async savepoint<T>(fn: () => Promise<T>): Promise<T> {
		await this.flush();
		const nextSeq = this.nextSeq;
		try {
			const outer = this.tx;
			return await this.driver.savepoint(outer, async (inner) => {
				this.tx = inner;
				try {
					const result = await fn();
					await this.flush();
					return result;
				} finally {
					this.tx = outer;
				}
			});
		} catch (error) {
			// Rolled back: forget what fn wrote, and read rows afresh (fn may have changed cached ones).
			this.discardPending();
			this.rows.clear();
			this.nextSeq = nextSeq;
			throw error;
		}
	}

	private discardPending(): void {
		this.inserted.clear();
		this.updated.clear();
		this.changes.length = 0;
		this.mutations.length = 0;
		this.history.length = 0;
		this.transitions.length = 0;
		this.deviceSync = null;
	}

	/** Write everything the batch did since the last flush: a few multi-row statements per table. */
	async flush(): Promise<void> {
		const insertAll = (table: PgTable, rows: Record<string, unknown>[]) =>
			rows.length ? this.driver.insertMany(this.tx, table, rows) : Promise.resolve();
		await insertAll(this.t.changeLog, this.changes as unknown as Record<string, unknown>[]);
		if (this.changes.length) await this.driver.afterExplicitSeq(this.tx, this.nextSeq - 1);
		for (const [name, rows] of this.inserted) await insertAll(this.table(name), [...rows.values()]);
		for (const [name, rows] of this.updated) {
			const table = this.table(name);
			for (const [id, set] of rows) await this.tx.update(table).set(set).where(eq(table.id, id));
		}
		const at = new Date();
		await insertAll(
			this.t.appliedMutations,
			this.mutations.map((m) => ({ ...m, status: 'applied', reason: null, appliedAt: at }))
		);
		await insertAll(
			this.t.fieldHistory,
			this.history.map((e) => ({ ...e, id: crypto.randomUUID(), at }))
		);
		await insertAll(
			this.t.incidentTransitions,
			this.transitions.map((e) => ({ ...e, id: crypto.randomUUID(), at }))
		);
		if (this.deviceSync) {
			const { userId, deviceId, at: syncedAt } = this.deviceSync;
			await recordDeviceSync(this.tx, this.t, userId, deviceId, syncedAt);
		}
		this.discardPending();
	}
}

/** Remember when a user's device last pushed or pulled successfully (its row, made if new). */
export async function recordDeviceSync(
	db: Db,
	t: Tables,
	userId: string,
	deviceId: string,
	at: Date
): Promise<void> {
	const d = t.devices;
	await db
		.insert(d)
		.values({ id: deviceId, userId, kind: 'browser', enrolledAt: at, lastSyncAt: at })
		.onConflictDoUpdate({ target: d.id, set: { userId, lastSyncAt: at } });
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
