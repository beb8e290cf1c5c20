// A kiosk check-in on the device: finding a resident by the last 4 characters of their ID
// number, and recording the check-in with the help request or health alert it raises, queued
// through the outbox like every change.
import { z } from 'zod';
import type { GridcareDb } from '$lib/db/db';
import { HANDLED_STATUSES } from '$lib/domain/incident';
import { recordCheckin, recordCheckinWithIncident } from '$lib/db/repositories';
import type { CheckinChannel, CheckinStatus } from '$lib/shared/enums';

/** The resident's latest help request or health alert, once handled (README, "The kiosk"). */
export const lastHelpSchema = z.object({ status: z.enum(HANDLED_STATUSES), at: z.string() });
export type LastHelp = z.infer<typeof lastHelpSchema>;

export const directoryEntrySchema = z.object({
	residentId: z.string(),
	householdId: z.string(),
	gridId: z.string(),
	maskedName: z.string(),
	idTail: z.string().nullable(),
	// A directory cached by an earlier version of the app has neither: the names alone then.
	birthYear: z.number().int().nullable().default(null),
	addressHint: z.string().nullable().default(null),
	// A directory cached by an earlier version of the app has none: nothing to tell.
	lastHelp: lastHelpSchema.nullable().default(null)
});
export type DirectoryEntry = z.infer<typeof directoryEntrySchema>;

/** What a resident may ask for; the words are on screen (ks_need_*), the codes go to the server. */
export const NEEDS = ['medicine', 'food', 'doctor', 'company', 'other'] as const;
export type Need = (typeof NEEDS)[number];

/** Roles that may sign in on a kiosk to check residents in on their behalf. */
export const HELPER_ROLES = ['volunteer', 'grid_worker', 'community_head'] as const;

/** Someone signed in on the kiosk to check residents in on their behalf. */
export interface KioskHelper {
	/** Their user id; null on a volunteer's own device, whose session names them already. */
	id: string | null;
	name: string;
	/**
	 * The grids a grid worker answers for; null for a volunteer or the community head, who may
	 * assist any resident of the community (the server's rule for assisted check-ins).
	 */
	grids: string[] | null;
}

/** The grids a helper with this role and scope may assist in; null for the whole community. */
export function helperGrids(user: { role: string; scope: string[] }): string[] | null {
	return user.role === 'grid_worker' ? [...user.scope] : null;
}

/** Whether the helper may record a check-in of this resident. */
export function mayAssist(helper: KioskHelper, resident: DirectoryEntry): boolean {
	return helper.grids === null || helper.grids.includes(resident.gridId);
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

/** The rows a check-in wrote: the check-in, and the incident it raised if any. */
export interface SubmittedCheckin {
	checkinId: string;
	incidentId: string | null;
}

/**
 * Record a check-in and, for "need help" or "unwell", the incident the grid worker follows up:
 * a help request (high severity) or a health alert (medium), both in one transaction with the
 * check-in, so the two reach the server together or not at all.
 */
export async function submitCheckin(
	db: GridcareDb,
	answer: CheckinAnswer
): Promise<SubmittedCheckin> {
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
		const row = await recordCheckin(db, checkin);
		return { checkinId: row.id, incidentId: null };
	}
	const rows = await recordCheckinWithIncident(db, checkin, {
		gridId: resident.gridId,
		householdId: resident.householdId,
		residentId: resident.residentId,
		category: answer.status === 'need_help' ? 'help_request' : 'health',
		severity: answer.status === 'need_help' ? 'high' : 'medium',
		description: answer.description
	});
	return { checkinId: rows.checkin.id, incidentId: rows.incident.id };
}

/**
 * Where a check-in stands: "pending" while its changes wait in the outbox, "rejected" once the
 * server refused any of them (the outbox keeps a refused change with its reason), "sent" once
 * all of them have left the outbox, applied by the server.
 */
export type Delivery = 'pending' | 'sent' | 'rejected';

export async function deliveryOf(db: GridcareDb, submitted: SubmittedCheckin): Promise<Delivery> {
	const rows: ['checkins' | 'incidents', string][] = [['checkins', submitted.checkinId]];
	if (submitted.incidentId) rows.push(['incidents', submitted.incidentId]);
	let pending = false;
	for (const key of rows) {
		const entries = await db.outbox.where('[table+rowId]').equals(key).toArray();
		if (entries.some((entry) => entry.state === 'rejected')) return 'rejected';
		if (entries.length) pending = true;
	}
	return pending ? 'pending' : 'sent';
}

// ---- Hearing back (README, "The kiosk") --------------------------------------------------

/** Per resident, the `at` of the handled request the kiosk has told them about. */
const TOLD_KEY = 'kiosk.helpTold';
const toldSchema = z.record(z.string(), z.string());

async function toldAbout(db: GridcareDb): Promise<Record<string, string>> {
	const parsed = toldSchema.safeParse((await db.meta.get(TOLD_KEY))?.value);
	return parsed.success ? parsed.data : {};
}

/**
 * What the kiosk has to tell the resident about their last request for help: that it was handled,
 * and when; null once they have been told (they hear it once), or when there is nothing to tell.
 */
export async function helpFeedback(
	db: GridcareDb,
	resident: DirectoryEntry
): Promise<LastHelp | null> {
	const { lastHelp } = resident;
	if (!lastHelp) return null;
	return (await toldAbout(db))[resident.residentId] === lastHelp.at ? null : lastHelp;
}

/** The resident has been told (their check-in is done): the kiosk does not tell them again. */
export async function markHelpFeedbackTold(
	db: GridcareDb,
	resident: DirectoryEntry
): Promise<void> {
	const { lastHelp } = resident;
	if (!lastHelp) return;
	await db.transaction('rw', db.meta, async () => {
		// One entry per resident at most: the latest request told.
		const told = await toldAbout(db);
		await db.meta.put({ key: TOLD_KEY, value: { ...told, [resident.residentId]: lastHelp.at } });
	});
}
