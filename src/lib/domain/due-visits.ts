// Today's due visits on the tablet (docs/care-tiers.md): the server keeps each household's due
// day, and the device brings it up to date with the visits recorded here since the server last
// worked it out, so a visit recorded offline clears its household at once. The rules are the
// ones of care.ts (dueOf); this only decides which local visits count.
import type { VisitOutcome } from '../shared/enums';
import {
	careTagOf,
	daysBetween,
	DUE_SIGNALS,
	dueOf,
	dueState,
	earlierSignal,
	signalCounts,
	type CareTag,
	type DueReason,
	type DueSignal,
	type Signal,
	type VisitFrequency
} from './care';
import { addDays, dayInZone } from './day';

/** A household's care fields as pulled from the server (absent until pulled). */
export interface DueHousehold {
	tags: readonly string[];
	lastVisitedOn?: string | null;
	dueOn?: string | null;
	dueReason?: DueReason | null;
	careTag?: CareTag | null;
}

/** A visit of the household on this device, with its calendar day (see visitDay). */
export interface DayVisit {
	day: string;
	outcome: VisitOutcome;
	abnormal: boolean;
}

export interface EffectiveDue {
	dueOn: string;
	dueReason: DueReason;
	/** The last visit that found someone home, this device's visits included; null: never. */
	lastVisitedOn: string | null;
	careTag: CareTag;
}

/** A visit's calendar day in the deployment's zone: the server's when pulled, else worked out. */
export function visitDay(visit: { visitedAt: string; day?: string }, timeZone: string): string {
	return visit.day ?? dayInZone(new Date(visit.visitedAt), timeZone);
}

/** Today (YYYY-MM-DD) at an instant (epoch ms) on the deployment's calendar. */
export function dayAt(epochMs: number, timeZone: string): string {
	return dayInZone(new Date(epochMs), timeZone);
}

/** Visits by household, each with its day (visitDay). */
export function dayVisitsByHousehold(
	visits: Iterable<
		{ householdId: string; visitedAt: string; day?: string } & Omit<DayVisit, 'day'>
	>,
	timeZone: string
): Map<string, DayVisit[]> {
	const byHousehold = new Map<string, DayVisit[]>();
	for (const v of visits) {
		const visit = { day: visitDay(v, timeZone), outcome: v.outcome, abnormal: v.abnormal };
		const list = byHousehold.get(v.householdId);
		if (list) list.push(visit);
		else byHousehold.set(v.householdId, [visit]);
	}
	return byHousehold;
}

export function isDueSignal(reason: DueReason | null | undefined): reason is DueSignal {
	return (DUE_SIGNALS as readonly string[]).includes(reason ?? '');
}

/**
 * The household's due day with this device's visits: the server's, unless a visit with outcome
 * `visited` on a later day than the server's last visit (or any, when it has none) is here; then
 * worked out again by dueOf from that visit's day, the server's signal while it still counts, and
 * abnormal findings of the visits here from that day on. Null when the server has not set a due
 * day and no visit here resets it (a household registered on this device, not pulled yet).
 */
export function effectiveDue(
	household: DueHousehold,
	visits: readonly DayVisit[],
	frequency: VisitFrequency
): EffectiveDue | null {
	const serverLast = household.lastVisitedOn ?? null;
	const careTag = household.careTag ?? careTagOf(household.tags, frequency);
	const last = visits
		.filter((v) => v.outcome === 'visited' && (serverLast === null || v.day > serverLast))
		.reduce<string | null>(
			(latest, v) => (latest === null || v.day > latest ? v.day : latest),
			null
		);
	if (last === null) {
		if (!household.dueOn) return null;
		return {
			dueOn: household.dueOn,
			dueReason: household.dueReason ?? careTag,
			lastVisitedOn: serverLast,
			careTag
		};
	}
	// The server tells its signal by its reason: the signal's day is the day before the due day.
	const kept: Signal | null =
		household.dueOn && isDueSignal(household.dueReason)
			? { day: addDays(household.dueOn, -1), kind: household.dueReason }
			: null;
	const signal = [
		kept,
		...visits.filter((v) => v.abnormal).map((v): Signal => ({ day: v.day, kind: 'abnormal' }))
	]
		.filter((s): s is Signal => s !== null && signalCounts(s, last))
		.reduce<Signal | null>(earlierSignal, null);
	const due = dueOf({ registeredOn: last, lastVisitedOn: last, signal, careTag, frequency });
	return { ...due, lastVisitedOn: last, careTag };
}

/** Why a household is due, for words on screen. */
export type DueWhy =
	| {
			kind: 'tier';
			careTag: CareTag;
			/** Days since the last visit; null: never visited. */ days: number | null;
	  }
	| {
			kind: 'signal';
			signal: DueSignal;
			/** Days from the signal to today (0: today). */ daysAgo: number;
	  };

export interface DueVisit<H> {
	household: H;
	due: EffectiveDue;
	state: 'overdue' | 'due';
	/** Days past the due day (0 when due today). */
	overdueDays: number;
	why: DueWhy;
}

/** Why a household is due on `today`. */
export function dueWhy(due: EffectiveDue, today: string): DueWhy {
	if (isDueSignal(due.dueReason))
		return {
			kind: 'signal',
			signal: due.dueReason,
			daysAgo: daysBetween(addDays(due.dueOn, -1), today)
		};
	return {
		kind: 'tier',
		careTag: due.careTag,
		days: due.lastVisitedOn === null ? null : daysBetween(due.lastVisitedOn, today)
	};
}

/**
 * The households due on `today` (calendar day in the deployment's zone), overdue first: the
 * longest overdue first, then by `compare` (an address order).
 */
export function dueVisits<H extends DueHousehold & { id: string }>(
	households: readonly H[],
	visitsOf: (householdId: string) => readonly DayVisit[],
	frequency: VisitFrequency,
	today: string,
	compare: (a: H, b: H) => number
): DueVisit<H>[] {
	const list: DueVisit<H>[] = [];
	for (const household of households) {
		const due = effectiveDue(household, visitsOf(household.id), frequency);
		const state = due && dueState(due.dueOn, today);
		if (!due || !state) continue;
		list.push({
			household,
			due,
			state,
			overdueDays: daysBetween(due.dueOn, today),
			why: dueWhy(due, today)
		});
	}
	return list.sort(
		(a, b) =>
			(a.due.dueOn < b.due.dueOn ? -1 : a.due.dueOn > b.due.dueOn ? 1 : 0) ||
			compare(a.household, b.household)
	);
}
