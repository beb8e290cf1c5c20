import { i18n } from './locale.svelte';

/** A date and time in the interface language, e.g. "2024/11/24 16:20" or "11/24/24, 4:20 PM". */
export function formatDateTime(value: string | number | Date): string {
	return new Intl.DateTimeFormat(i18n.current, { dateStyle: 'short', timeStyle: 'short' }).format(
		new Date(value)
	);
}

/** A day in words without the year, e.g. "12月6日" or "December 6": easy to read and to hear. */
export function formatSpokenDate(value: string | number | Date): string {
	return new Intl.DateTimeFormat(i18n.current, { month: 'long', day: 'numeric' }).format(
		new Date(value)
	);
}
