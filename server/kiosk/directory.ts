// Directory: what the kiosk needs to find a resident without typing a name, and nothing more:
// masked names and the last 4 characters of the ID number of the residents who check in daily,
// their birth year and the building and unit they live in (two people with the same ID tail and
// the same masked name tell themselves apart by these; never the room number), and whether their last request for help has been handled (README, "The kiosk"). No full ID
// numbers, phones or health history; the kiosk role receives no change log either
// (server/sync/scope.ts).
import { isHandled, type HandledStatus } from '../../src/lib/domain/incident';
import { buildingAndUnit } from '../../src/lib/forms/address';
import { maskName } from '../../src/lib/shared/mask';
import { forbidden } from '../api-error';
import { KIOSK_INCIDENT_CATEGORIES } from '../write/rules';
import type { Store, UserRow } from '../store/types';

export interface LastHelp {
	status: HandledStatus;
	/** ISO 8601: when it reached that status. */
	at: string;
}

export interface DirectoryEntry {
	residentId: string;
	householdId: string;
	gridId: string;
	maskedName: string;
	idTail: string | null;
	birthYear: number | null;
	/** Building and unit of the household's address (3栋2单元), never the room; null if unknown. */
	addressHint: string | null;
	/**
	 * The resident's latest help request or health alert once it has been handled; null while it
	 * is open (nothing to tell yet) or when they never raised one.
	 */
	lastHelp: LastHelp | null;
}

/** The directory of the community of a kiosk (or of a volunteer signed in on one). */
export async function kioskDirectory(
	store: Store,
	user: UserRow
): Promise<{ communityCode: string; residents: DirectoryEntry[] }> {
	const communityCode = user.scope.find((code) => /^\d{12}$/.test(code));
	if ((user.role !== 'kiosk' && user.role !== 'volunteer') || !communityCode)
		throw forbidden('role', 'the directory is for a community’s kiosk');
	const [rows, help] = await Promise.all([
		store.checkinResidents(communityCode),
		// What a kiosk raises with a check-in: its help requests and health alerts.
		store.lastHelpRequests(communityCode, KIOSK_INCIDENT_CATEGORIES)
	]);
	const handled = new Map<string, LastHelp>();
	for (const h of help)
		if (isHandled(h.status))
			handled.set(h.residentId, { status: h.status, at: h.at.toISOString() });
	// ID numbers may be stored encrypted (GRIDCARE_ID_KEY): open them for their last 4 only.
	const ids = await store.idProtection();
	return {
		communityCode,
		residents: rows.map((r) => ({
			residentId: r.id,
			householdId: r.householdId,
			gridId: r.gridId,
			maskedName: maskName(r.name),
			idTail: r.idNumber ? ids.open(r.idNumber).slice(-4).toUpperCase() : null,
			birthYear: r.birthYear,
			addressHint: buildingAndUnit(r.address),
			lastHelp: handled.get(r.id) ?? null
		}))
	};
}
