// An unmask done offline (a phone the device holds) is recorded in the outbox as an `audit`
// mutation: insert-only, never pulled, sent with the next push (README, "Privacy (personal data)").
import type { GridcareDb, OutboxEntry } from '$lib/db/db';
import { storageWrite } from '$lib/db/quota';
import type { OfflineAuditFields, UnmaskField, UnmaskReason } from '$lib/shared/privacy';

export async function recordOfflineUnmask(
	db: GridcareDb,
	residentId: string,
	field: UnmaskField,
	reason: UnmaskReason
): Promise<void> {
	const rowId = crypto.randomUUID();
	const fields: OfflineAuditFields = { residentId, field, reason, at: new Date().toISOString() };
	const mutation = { id: crypto.randomUUID(), table: 'audit', op: 'insert', rowId, fields };
	// The outbox's types name the synced tables; `audit` rides in it as the push schema allows.
	const entry = {
		table: 'audit',
		rowId,
		mutation,
		state: 'pending',
		createdAt: db.now(),
		attempts: 0
	} as unknown as OutboxEntry;
	// On a full disk nothing is recorded (StorageFullError), and the number stays hidden.
	await storageWrite(() => db.transaction('rw', db.outbox, () => db.outbox.add(entry)));
	db.notifyLocalWrite();
}
