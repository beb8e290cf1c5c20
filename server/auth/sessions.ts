// Opening a session on a device: what a sign-in answers, and a kiosk's enrolment the same way
// (server/kiosk/enrol.ts), so a device treats either session like the other. docs/security.md
// says how sessions, devices and device keys protect the data.
import { ApiError, invalidInput } from '../api-error';
import type { Store, UserRow } from '../store/types';
import type { Principal } from './scope';
import { newToken, tokenHash } from './tokens';

/** The answer of a sign-in: the bearer token, its end, the device key and the user. */
export interface OpenedSession {
	token: string;
	expiresAt: string;
	deviceKey: string;
	user: Pick<UserRow, 'id' | 'username' | 'displayName' | 'role' | 'scope'>;
}

/** 32 random bytes, base64. */
export function newDeviceKey(): string {
	return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64');
}

/** 403 `revoked` for a device an administrator revoked: no session is opened on it again. */
export async function refuseRevokedDevice(store: Store, deviceId: string): Promise<void> {
	if (await store.deviceRevoked(deviceId))
		throw new ApiError(
			403,
			'revoked',
			'deviceId: this device has been revoked by an administrator'
		);
}

/** 400 unless `deviceId` is the device the caller's session was opened on. */
export function requireSessionDevice(principal: Principal, deviceId: string): void {
	if (deviceId !== principal.deviceId)
		throw invalidInput('deviceId', 'not the device this session was opened on');
}

/**
 * Open a session of `user` on `deviceId` from `created` until `expiresAt`, with the key that
 * wraps the device's local data (the same for every session of this user on this device).
 */
export async function openSession(
	store: Store,
	user: UserRow,
	deviceId: string,
	created: Date,
	expiresAt: Date
): Promise<OpenedSession> {
	const token = newToken();
	await store.createSession({
		id: crypto.randomUUID(),
		tokenHash: tokenHash(token),
		userId: user.id,
		deviceId,
		createdAt: created,
		expiresAt
	});
	const deviceKey = await store.deviceKey(user.id, deviceId, newDeviceKey(), created);
	return {
		token,
		expiresAt: expiresAt.toISOString(),
		deviceKey,
		user: {
			id: user.id,
			username: user.username,
			displayName: user.displayName,
			role: user.role,
			scope: user.scope
		}
	};
}
