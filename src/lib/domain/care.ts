// Care tiers (docs/care-tiers.md): how often a household must be visited, from its own and its
// residents' tags, and the day its next visit is due. One set of rules for the server, which
// keeps each household's due day (server/write/care.ts), the roll-up that counts due and
// overdue households, and the tablet, which shows today's due visits and clears one as soon as
// a visit is recorded offline.
import { z } from 'zod';
import { HOUSEHOLD_TAGS, type HouseholdTag } from '../shared/enums';
import { addDays } from './day';

/** A tier: one of the care tags, or `default` for a household with none of them. */
export type CareTag = HouseholdTag | 'default';
export const CARE_TAGS = [...HOUSEHOLD_TAGS, 'default'] as const satisfies readonly CareTag[];

/** Days between visits per tier, as a community head sets them. */
export type VisitFrequency = Record<CareTag, number>;

export const DEFAULT_VISIT_FREQUENCY: VisitFrequency = {
	elderly_alone: 7,
	advanced_age: 14,
	disabled: 14,
	low_income: 30,
	key_care: 7,
	default: 90
};

/** Longest interval a community may set: a year. */
export const MAX_VISIT_INTERVAL = 365;

const intervalSchema = z.number().int().min(1).max(MAX_VISIT_INTERVAL);

export const visitFrequencySchema = z
	.object(
		Object.fromEntries(CARE_TAGS.map((tag) => [tag, intervalSchema])) as Record<
			CareTag,
			typeof intervalSchema
		>
	)
	.strict();

/**
 * What makes a household due within a day whatever its tier: a visit's abnormal finding, an
 * unwell or need-help check-in, a help request. In this order when several fall on one day.
 */
export const DUE_SIGNALS = ['abnormal', 'need_help', 'help_request', 'unwell'] as const;
export type DueSignal = (typeof DUE_SIGNALS)[number];

/** Why a household is due when it is: its tier's interval ran out, or a signal. */
export type DueReason = CareTag | DueSignal;

/**
 * The tier of a household: among the care tags of the household and its residents, the one with
 * the shortest interval (the first in HOUSEHOLD_TAGS order on a tie); `default` when none.
 */
export function careTagOf(tags: Iterable<string>, frequency: VisitFrequency): CareTag {
	const held = new Set(tags);
	let best: CareTag = 'default';
	for (const tag of HOUSEHOLD_TAGS)
		if (held.has(tag) && frequency[tag] < frequency[best]) best = tag;
	return best;
}

/** A signal as it happened: its calendar day and kind. */
export interface Signal {
	day: string;
	kind: DueSignal;
}

/** The earlier of two signals (on the same day, the one first in DUE_SIGNALS). */
export function earlierSignal(a: Signal | null, b: Signal | null): Signal | null {
	if (!a) return b;
	if (!b) return a;
	if (a.day !== b.day) return a.day < b.day ? a : b;
	return DUE_SIGNALS.indexOf(a.kind) <= DUE_SIGNALS.indexOf(b.kind) ? a : b;
}

/**
 * Whether a signal still counts after the last visit: one on the visit's own day does (a
 * finding of that visit, or a check-in whose order against an offline visit is unknown).
 */
export function signalCounts(signal: Signal, lastVisitedOn: string | null): boolean {
	return lastVisitedOn === null || signal.day >= lastVisitedOn;
}

export interface CareInput {
	/** Calendar day the household was registered (when it has never been visited). */
	registeredOn: string;
	/** Day of the last visit with outcome `visited`; null: never. */
	lastVisitedOn: string | null;
	/** The earliest signal that counts since the last visit (signalCounts), if any. */
	signal: Signal | null;
	careTag: CareTag;
	frequency: VisitFrequency;
}

export interface CareDue {
	dueOn: string;
	dueReason: DueReason;
}

/**
 * The day the next visit is due: the last visit (or the registration) plus the tier's interval,
 * or the day after a signal when that is earlier (a signal wins a tie: it says more).
 */
export function dueOf(input: CareInput): CareDue {
	const base = input.lastVisitedOn ?? input.registeredOn;
	const byTier = addDays(base, input.frequency[input.careTag]);
	const signal =
		input.signal && signalCounts(input.signal, input.lastVisitedOn) ? input.signal : null;
	if (signal) {
		const bySignal = addDays(signal.day, 1);
		if (bySignal <= byTier) return { dueOn: bySignal, dueReason: signal.kind };
	}
	return { dueOn: byTier, dueReason: input.careTag };
}

/** Whole days from `from` to `to` (both YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
	return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Due today or earlier (`dueOn` ≤ day), and overdue (`dueOn` < day). */
export function dueState(dueOn: string | null, day: string): 'overdue' | 'due' | null {
	if (dueOn === null || dueOn > day) return null;
	return dueOn < day ? 'overdue' : 'due';
}
