// The kiosk's data: enrolment, the helper's sign-in for assisted check-ins, and the check-in
// directory kept on the device (the check-in itself is in kiosk-checkin.ts).
import { z } from 'zod';
import type { GridcareDb } from '$lib/db/db';
import { directoryEntrySchema, type DirectoryEntry } from './kiosk-checkin';
import { apiRequest } from '$lib/app/api';
import { isQuotaError } from '$lib/db/quota';
import { getDeviceId, session } from '$lib/app/session.svelte';
import { endServerSession } from '$lib/privacy/sign-out';
import { loginResponseSchema, type SessionUser } from '$lib/app/types';

export * from './kiosk-checkin';

const directorySchema = z.object({
	communityCode: z.string(),
	residents: z.array(directoryEntrySchema)
});

export interface KioskDirectory {
	communityCode: string;
	residents: DirectoryEntry[];
	/** Epoch ms of the fetch. */
	fetchedAt: number;
}

const DIRECTORY_KEY = 'kiosk.directory';

/** Someone signed in on the kiosk for one purpose; never the kiosk's own session. */
export interface Enroller {
	user: SessionUser;
	token: string;
}

/**
 * An administrator or community head signs in on the kiosk to enrol it. Their token stays in the
 * page's memory: it is not saved as this device's session, so their scope is never downloaded
 * here and nothing of theirs stays on the kiosk. It ends on the server once the kiosk is enrolled
 * (enrolKiosk), or when the enroller leaves without enrolling (endServerSession).
 */
export async function signInEnroller(username: string, password: string): Promise<Enroller> {
	const deviceId = await getDeviceId();
	const answer = await apiRequest('/auth/login', loginResponseSchema, {
		method: 'POST',
		body: { username, password, deviceId }
	});
	return { user: answer.user, token: answer.token };
}

/** Enrol this device as the kiosk of a community; the kiosk's session becomes the device's. */
export async function enrolKiosk(
	enroller: Enroller,
	input: { communityCode: string; name?: string }
): Promise<void> {
	const deviceId = await getDeviceId();
	const answer = await apiRequest('/kiosks', loginResponseSchema, {
		method: 'POST',
		body: { ...input, deviceId },
		token: enroller.token
	});
	// The enroller's sign-in has served its one purpose: it ends on the server.
	await endServerSession(enroller.token);
	await session.adopt({
		token: answer.token,
		expiresAt: new Date(answer.expiresAt).toISOString(),
		user: answer.user
	});
}

/**
 * A helper signs in on the kiosk: their identity only, the kiosk keeps its own session. The
 * check-ins they assist go out under the kiosk's session naming them, so their own session is
 * not needed past this answer and ends on the server at once.
 */
export async function signInHelper(username: string, password: string): Promise<SessionUser> {
	const deviceId = await getDeviceId();
	const answer = await apiRequest('/auth/login', loginResponseSchema, {
		method: 'POST',
		body: { username, password, deviceId }
	});
	await endServerSession(answer.token);
	return answer.user;
}

const cachedDirectorySchema = directorySchema.extend({ fetchedAt: z.number() });

/** The directory as last fetched, from the kiosk's database (works offline). */
export async function cachedDirectory(db: GridcareDb): Promise<KioskDirectory | null> {
	const entry = await db.meta.get(DIRECTORY_KEY);
	const parsed = cachedDirectorySchema.safeParse(entry?.value);
	return parsed.success ? parsed.data : null;
}

/** Fetch the directory and keep it on the device; the cached one when the network is away. */
export async function refreshDirectory(db: GridcareDb): Promise<KioskDirectory> {
	const answer = await apiRequest('/kiosk/directory', directorySchema, { token: session.token });
	const directory: KioskDirectory = { ...answer, fetchedAt: Date.now() };
	// On a full disk the fresh copy still serves this session; the saved one stays for offline.
	await db.meta.put({ key: DIRECTORY_KEY, value: directory }).catch((error: unknown) => {
		if (!isQuotaError(error)) throw error;
	});
	return directory;
}
