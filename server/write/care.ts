// The care tiers' part of the write path (docs/care-tiers.md): when a batch settles, every
// household its rows touched gets its last visit, earliest signal since, tier and due day
// brought up to date, and written (logged to devices when a field they see changed) before the
// roll-up counts it. The stored household keeps what a later batch needs to avoid reading the
// household's history again: its last visit day, its earliest signal since, its tier.
import {
	careTagOf,
	dueOf,
	earlierSignal,
	signalCounts,
	type CareTag,
	type DueSignal,
	type Signal,
	type VisitFrequency
} from '../../src/lib/domain/care';
import { dayInZone } from '../../src/lib/domain/day';
import {
	householdIdsOfCommunity,
	lastVisitedDays,
	storedResidentTags,
	storedSignals,
	visitFrequencyOf
} from '../store/care-queries';
import type { AppliedChange } from '../rollup/maintain';
import type { DayClock } from '../rollup/snapshots';
import type { SyncRows } from '../store/rows';
import type { SyncTx } from '../store/sync-types';
import { recordChange } from './effects';

/** What a household needs brought up to date, collected over a batch's operations. */
interface Touch {
	/** Its tags or its residents' changed: the tier is worked out again. */
	tier: boolean;
	/** Read its last visit and signals from the stored rows (a refresh, or a help request's category changed). */
	full: boolean;
	/** Days of the batch's visits with outcome `visited`. */
	visited: string[];
	/** Signals the batch's own rows carry. */
	signals: Signal[];
}

/** The household fields devices receive. */
const LOGGED = ['lastVisitedOn', 'dueOn', 'dueReason', 'careTag'] as const;
/** Every field the care tiers keep on a household. */
const KEPT = [...LOGGED, 'signalOn', 'signalKind'] as const;
type CareFields = Pick<SyncRows['households'], (typeof KEPT)[number]>;

export class CareDue {
	private readonly touched = new Map<string, Touch>();
	private readonly refreshCommunities = new Set<string>();

	/** Work out the due day of every live household of a community again (its frequencies changed). */
	refreshCommunity(code: string): void {
		this.refreshCommunities.add(code);
	}

	/** Work out a household's due day again from its stored rows. */
	refresh(householdId: string): void {
		this.touch(householdId).full = true;
	}

	private touch(householdId: string): Touch {
		let t = this.touched.get(householdId);
		if (!t)
			this.touched.set(householdId, (t = { tier: false, full: false, visited: [], signals: [] }));
		return t;
	}

	/** Forget what was noted (a savepoint rolled back). */
	clear(): void {
		this.touched.clear();
		this.refreshCommunities.clear();
	}

	/**
	 * Bring the touched households up to date; returns the households it changed, for the
	 * roll-up. Call when the batch settles, before the figures are maintained.
	 */
	async settle(tx: SyncTx, applied: AppliedChange[], clock: DayClock): Promise<AppliedChange[]> {
		await this.note(tx, applied, clock.timeZone);
		const reader = tx.careReader();
		for (const code of this.refreshCommunities)
			for (const id of await householdIdsOfCommunity(reader, code)) this.refresh(id);
		this.refreshCommunities.clear();
		if (this.touched.size === 0) return [];

		// Read in bulk the households the batch has not read yet (a community refreshed).
		await tx.prefetch({
			households: [...this.touched.keys()].filter(
				(id) => tx.heldRow('households', id) === undefined
			)
		});
		const households = new Map<string, SyncRows['households']>();
		for (const id of this.touched.keys()) {
			const row = await tx.getRow('households', id);
			if (row && !row.deleted) households.set(id, row);
		}
		const ids = [...households.keys()];
		const touch = (id: string) => this.touched.get(id)!;

		// The last visit: the stored one (read again when asked to), and the batch's.
		const full = new Set(
			ids.filter((id) => touch(id).full || households.get(id)!.careTag === null)
		);
		const storedLast = await lastVisitedDays(reader, [...full]);
		const lastVisited = new Map<string, string | null>();
		for (const id of ids) {
			const h = households.get(id)!;
			const base = full.has(id) ? (storedLast.get(id) ?? null) : h.lastVisitedOn;
			lastVisited.set(id, [base, ...touch(id).visited].reduce(later, null));
		}

		// The earliest signal since: the kept one while it still counts, else read again.
		const reread = new Map<string, string | null>();
		for (const id of ids) {
			const h = households.get(id)!;
			const last = lastVisited.get(id)!;
			const kept = keptSignal(h);
			if (full.has(id) || (kept && !signalCounts(kept, last))) reread.set(id, last);
		}
		const stored = await storedSignals(reader, reread, clock.timeZone);
		for (const request of stored.requests) {
			// The batch may have changed the request's category since it was stored.
			const held = tx.heldRow('incidents', request.id);
			if (held && held.category !== 'help_request') continue;
			const last = reread.get(request.householdId);
			const signal: Signal = { day: request.day, kind: 'help_request' };
			if (signalCounts(signal, last ?? null))
				stored.signals.set(
					request.householdId,
					earlierSignal(stored.signals.get(request.householdId) ?? null, signal)!
				);
		}

		// The tier: from the tags of the household and its live residents, when they changed.
		const retier = new Set(ids.filter((id) => touch(id).tier || full.has(id)));
		const tags = await this.residentTags(tx, [...retier]);

		const frequencies = new Map<string, VisitFrequency>();
		const changed: AppliedChange[] = [];
		for (const id of ids) {
			const h = households.get(id)!;
			const code = (await tx.gridCommunity(h.gridId)) ?? '';
			if (!frequencies.has(code)) frequencies.set(code, await visitFrequencyOf(reader, code));
			const frequency = frequencies.get(code)!;
			const last = lastVisited.get(id)!;
			const careTag: CareTag = retier.has(id)
				? careTagOf([...h.tags, ...(tags.get(id) ?? [])], frequency)
				: (h.careTag as CareTag);
			const candidates = [
				reread.has(id) ? (stored.signals.get(id) ?? null) : keptSignal(h),
				...touch(id).signals
			].filter((s): s is Signal => s !== null && signalCounts(s, last));
			const signal = candidates.reduce<Signal | null>(earlierSignal, null);
			const due = dueOf({
				registeredOn: dayInZone(h.createdAt, clock.timeZone),
				lastVisitedOn: last,
				signal,
				careTag,
				frequency
			});
			const next: CareFields = {
				lastVisitedOn: last,
				signalOn: signal?.day ?? null,
				signalKind: signal?.kind ?? null,
				careTag,
				dueOn: due.dueOn,
				dueReason: due.dueReason
			};
			if (await write(tx, h, next, applied))
				changed.push({ table: 'households', op: 'update', rowId: id });
		}
		this.touched.clear();
		return changed;
	}

