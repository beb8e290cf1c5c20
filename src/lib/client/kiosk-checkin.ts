// A kiosk check-in on the device: finding a resident by the last 4 characters of their ID
// number, and recording the check-in with the help request or health alert it raises, queued
// through the outbox like every change.
import { z } from 'zod';
import type { GridcareDb } from '$lib/db/db';
import { recordCheckin, recordCheckinWithIncident } from '$lib/db/repositories';
import type { CheckinChannel, CheckinStatus } from '$lib/shared/enums';

export const directoryEntrySchema = z.object({
	residentId: z.string(),
	householdId: z.string(),
	gridId: z.string(),
	maskedName: z.string(),
	idTail: z.string().nullable()
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

/** What a resident may ask for; the words are on screen (ks_need_*), the codes go to the server. */
export const NEEDS = ['medicine', 'food', 'doctor', 'company', 'other'] as const;
export type Need = (typeof NEEDS)[number];

/** Roles that may sign in on a kiosk to check residents in on their behalf. */
export const HELPER_ROLES = ['volunteer', 'grid_worker', 'community_head'] as const;

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
	const checkin = {
		residentId: resident.residentId,
		at: new Date().toISOString(),
		status: answer.status,
		channel: answer.channel,
		...(answer.needs.length ? { needs: [...answer.needs] } : {}),
		...(answer.assistedBy ? { assistedBy: answer.assistedBy } : {})
	};
	if (answer.status === 'fine') {
		await recordCheckin(db, checkin);
		return;
	}
	await recordCheckinWithIncident(db, checkin, {
		gridId: resident.gridId,
		householdId: resident.householdId,
		category: answer.status === 'need_help' ? 'help_request' : 'health',
		severity: answer.status === 'need_help' ? 'high' : 'medium',
		description: answer.description
	});
}
