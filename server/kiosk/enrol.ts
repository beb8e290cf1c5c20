// Enrolment: an administrator or the community head, signed in on the kiosk, enrols it to a
// community. The server creates a `kiosk` user scoped to that community (its password is random
// and never shown: the kiosk never signs in by name) and a long-lived session for this device;
// the kiosk then runs with no person signed in, offline most of the time.
import { randomBytes } from 'node:crypto';
import { forbidden, invalidInput } from '../api-error';
import { hashPassword } from '../auth/password';
import type { Principal } from '../auth/scope';
import { canSeeDivision } from '../auth/scope';
import {
	openSession,
	refuseRevokedDevice,
	requireSessionDevice,
	type OpenedSession
} from '../auth/sessions';
import type { Store } from '../store/types';

/** A kiosk stays enrolled for a year; an administrator revokes it by disabling its user. */
export const KIOSK_SESSION_DAYS = 365;

/**
 * Enrol the enroller's device as the kiosk of a community: a new kiosk user and its session on
 * that device, answered like a sign-in. Throws the refusal (403, 400) before anything is created.
 */
export async function enrolKiosk(
	store: Store,
	enroller: Principal,
	input: { communityCode: string; deviceId: string; name?: string },
	now: Date
): Promise<OpenedSession> {
	const { user } = enroller;
	const { communityCode, deviceId, name } = input;
	if (user.role !== 'admin' && user.role !== 'community_head')
		throw forbidden('role', 'only an administrator or community head enrols a kiosk');
	if (!canSeeDivision(user, communityCode))
		throw forbidden('communityCode', 'community is outside your scope');
	const community = await store.getDivision(communityCode);
	if (!community || community.level !== 'community')
		throw invalidInput('communityCode', 'no such community');
	// The kiosk's session belongs to the device the enroller signed in on, and only while that
	// device may sign in at all.
	requireSessionDevice(enroller, deviceId);
	await refuseRevokedDevice(store, deviceId);
	const kiosk = await store.createUser({
		username: `kiosk-${communityCode}-${randomBytes(4).toString('hex')}`,
		displayName: name ?? community.name,
		role: 'kiosk',
		scope: [communityCode],
		// Nobody signs in as a kiosk: the password is random and thrown away.
		passwordHash: await hashPassword(randomBytes(24).toString('base64url'))
	});
	const expiresAt = new Date(now.getTime() + KIOSK_SESSION_DAYS * 86_400_000);
	// The same answer as a sign-in, so the device treats the kiosk's session like any other.
	const session = await openSession(store, kiosk, deviceId, now, expiresAt);
	await store.appendAudit({
		userId: user.id,
		role: user.role,
		action: 'kiosk.enrol',
		subjectType: 'user',
		subjectId: kiosk.id,
		communityCode,
		reason: null,
		deviceId,
		details: { name: kiosk.displayName }
	});
	return session;
}
