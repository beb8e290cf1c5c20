// The synced rows as the database holds them, and the read view of a write in progress. A leaf:
// imports nothing of the server's own, so the roll-up and the write path may both use it.
import type { InferSelectModel } from 'drizzle-orm';
import type * as schema from '../db/schema.pg';
import type { Role, SyncTable } from '../../src/lib/shared/enums';

export type UserRow = InferSelectModel<typeof schema.users> & { role: Role };
export type RoundRow = InferSelectModel<typeof schema.rounds>;
export type GridRow = InferSelectModel<typeof schema.grids>;

export type SyncRows = {
	households: InferSelectModel<typeof schema.households>;
	residents: InferSelectModel<typeof schema.residents>;
	visits: InferSelectModel<typeof schema.visits>;
	checkins: InferSelectModel<typeof schema.checkins>;
	incidents: InferSelectModel<typeof schema.incidents>;
};

/** What a write in progress reads: rows as the batch has left them so far, and grids' communities. */
export interface RowReader {
	getRow<T extends SyncTable>(table: T, rowId: string): Promise<SyncRows[T] | null>;
	/** The community of a grid, or null when there is no such grid. */
	gridCommunity(gridId: string): Promise<string | null>;
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
