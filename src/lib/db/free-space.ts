// What the device may drop of its own copy when storage runs short (docs/field-performance.md,
// "Storage"): visits and check-ins the server has had for longer than the window a new device
// downloads, never a row with a change waiting in the outbox, never the latest visit of a
// household or check-in of a resident (the lists show them), never a visit of the check round
// running now (its coverage counts them). Pulls do not bring them back: the server sends each
// change once.
import { coveragePeriodAt, roundsRunningAt } from '$lib/domain/calendar';
import type { GridcareDb } from './db';
import { storageWrite } from './quota';

/** Days of visits a first download brings (server/sync/pull.ts VISIT_WINDOW_DAYS). */
export const KEEP_DAYS = 90;

export interface Pruned {
	visits: number;
	checkins: number;
}

interface Dated {
	id: string;
	/** The household of a visit, the resident of a check-in. */
	owner: string;
	at: string;
	synced: boolean;
}

/** The rows older than `cutoff` that may go: synced, not waiting, not their owner's latest. */
function prunable(rows: Dated[], cutoff: string, waiting: Set<string>): string[] {
	const latest = new Map<string, string>();
	for (const row of rows) {
		const seen = latest.get(row.owner);
		if (seen === undefined || row.at > seen) latest.set(row.owner, row.at);
	}
	return rows
		.filter(
			(row) =>
				row.synced && row.at < cutoff && !waiting.has(row.id) && latest.get(row.owner) !== row.at
		)
		.map((row) => row.id);
}

/** Drop synced visits and check-ins older than `keepDays` (see above); returns how many went. */
export async function pruneSyncedHistory(
	db: GridcareDb,
	nowMs: number,
	keepDays = KEEP_DAYS
): Promise<Pruned> {
	return storageWrite(() =>
		db.transaction('rw', [db.visits, db.checkins, db.outbox, db.rounds], async () => {
			let cutoff = new Date(nowMs - keepDays * 86_400_000).toISOString();
			// The visits of a running round count towards its coverage, however long it runs.
			for (const round of roundsRunningAt(nowMs, await db.rounds.toArray())) {
				const from = coveragePeriodAt(nowMs, [round]).range.from;
				if (from < cutoff) cutoff = from;
			}
			const waiting = { visits: new Set<string>(), checkins: new Set<string>() };
			await db.outbox.each((entry) => {
				if (entry.table === 'visits' || entry.table === 'checkins')
					waiting[entry.table].add(entry.rowId);
			});
			const visits: Dated[] = [];
			await db.visits.each((v) =>
				visits.push({
					id: v.id,
					owner: v.householdId,
					at: v.visitedAt,
					synced: v.version !== undefined
				})
			);
			const checkins: Dated[] = [];
			await db.checkins.each((c) =>
				checkins.push({ id: c.id, owner: c.residentId, at: c.at, synced: c.version !== undefined })
			);
			const oldVisits = prunable(visits, cutoff, waiting.visits);
			const oldCheckins = prunable(checkins, cutoff, waiting.checkins);
			await db.visits.bulkDelete(oldVisits);
			await db.checkins.bulkDelete(oldCheckins);
			return { visits: oldVisits.length, checkins: oldCheckins.length };
		})
	);
}