	/** Note what the batch's applied changes touch. */
	private async note(tx: SyncTx, applied: AppliedChange[], timeZone: string): Promise<void> {
		for (const a of applied) {
			switch (a.table) {
				case 'households':
					this.touch(a.rowId).tier = true;
					break;
				case 'residents': {
					const r = await tx.getRow('residents', a.rowId);
					if (r) this.touch(r.householdId).tier = true;
					break;
				}
				case 'visits': {
					const v = await tx.getRow('visits', a.rowId);
					if (!v) break;
					const t = this.touch(v.householdId);
					if (v.outcome === 'visited') t.visited.push(v.day);
					if (v.abnormal) t.signals.push({ day: v.day, kind: 'abnormal' });
					break;
				}
				case 'checkins': {
					const c = await tx.getRow('checkins', a.rowId);
					const r = c && (await tx.getRow('residents', c.residentId));
					if (!c || !r) break;
					const t = this.touch(r.householdId);
					if (c.status === 'unwell' || c.status === 'need_help')
						t.signals.push({ day: c.day, kind: c.status as DueSignal });
					break;
				}
				case 'incidents': {
					const i = await tx.getRow('incidents', a.rowId);
					if (!i?.householdId) break;
					const t = this.touch(i.householdId);
					// A request counts from the day it was made, whatever its category was then.
					if (i.category === 'help_request')
						t.signals.push({ day: dayInZone(i.createdAt, timeZone), kind: 'help_request' });
					// A changed category may also take a request away: its signals are read again
					// (the stored rows still hold the category before the batch).
					if (a.op !== 'insert') t.full = true;
					break;
				}
			}
		}
	}

	/** Tags of the live residents of some households, as the batch has left them. */
	private async residentTags(tx: SyncTx, householdIds: string[]): Promise<Map<string, string[]>> {
		const out = new Map<string, string[]>();
		if (householdIds.length === 0) return out;
		const wanted = new Set(householdIds);
		const residents = new Map<string, { householdId: string; tags: string[]; deleted: boolean }>();
		for (const r of await storedResidentTags(tx.careReader(), householdIds))
			residents.set(r.id, tx.heldRow('residents', r.id) ?? r);
		for (const r of tx.pendingInserts('residents'))
			if (wanted.has(r.householdId)) residents.set(r.id, r);
		for (const r of residents.values())
			if (!r.deleted) out.set(r.householdId, [...(out.get(r.householdId) ?? []), ...r.tags]);
		return out;
	}
}

const later = (a: string | null, b: string | null) =>
	a === null ? b : b === null || a >= b ? a : b;

/** The signal a household keeps, if any. */
function keptSignal(h: SyncRows['households']): Signal | null {
	return h.signalOn && h.signalKind ? { day: h.signalOn, kind: h.signalKind as DueSignal } : null;
}

/**
 * Write a household's care fields when they changed: into its insert when the batch created it,
 * else one logged update of what devices see (a change of the kept signal alone is stored, not
 * logged). True when what devices see changed.
 */
async function write(
	tx: SyncTx,
	h: SyncRows['households'],
	next: CareFields,
	applied: AppliedChange[]
): Promise<boolean> {
	if (KEPT.every((k) => h[k] === next[k])) return false;
	const logged = Object.fromEntries(LOGGED.map((k) => [k, next[k]]));
	const inserted = applied.some(
		(a) => a.table === 'households' && a.op === 'insert' && a.rowId === h.id
	);
	if (inserted && tx.amendChange(h.version, logged)) {
		await tx.updateRow('households', h.id, next);
		return true;
	}
	if (LOGGED.every((k) => h[k] === next[k])) {
		await tx.updateRow('households', h.id, next);
		return false;
	}
	const communityCode = (await tx.gridCommunity(h.gridId)) ?? '';
	await recordChange(
		tx,
		'households',
		h,
		{ id: h.gridId, communityCode, retired: false },
		{
			op: 'update',
			logged,
			stored: next,
			at: null
		}
	);
	return true;
}
