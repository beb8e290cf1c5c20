// Formatters are costly to build and a push formats every visit: keep one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
const clockFormatters = new Map<string, Intl.DateTimeFormat>();

/** Calendar day (YYYY-MM-DD) of an instant in a time zone: "a day" of the roll-up. */
export function dayInZone(instant: Date, timeZone: string): string {
	let format = formatters.get(timeZone);
	if (!format) {
		// en-CA formats as YYYY-MM-DD.
		format = new Intl.DateTimeFormat('en-CA', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit'
		});
		formatters.set(timeZone, format);
	}
	return format.format(instant);
}

/** The calendar day `days` after (or before, when negative) a YYYY-MM-DD day. */
export function addDays(day: string, days: number): string {
	const [y, m, d] = day.split('-').map(Number);
	return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** How far a time zone's wall clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffsetMs(instant: Date, timeZone: string): number {
	let format = clockFormatters.get(timeZone);
	if (!format) {
		format = new Intl.DateTimeFormat('en-GB', {
			timeZone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
			hour: '2-digit',
			minute: '2-digit',
			second: '2-digit',
			hourCycle: 'h23'
		});
		clockFormatters.set(timeZone, format);
	}
	const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
	const wall = Date.UTC(
		Number(parts.year),
		Number(parts.month) - 1,
		Number(parts.day),
		Number(parts.hour),
		Number(parts.minute),
		Number(parts.second)
	);
	return wall - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a YYYY-MM-DD day starts in a time zone (its first instant, where DST skips midnight). */
export function startOfDayInZone(day: string, timeZone: string): Date {
	const [y, m, d] = day.split('-').map(Number);
	const midnight = Date.UTC(y, m - 1, d);
	// The offset at midnight may differ from the offset at the first guess across a DST change.
	let guess = midnight - zoneOffsetMs(new Date(midnight), timeZone);
	guess = midnight - zoneOffsetMs(new Date(guess), timeZone);
	// Midnight that does not exist (clocks jump forward at 00:00): the day starts at the jump.
	if (dayInZone(new Date(guess), timeZone) !== day) guess += 3600_000;
	return new Date(guess);
}

/** The instant a YYYY-MM-DD day ends in a time zone (the next day's start, excluded from the day). */
export function endOfDayInZone(day: string, timeZone: string): Date {
	return startOfDayInZone(addDays(day, 1), timeZone);
}
