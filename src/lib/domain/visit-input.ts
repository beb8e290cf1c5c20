// What a worker types into the visit form's free-text lists, read leniently: tablets with a
// Chinese input method send full-width commas (numbers: answers.ts, parseNumber).

/** Words typed under "other", split at commas and enumeration marks. */
export function splitOther(text: string): string[] {
	return text
		.split(/[,，、;；\n]/)
		.map((part) => part.trim())
		.filter(Boolean);
}
