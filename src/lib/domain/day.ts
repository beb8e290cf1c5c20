/** Calendar day (YYYY-MM-DD) of an instant in a time zone: "a day" of the roll-up. */
export function dayInZone(instant: Date, timeZone: string): string {
	// en-CA formats as YYYY-MM-DD.
	return new Intl.DateTimeFormat('en-CA', {
		timeZone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(instant);
}
