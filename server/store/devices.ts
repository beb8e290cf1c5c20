// Devices' last sync, written by a push (with its batch) and by a pull.
import type { Db, Tables } from './driver';

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
