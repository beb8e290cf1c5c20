// What the sync engine (server/sync/) needs from the database, inside one transaction.
import type { InferSelectModel, SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type * as schema from '../db/schema.pg';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { Db, Tables } from './driver';
import type { FrozenDays } from '../rollup/snapshots';

export type SyncRows = {
	households: InferSelectModel<typeof schema.households>;
	residents: InferSelectModel<typeof schema.residents>;
	visits: InferSelectModel<typeof schema.visits>;
	checkins: InferSelectModel<typeof schema.checkins>;
	incidents: InferSelectModel<typeof schema.incidents>;
};

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

/** The transaction's own connection, for roll-up maintenance (server/rollup/). */
export interface TxDatabase {
	db: Db;
	tables: Tables;
	maxParams: number;
	/** `column IN (values)` with the whole list bound as one parameter. */
	oneOf(column: PgColumn, values: string[]): SQL;
	/** The store's end-of-day snapshots (server/rollup/snapshots.ts). */
	frozenDays: FrozenDays;
}

export interface SyncTx {
	/** Roll-up: the transaction's connection; until flush() it holds the state before the batch. */
	database(): TxDatabase;
	/** Read in bulk the rows (by table) and grids a batch refers to; call once, first. */
	prefetch(refs: Partial<Record<SyncTable | 'grids', Iterable<string>>>): Promise<void>;
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
	gridCommunity(gridId: string): Promise<string | null>;
	getRow<T extends SyncTable>(table: T, rowId: string): Promise<SyncRows[T] | null>;
	insertRow<T extends SyncTable>(table: T, row: SyncRows[T]): Promise<void>;
	updateRow<T extends SyncTable>(table: T, rowId: string, set: Partial<SyncRows[T]>): Promise<void>;
	/** Append to the change log; returns the change's sequence number (the row's new version). */
	logChange(change: NewChange): Promise<number>;
	addFieldHistory(entries: FieldHistoryEntry[]): Promise<void>;
	addIncidentTransition(t: {
		incidentId: string;
		fromStatus: string | null;
		toStatus: string;
		actorId: string;
		note?: string;
	}): Promise<void>;
}

export interface ChangeRow {
	seq: number;
	tableName: string;
	rowId: string;
	op: string;
	fields: Record<string, unknown>;
}

export interface PullFilter {
	/** Changes of these grids… */
	gridIds?: string[];
	/** …or of these whole communities. */
	communityCodes?: string[];
	after: number;
	limit: number;
	/** Leave out visits recorded before this instant (a device's first download). */
	visitsSince?: Date;
}
