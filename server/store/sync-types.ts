// The raw write transaction of the synced tables: only the write path (server/write/) holds one,
// through Store[ROW_TRANSACTION] (row-access.ts); everything else changes rows through a batch.
import type { TemplateVersion } from '../../src/lib/shared/templates';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { AppliedChange, RollupChange } from '../rollup/maintain';
import type { DayClock } from '../rollup/snapshots';
import type { RoundRow, RowReader, SyncRows, UserRow } from './rows';
import type { CareReader } from './care-queries';

export interface NewChange {
	tableName: SyncTable;
	rowId: string;
	op: 'insert' | 'update' | 'delete';
	fields: Record<string, unknown>;
	gridId: string;
	communityCode: string;
}

export interface FieldHistoryEntry {
	tableName: SyncTable;
	rowId: string;
	field: string;
	value: unknown;
	outcome: 'applied' | 'lost';
	actorId: string;
	mutationId: string;
}

export interface SyncTx extends RowReader {
	/** Read in bulk the rows (by table), grids and users a batch refers to; call once, first. */
	prefetch(refs: PrefetchRefs): Promise<void>;
	/** A user the batch names (prefetched, or read now); null when there is none. */
	getUser(id: string): Promise<UserRow | null>;
	/**
	 * Add to the roll-up figures what the applied changes did: call before flush(), while the
	 * database still holds the rows as they were (server/rollup/maintain.ts).
	 */
	maintainFigures(applied: AppliedChange[], clock: DayClock): Promise<RollupChange>;
	/**
	 * Recompute the roll-up figures of the grids of some communities, and through them their
	 * ancestors', from the rows as the batch has left them (after freezing the day before): for a
	 * change the incremental maintenance does not follow, a household moved to another grid
	 * (server/rollup/recompute.ts, recomputeGrids). Call after flush(). Returns the figure rows
	 * written.
	 */
	recomputeFigures(communityCodes: string[], clock: DayClock): Promise<number>;
	/** Every resident, incident and visit of a household, as the batch has left them so far. */
	householdRows(householdId: string): Promise<{
		residents: SyncRows['residents'][];
		incidents: SyncRows['incidents'][];
		visits: SyncRows['visits'][];
	}>;
	/** The queries the care tiers read stored rows with (server/store/care-queries.ts). */
	careReader(): CareReader;
	/** A row the batch holds as it left it; undefined when the batch has not read it. */
	heldRow<T extends SyncTable>(table: T, rowId: string): SyncRows[T] | null | undefined;
	/** Rows the batch inserted and has not written yet. */
	pendingInserts<T extends SyncTable>(table: T): SyncRows[T][];
	/** A check template's version, shipped or stored; null when there is none such. */
	templateVersion(id: string, version: number): Promise<TemplateVersion | null>;
	/** Store a new round and add its figures from the visits already recorded. */
	insertRound(round: RoundRow): Promise<void>;
	/** A grid's community and whether it is retired, or null when there is no such grid. */
	grid(gridId: string): Promise<{ communityCode: string; retired: boolean } | null>;
	/** The grids of every community under a division code. */
	gridsUnder(divisionCode: string): Promise<{ id: string; communityCode: string }[]>;
	/** Write everything the batch did so far; call last (and savepoint() calls it too). */
	flush(): Promise<void>;
	/**
	 * Run `fn` and write what it did, in a savepoint of the transaction. If either throws, the
	 * database and this transaction's memory (cached rows, pending writes, sequence numbers)
	 * return to where they were before, and the error is thrown on.
	 */
	savepoint<T>(fn: () => Promise<T>): Promise<T>;
	/** Which of these mutation ids were applied before. */
	appliedMutationIds(ids: string[]): Promise<Set<string>>;
	recordMutation(m: { id: string; deviceId: string; userId: string }): Promise<void>;
	/** The user's device synced at `at` (its last sync time); written at flush, with the batch. */
	recordDeviceSync(userId: string, deviceId: string, at: Date): void;
	insertRow<T extends SyncTable>(table: T, row: SyncRows[T]): Promise<void>;
	updateRow<T extends SyncTable>(table: T, rowId: string, set: Partial<SyncRows[T]>): Promise<void>;
	/** Append to the change log; returns the change's sequence number (the row's new version). */
	logChange(change: NewChange): Promise<number>;
	/** Add fields to a change not yet flushed; false when it has been (or there is no such). */
	amendChange(seq: number, fields: Record<string, unknown>): boolean;
	addFieldHistory(entries: FieldHistoryEntry[]): Promise<void>;
	addIncidentTransition(t: {
		incidentId: string;
		fromStatus: string | null;
		toStatus: string;
		actorId: string;
		note?: string;
	}): Promise<void>;
}

/** Row ids, grid ids and user ids a batch refers to, read in bulk before the batch is applied. */
export type PrefetchRefs = Partial<Record<SyncTable | 'grids' | 'users', Iterable<string>>>;
