// Calendar ranges on this device, as the ISO strings visits are stored with (UTC, so string
// order is time order in the `[gridId+visitedAt]` index). Until check rounds exist, coverage is
// counted over the current calendar month, and the screens say so.

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
