// What a worker types into the visit form, read leniently: tablets with a Chinese input method
// send full-width digits and commas.

/** "37,5", "37.5 ", "３７．５" → 37.5; empty → undefined; anything else → NaN. */
export function parseTemperature(text: string): number | undefined {
	const normalized = text
		.trim()
		.replace(/[０-９．，]/g, (c) =>
			c === '．' || c === '，' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)
		)
		.replace(',', '.');
	if (normalized === '') return undefined;
	return /^\d{1,2}(\.\d{1,2})?$/.test(normalized) ? Number(normalized) : Number.NaN;
}

/** Words typed under "other", split at commas and enumeration marks. */
export function splitOther(text: string): string[] {
	return text
		.split(/[,，、;；\n]/)
		.map((part) => part.trim())
		.filter(Boolean);
}
