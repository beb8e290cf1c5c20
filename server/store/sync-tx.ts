// SyncTx over drizzle: the database side of the write path (server/write/), inside one driver
// transaction.
import { and, asc, eq, gt, gte, lt, max, ne, or } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { SyncTable } from '../../src/lib/shared/enums';
import { dayInZone } from '../../src/lib/domain/day';
import { shippedTemplate, type TemplateVersion } from '../../src/lib/shared/templates';
import type { Db, Driver, IdTable, Tables } from './driver';
import { recordDeviceSync } from './devices';
import type { ChangeRow, PullFilter, RoundRow, SyncRows, UserRow } from './rows';
import type { FieldHistoryEntry, NewChange, PrefetchRefs, SyncTx } from './sync-types';
import type { CareReader } from './care-queries';
import { maintainRollup, type AppliedChange, type RollupChange } from '../rollup/maintain';
import { recomputeGrids, recomputeRollups } from '../rollup/recompute';
import { advanceOverdue } from '../rollup/overdue';
import { subtreeEnd } from '../rollup/nodes';
import type { DayClock, FrozenDays } from '../rollup/snapshots';

type AnyRow = SyncRows[SyncTable];

/**
 * The database side of one write batch (a push, an online move, a job's writes), write-behind:
 * rows the batch reads are fetched in bulk
 * up front (prefetch), every write goes to memory first, and flush() writes them with a few
 * multi-row statements at the end of the transaction. Reads see the batch's own earlier writes.
 * Change-log sequence numbers are assigned here, in order, under the driver's writer lock.
 */
export class DrizzleSyncTx implements SyncTx {
	private readonly rows = new Map<SyncTable, Map<string, AnyRow | null>>();
	/** Grids by id: their community and whether retired (null: no such grid). */
	private readonly grids = new Map<string, { communityCode: string; retired: boolean } | null>();
	private readonly users = new Map<string, UserRow | null>();
	/** Template versions the batch named, by "id@version" (null: none such). */
	private readonly templates = new Map<string, TemplateVersion | null>();
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
	/** The next change-log sequence number; read with the first prefetch or change. */
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

	async maintainFigures(applied: AppliedChange[], clock: DayClock): Promise<RollupChange> {
		const figureDb = {
			db: this.tx,
			tables: this.t,
			maxParams: this.maxParams,
			oneOf: (column: Parameters<Driver['oneOf']>[0], values: string[]) =>
				this.driver.oneOf(column, values),
			frozenDays: this.frozenDays
		};
		return maintainRollup(this, figureDb, applied, clock);
	}

	async recomputeFigures(communityCodes: string[], clock: DayClock): Promise<number> {
		await this.frozenDays.freezeYesterday(this.tx, this.t, this.maxParams, clock);
		const asOf = await this.frozenDays.asOf(this.tx, this.t, dayInZone(clock.now, clock.timeZone));
		const { through } = await advanceOverdue(this.tx, this.t, this.maxParams, clock.now);
		return recomputeGrids(this.tx, this.t, this.maxParams, communityCodes, {
			asOf,
			overdueThrough: through
		});
	}

	async householdRows(householdId: string) {
		const read = async <T extends 'residents' | 'incidents' | 'visits'>(name: T) => {
			// The three tables share an indexed household_id column; typed as one of them.
			const table = this.t[name] as unknown as Tables['visits'];
			const stored: { id: string }[] = await this.tx
				.select()
				.from(table)
				.where(eq(table.householdId, householdId));
			const cache = this.cache(name);
			// Rows the batch already holds are taken as it left them.
			for (const row of stored) if (!cache.has(row.id)) cache.set(row.id, row as AnyRow);
			const pending = [...(this.inserted.get(name)?.values() ?? [])].filter(
				(r) => (r as { householdId?: string | null }).householdId === householdId
			);
			const ids = new Set([...stored.map((r) => r.id), ...pending.map((r) => r.id)]);
			return [...ids].map((id) => cache.get(id)).filter((r) => r != null) as SyncRows[T][];
		};
		return {
			residents: await read('residents'),
			incidents: await read('incidents'),
			visits: await read('visits')
		};
	}

	careReader(): CareReader {
		return {
			db: this.tx,
			t: this.t,
			oneOf: (column, values) => this.driver.oneOf(column, values)
		};
	}

	heldRow<T extends SyncTable>(name: T, rowId: string): SyncRows[T] | null | undefined {
		return this.cache(name).get(rowId) as SyncRows[T] | null | undefined;
	}

	pendingInserts<T extends SyncTable>(name: T): SyncRows[T][] {
		return [...(this.inserted.get(name)?.values() ?? [])] as SyncRows[T][];
	}

