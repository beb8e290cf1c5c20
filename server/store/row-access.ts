// The key to the raw write transaction of the synced tables. Only the store (which implements
// it) and the write path (server/write/, which opens it) import this module; the import rules
// in .dependency-cruiser.cjs refuse it anywhere else, so no other code can write a synced row
// without the batch that authorizes it and derives its effects.
import type { SyncTx } from './sync-types';

export const ROW_TRANSACTION = Symbol('row transaction');

export interface RowTransactions {
	/** Run `fn` in one database transaction over the synced tables (all or nothing). */
	[ROW_TRANSACTION]<T>(fn: (tx: SyncTx) => Promise<T>): Promise<T>;
}
