// A push computes the day of every visit and check-in: formatting each instant through Intl
// costs more than the rest of its bookkeeping. The zone's UTC offset is looked up once per hour
// instead, and only where it is the same at both ends of the hour (so the day follows from
// plain arithmetic); an hour with an offset change goes through Intl for every instant.
const HOUR_MS = 3_600_000;
/** Hours remembered per zone before the memo starts over. */
const MAX_HOURS = 4096;
/** Instants in years 1000–9999: their offsets and ISO strings need no special cases. */
const FIRST = Date.UTC(1000, 0, 2);
const LAST = Date.UTC(9999, 11, 30);

interface Zone {
	day: Intl.DateTimeFormat;
	parts: Intl.DateTimeFormat;
	/** Offset (ms) valid for the whole UTC hour, or null when it changes within the hour. */
	hours: Map<number, number | null>;
}

const zones = new Map<string, Zone>();

function zone(timeZone: string): Zone {
	let z = zones.get(timeZone);
	if (!z) {
		z = {
			// en-CA formats as YYYY-MM-DD.
			day: new Intl.DateTimeFormat('en-CA', {
				timeZone,
				year: 'numeric',
				month: '2-digit',
				day: '2-digit'
			}),
			parts: new Intl.DateTimeFormat('en-US', {
				timeZone,
				hourCycle: 'h23',
				year: 'numeric',
				month: 'numeric',
				day: 'numeric',
				hour: 'numeric',
				minute: 'numeric',
				second: 'numeric'
			}),
			hours: new Map()
		};
		zones.set(timeZone, z);
	}
	return z;
}

/** The zone's offset from UTC at an instant, ms (wall clock minus UTC). */
function offsetAt(z: Zone, t: number): number {
	const p: Record<string, number> = {};
	for (const { type, value } of z.parts.formatToParts(t)) p[type] = Number(value);
	const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
	return wall - (t - (((t % 1000) + 1000) % 1000));
}

/** Calendar day (YYYY-MM-DD) of an instant in a time zone: "a day" of the roll-up. */
export function dayInZone(instant: Date, timeZone: string): string {
	const z = zone(timeZone);
	const t = instant.getTime();
	if (!(t >= FIRST && t <= LAST)) return z.day.format(instant);
	const hour = Math.floor(t / HOUR_MS);
	let offset = z.hours.get(hour);
	if (offset === undefined) {
		const start = offsetAt(z, hour * HOUR_MS);
		offset = start === offsetAt(z, (hour + 1) * HOUR_MS - 1000) ? start : null;
		if (z.hours.size >= MAX_HOURS) z.hours.clear();
		z.hours.set(hour, offset);
	}
	return offset === null ? z.day.format(instant) : new Date(t + offset).toISOString().slice(0, 10);
}

/** The calendar day `days` after (or before, when negative) a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** The instant a YYYY-MM-DD day starts in a time zone (its first instant, where DST skips midnight). */
export function startOfDayInZone(day: string, timeZone: string): Date {
	const z = zone(timeZone);
	const [y, m, d] = day.split('-').map(Number);
	const midnight = Date.UTC(y, m - 1, d);
	// The offset at midnight may differ from the offset at the first guess across a DST change.
	let guess = midnight - offsetAt(z, midnight);
	guess = midnight - offsetAt(z, guess);
	// Midnight that does not exist (clocks jump forward at 00:00): the day starts at the jump.
	if (dayInZone(new Date(guess), timeZone) !== day) guess += 3600_000;
	return new Date(guess);
}

/** The instant a YYYY-MM-DD day ends in a time zone (the next day's start, excluded from the day). */
export function endOfDayInZone(day: string, timeZone: string): Date {
	return startOfDayInZone(addDays(day, 1), timeZone);
}
