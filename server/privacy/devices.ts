// Revoking a lost or stolen device: its sessions end, the keys that wrap its local data are no
// longer handed out, and its next request is told to wipe itself (docs/security.md).
import { forbidden, notFound } from '../api-error';
import type { Store, UserRow } from '../store/types';
import { communitiesOfUser, communityOfHead, scopeWithin } from './access';

export interface Revoked {
	revokedSessions: number;
	/** Users who had sessions on the device. */
	users: string[];
	/** The community the revocation concerns, when it is one (for the audit entry). */
	communityCode: string | null;
}

/** Revoke a device: an administrator any, a community head those of their community's people. */
export async function revokeDevice(
	store: Store,
	user: UserRow,
	deviceId: string,
	now: Date
): Promise<Revoked> {
	if (user.role !== 'admin' && user.role !== 'community_head')
		throw forbidden('role', 'only an administrator or community head');
	const sessions = await store.sessionsOfDevice(deviceId);
	if (sessions.length === 0) throw notFound('deviceId', 'no such device');
	const communities = new Set<string>();
	const own = communityOfHead(user);
	for (const userId of new Set(sessions.map((s) => s.userId))) {
		const owner = await store.getUser(userId);
		if (!owner) continue;
		for (const code of await communitiesOfUser(store, owner)) communities.add(code);
		// A head revokes the devices of their community's own people only: never an administrator's
		// or an officer's whose scope reaches beyond it.
		if (user.role === 'community_head' && !(own && (await scopeWithin(store, owner, own))))
			throw forbidden('deviceId', 'used outside your community');
	}
	const revokedSessions = await store.revokeDeviceSessions(deviceId, now);
	// The keys that wrap the device's local data are no longer handed out to anyone.
	await store.forgetDeviceKeys(deviceId);
	await store.markDeviceRevoked(deviceId, now);
	return {
		revokedSessions,
		users: [...new Set(sessions.map((s) => s.userId))],
		communityCode: own ?? (communities.size === 1 ? [...communities][0] : null)
	};
}
