// The kiosk's data: enrolment, the check-in directory kept on the device, finding a resident by
// the last 4 characters of their ID number, and recording a check-in with the help request or
// health alert it raises, queued through the outbox like every change.
import { z } from 'zod';
import type { GridcareDb } from '$lib/db/db';
import { recordCheckin, reportIncident } from '$lib/db/repositories';
import type { CheckinChannel, CheckinStatus } from '$lib/shared/enums';
import { apiRequest } from './api';
import { getDeviceId, session } from './session.svelte';
import { loginResponseSchema, type SessionUser } from './types';

export const directoryEntrySchema = z.object({
	residentId: z.string(),
	householdId: z.string(),
	gridId: z.string(),
	maskedName: z.string(),
	idTail: z.string().nullable()
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

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

/** What a resident may ask for; the words are on screen (ks_need_*), the codes go to the server. */
export const NEEDS = ['medicine', 'food', 'doctor', 'company', 'other'] as const;
export type Need = (typeof NEEDS)[number];

/** Roles that may sign in on a kiosk to check residents in on their behalf. */
export const HELPER_ROLES = ['volunteer', 'grid_worker', 'community_head'] as const;

/** Enrol this device as the kiosk of a community; its session replaces the enroller's. */
export async function enrolKiosk(input: { communityCode: string; name?: string }): Promise<void> {
	const deviceId = await getDeviceId();
	const answer = await apiRequest('/kiosks', loginResponseSchema, {
		method: 'POST',
		body: { ...input, deviceId },
		token: session.token
	});
	await session.adopt({
		token: answer.token,
		expiresAt: new Date(answer.expiresAt).toISOString(),
		user: answer.user
	});
}

/** A helper signs in on the kiosk: their identity only, the kiosk keeps its own session. */
export async function signInHelper(username: string, password: string): Promise<SessionUser> {
	const deviceId = await getDeviceId();
	const answer = await apiRequest('/auth/login', loginResponseSchema, {
		method: 'POST',
		body: { username, password, deviceId }
	});
	return answer.user;
}

/** The directory as last fetched, from the kiosk's database (works offline). */
export async function cachedDirectory(db: GridcareDb): Promise<KioskDirectory | null> {
	const entry = await db.meta.get(DIRECTORY_KEY);
	const value = entry?.value as KioskDirectory | undefined;
	return value && Array.isArray(value.residents) ? value : null;
}

/** Fetch the directory and keep it on the device; the cached one when the network is away. */
export async function refreshDirectory(db: GridcareDb): Promise<KioskDirectory> {
	const answer = await apiRequest('/kiosk/directory', directorySchema, { token: session.token });
	const directory: KioskDirectory = { ...answer, fetchedAt: Date.now() };
	await db.meta.put({ key: DIRECTORY_KEY, value: directory });
	return directory;
}

/** Residents whose ID number ends in `tail` (4 characters; a final X in either case). */
export function matchTail(residents: readonly DirectoryEntry[], tail: string): DirectoryEntry[] {
	const wanted = tail.trim().toUpperCase();
	if (!/^\d{3}[\dX]$/.test(wanted)) return [];
	return residents.filter((r) => r.idTail?.toUpperCase() === wanted);
}

export interface CheckinAnswer {
	resident: DirectoryEntry;
	status: CheckinStatus;
	needs: Need[];
	channel: CheckinChannel;
	/** The helper who signed in on the kiosk, for channel "assisted". */
	assistedBy?: string;
	/** Words for the help request the worker reads, in the kiosk's language. */
	description: string;
}

/**
 * Record a check-in and, for "need help" or "unwell", the incident the grid worker follows up:
 * a help request (high severity) or a health alert (medium), both in one transaction with the
 * check-in, so the two reach the server together or not at all.
 */
export async function submitCheckin(db: GridcareDb, answer: CheckinAnswer): Promise<void> {
	const { resident } = answer;
	await db.transaction('rw', [...db.syncedTables, db.outbox, db.meta], async () => {
		await recordCheckin(db, {
			residentId: resident.residentId,
			at: new Date().toISOString(),
			status: answer.status,
			channel: answer.channel,
			...(answer.needs.length ? { needs: answer.needs } : {}),
			...(answer.assistedBy ? { assistedBy: answer.assistedBy } : {})
		});
		if (answer.status === 'fine') return;
		await reportIncident(db, {
			gridId: resident.gridId,
			householdId: resident.householdId,
			category: answer.status === 'need_help' ? 'help_request' : 'health',
			severity: answer.status === 'need_help' ? 'high' : 'medium',
			description: answer.description
		});
	});
}
