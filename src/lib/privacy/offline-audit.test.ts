// An offline unmask record goes through the outbox like any change: folded with nothing, sent
// once, removed when the server applied it, and valid under the push schema the server uses.
import { describe, expect, it } from 'vitest';
import { openTestDb } from '$lib/sync/test-support';
import { applyPushResults, foldOutbox, outboxCounts, takeBatch } from '$lib/sync/outbox';
import { pushRequestSchema } from '$lib/shared/schemas';
import { recordOfflineUnmask } from './offline-audit';

describe('offline unmask record', () => {
	it('waits in the outbox, is sent as a valid `audit` insert, and leaves once applied', async () => {
		const db = openTestDb();
		await db.open();
		const residentId = crypto.randomUUID();
		await recordOfflineUnmask(db, residentId, 'phone', 'emergency_aid');
		await recordOfflineUnmask(db, residentId, 'phone', 'contact_resident');
		expect(await foldOutbox(db)).toBe(0);
		expect(await outboxCounts(db)).toEqual({ pending: 2, rejected: 0 });

		const batch = await takeBatch(db, 0, 10, new Set());
		const mutations = batch.entries.map((e) => e.mutation);
		expect(mutations.map((m) => [m.table, m.op, m.fields.reason])).toEqual([
			['audit', 'insert', 'emergency_aid'],
			['audit', 'insert', 'contact_resident']
		]);
		expect(mutations[0].fields).toMatchObject({ residentId, field: 'phone' });
		expect(pushRequestSchema.safeParse({ deviceId: 'd', mutations }).success).toBe(true);

		await applyPushResults(db, batch.entries, [
			{ id: mutations[0].id, status: 'applied' },
			{ id: mutations[1].id, status: 'duplicate' }
		]);
		expect(await outboxCounts(db)).toEqual({ pending: 0, rejected: 0 });
		db.close();
	});
});
