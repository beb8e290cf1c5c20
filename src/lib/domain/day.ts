// Formatters are costly to build and a push formats every visit: keep one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

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
