// Calendar ranges on this device, as the ISO strings visits are stored with (UTC, so string
// order is time order in the `[gridId+visitedAt]` index). Coverage is counted over the current
// check round when one is running on this device's calendar, else over the calendar month; the
// screens say which (coveragePeriodAt).

export interface TimeRange {
	/** Inclusive, ISO 8601 UTC. */
	from: string;
	/** Exclusive, ISO 8601 UTC. */
	to: string;
}

/** The local calendar month containing `now`. */
export function monthRange(now: Date): TimeRange {
	const from = new Date(now.getFullYear(), now.getMonth(), 1);
	const to = new Date(now.getFullYear(), now.getMonth() + 1, 1);
	return { from: from.toISOString(), to: to.toISOString() };
}

/** The local calendar day containing `now`. */
export function dayRange(now: Date): TimeRange {
	const from = new Date(now.getFullYear(), now.getMonth(), now.getDate());
	const to = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
	return { from: from.toISOString(), to: to.toISOString() };
}

export function inRange(iso: string, range: TimeRange): boolean {
	return iso >= range.from && iso < range.to;
}

/** The month and the day containing an instant (epoch ms), on this device's calendar. */
export function rangesAt(epochMs: number): { month: TimeRange; today: TimeRange } {
	const now = new Date(epochMs);
	return { month: monthRange(now), today: dayRange(now) };
}

/** An instant (epoch ms) as stored: ISO 8601 in UTC. */
export function isoAt(epochMs: number): string {
	return new Date(epochMs).toISOString();
}

/** A check round's dates, as pulled (YYYY-MM-DD, both inclusive). */
export interface RoundDates {
	name: string;
	startDate: string;
	dueDate: string;
}

/** The period coverage is counted over: a running check round, or the calendar month. */
export type CoveragePeriod =
	| { kind: 'round'; name: string; dueDate: string; range: TimeRange }
	| { kind: 'month'; range: TimeRange };

/** A local calendar day (epoch ms) as YYYY-MM-DD. */
function localDay(now: Date): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Local midnight starting a YYYY-MM-DD day, plus `days`. */
function midnightOf(date: string, days = 0): Date {
	const [y, m, d] = date.split('-').map(Number);
	return new Date(y, m - 1, d + days);
}

/**
 * The rounds running at an instant (epoch ms) on this device's calendar (startDate ≤ today ≤
 * dueDate), the one started last first (of two started the same day, the one listed first).
 */
export function roundsRunningAt<R extends Pick<RoundDates, 'startDate' | 'dueDate'>>(
	epochMs: number,
	rounds: readonly R[]
): R[] {
	const today = localDay(new Date(epochMs));
	return rounds
		.filter((round) => round.startDate <= today && today <= round.dueDate)
		.sort((a, b) => (a.startDate < b.startDate ? 1 : a.startDate > b.startDate ? -1 : 0));
}

/**
 * The coverage period at an instant (epoch ms): the round running today (startDate ≤ today ≤
 * dueDate; of several, the one started last), as [midnight of startDate, midnight after dueDate),
 * else the calendar month.
 */
export function coveragePeriodAt(epochMs: number, rounds: readonly RoundDates[]): CoveragePeriod {
	const now = new Date(epochMs);
	const current = roundsRunningAt(epochMs, rounds)[0];
	if (!current) return { kind: 'month', range: monthRange(now) };
	return {
		kind: 'round',
		name: current.name,
		dueDate: current.dueDate,
		range: {
			from: midnightOf(current.startDate).toISOString(),
			to: midnightOf(current.dueDate, 1).toISOString()
		}
	};
}
