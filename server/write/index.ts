// The one write path for the synced tables (docs/architecture.md, "The write path"): every
// change to households, residents, visits, check-ins, incidents and rounds, whoever makes it,
// goes through write(). It opens one transaction, hands the caller a batch to state row
// operations on, settles what they imply, commits, and then raises the duplicate-registration
// flags of the ID numbers it wrote.
import type { Store } from '../store/types';
import { ROW_TRANSACTION } from '../store/row-access';
import { WriteBatch, type BatchOptions } from './batch';
import type { Actor } from './rules';

export { WriteBatch, type BatchOptions, type InsertFields } from './batch';
export { WriteRefusal, refuse, type RefusalKind } from './refusal';
export { SYSTEM, writeDenial, KIOSK_INCIDENT_CATEGORIES, type Actor, type Grid } from './rules';

export interface Written<T> {
	result: T;
	/** Communities whose roll-up figures the batch changed (their alerts may need a look). */
	communities: string[];
}

/**
 * Run `fn` with a batch acting as `actor`, in one transaction: all of it commits, or none
 * (a refusal or any error thrown out of `fn` rolls everything back).
 */
export async function write<T>(
	store: Store,
	actor: Actor,
	options: BatchOptions,
	fn: (batch: WriteBatch) => Promise<T>
): Promise<Written<T>> {
	const ids = await store.idProtection();
	const { result, batch } = await store[ROW_TRANSACTION](async (tx) => {
		const batch = new WriteBatch(tx, actor, ids, options);
		const result = await fn(batch);
		await batch.settle();
		return { result, batch };
	});
	// The same ID number in another household raises a flag to each community head concerned.
	if (batch.idHashes.size) await store.flagDuplicates([...batch.idHashes], options.now);
	return { result, communities: [...batch.communities] };
}