	async templateVersion(id: string, version: number): Promise<TemplateVersion | null> {
		const key = `${id}@${version}`;
		if (!this.templates.has(key)) {
			const shipped = shippedTemplate(id, version);
			if (shipped) this.templates.set(key, shipped);
			else {
				const { checkTemplateVersions: v, checkTemplates: t } = this.t;
				const [row] = await this.tx
					.select({
						name: v.name,
						nameEn: v.nameEn,
						questions: v.questions,
						divisionCode: t.divisionCode
					})
					.from(v)
					.innerJoin(t, eq(t.id, v.templateId))
					.where(and(eq(v.templateId, id), eq(v.version, version)));
				this.templates.set(
					key,
					row
						? {
								id,
								version,
								name: row.name,
								...(row.nameEn ? { nameEn: row.nameEn } : {}),
								divisionCode: row.divisionCode,
								questions: row.questions
							}
						: null
				);
			}
		}
		return this.templates.get(key) ?? null;
	}

	async insertRound(round: RoundRow): Promise<void> {
		await this.tx.insert(this.t.rounds).values(round);
		// A round's figures are events only: no due or overdue figures, no day they are counted at.
		await recomputeRollups(
			this.tx,
			this.t,
			this.maxParams,
			{ asOf: '', overdueThrough: new Date(0) },
			round
		);
	}

	async gridsUnder(divisionCode: string): Promise<{ id: string; communityCode: string }[]> {
		const { grids } = this.t;
		return this.tx
			.select({ id: grids.id, communityCode: grids.communityCode })
			.from(grids)
			.where(
				and(
					gte(grids.communityCode, divisionCode),
					lt(grids.communityCode, subtreeEnd(divisionCode))
				)
			);
	}

	async getUser(id: string): Promise<UserRow | null> {
		if (!this.users.has(id)) await this.loadUsers([id]);
		return this.users.get(id) ?? null;
	}

	private async loadUsers(ids: string[]): Promise<void> {
		const { users } = this.t;
		const wanted = [...new Set(ids)].filter((id) => !this.users.has(id));
		for (const id of wanted) this.users.set(id, null);
		// Ids come from pushed fields: only well-formed ones are looked up (users.id is a uuid).
		const valid = wanted.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
		if (valid.length === 0) return;
		const found = await this.tx.select().from(users).where(this.driver.oneOf(users.id, valid));
		for (const u of found) this.users.set(u.id, u as UserRow);
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
		const lookups = (Object.entries(refs) as [keyof PrefetchRefs, Iterable<string>][]).map(
			async ([name, ids]) => {
				const wanted = [...new Set(ids)];
				if (name === 'grids') return this.loadGrids(wanted);
				if (name === 'users') return this.loadUsers(wanted);
				const cache = this.cache(name);
				for (const id of wanted) cache.set(id, null);
				if (wanted.length === 0) return;
				const found = await this.driver.selectByIds(this.tx, this.table(name), wanted);
				for (const row of found) cache.set(row.id as string, row as AnyRow);
			}
		);
		await Promise.all([this.loadNextSeq(), ...lookups]);
		// The grids of every prefetched row, for scope checks.
		const gridIds = [...this.rows.values()].flatMap((m) =>
			[...m.values()].flatMap((r) => (r ? [r.gridId] : []))
		);
		await this.loadGrids(gridIds.filter((id) => !this.grids.has(id)));
	}

	private async loadNextSeq(): Promise<void> {
		if (this.nextSeq > 0) return;
		const [{ maxSeq }] = await this.tx
			.select({ maxSeq: max(this.t.changeLog.seq) })
			.from(this.t.changeLog);
		this.nextSeq = Number(maxSeq ?? 0) + 1;
	}

	private async loadGrids(ids: string[]): Promise<void> {
		const { grids } = this.t;
		const wanted = [...new Set(ids)];
		for (const id of wanted) this.grids.set(id, null);
		if (wanted.length === 0) return;
		const found = await this.tx
			.select({ id: grids.id, communityCode: grids.communityCode, retiredAt: grids.retiredAt })
			.from(grids)
			.where(this.driver.oneOf(grids.id, wanted));
		for (const g of found)
			this.grids.set(g.id, { communityCode: g.communityCode, retired: g.retiredAt !== null });
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
		return (await this.grid(gridId))?.communityCode ?? null;
	}

	/** A grid's community and whether it is retired, or null when there is no such grid. */
	async grid(gridId: string): Promise<{ communityCode: string; retired: boolean } | null> {
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
		await this.loadNextSeq();
		const seq = this.nextSeq++;
		this.changes.push({ ...change, seq, at: new Date() });
		return seq;
	}

	amendChange(seq: number, fields: Record<string, unknown>): boolean {
		const change = this.changes.find((c) => c.seq === seq);
		if (!change) return false;
		Object.assign(change.fields, fields);
		return true;
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
			// Time-ordered ids: moves of one batch share `at`, and the history lists them by (at, id)
			// in the order they were made (a device pushes 处置 and 办结 together after being offline).
			this.transitions.map((e) => ({ ...e, id: uuidv7(), at }))
		);
		if (this.deviceSync) {
			const { userId, deviceId, at: syncedAt } = this.deviceSync;
			await recordDeviceSync(this.tx, this.t, userId, deviceId, syncedAt);
		}
		this.discardPending();
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
