// Every date and time on screen, in one place: one format per context, always in the deployment's
// time zone (GRIDCARE_TZ, told to the app at sign-in), never in the device's own.
//
//   formatDate           full date          2026年12月6日         December 6, 2026
//   formatShortDate      compact lists      12月6日               December 6
//   formatTime           time of day        14:05                 14:05
//   formatDateTime       full date and time 2026年12月6日 14:05   December 6, 2026 14:05
//   formatShortDateTime  lists with a time  12月6日 14:05         December 6 14:05
//   formatDay / formatShortDay: a calendar day as stored (YYYY-MM-DD: check rounds, roll-up days),
//   which is already a day of the deployment's calendar, in the same two words.
// The language follows the interface's (locale.svelte.ts makes getLocale reactive).
import { getLocale } from '$lib/paraglide/runtime';

/** The zone used until the server says otherwise (the server's own default, GRIDCARE_TZ unset). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

let deploymentZone = DEFAULT_TIME_ZONE;

/** The deployment's time zone, as the server told it (or the default). */
export function deploymentTimeZone(): string {
	return deploymentZone;
}

/** Take the server's zone; an unknown or missing one leaves the current zone. */
export function setDeploymentTimeZone(timeZone: string | null | undefined): void {
	if (!timeZone) return;
	try {
		new Intl.DateTimeFormat('en', { timeZone });
	} catch {
		return;
	}
	deploymentZone = timeZone;
}

type Instant = string | number | Date;

const FULL: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'long', day: 'numeric' };
const SHORT: Intl.DateTimeFormatOptions = { month: 'long', day: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function format(options: Intl.DateTimeFormatOptions, timeZone: string, value: Instant): string {
	const locale = getLocale();
	const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
	let formatter = formatters.get(key);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat(locale, { ...options, timeZone });
		formatters.set(key, formatter);
	}
	return formatter.format(new Date(value));
}

/** "2026年12月6日" / "December 6, 2026" */
export function formatDate(value: Instant): string {
	return format(FULL, deploymentZone, value);
}

/** "12月6日" / "December 6": no year, easy to read and to hear. */
export function formatShortDate(value: Instant): string {
	return format(SHORT, deploymentZone, value);
}

/** "14:05" */
export function formatTime(value: Instant): string {
	return format(TIME, deploymentZone, value);
}

/** "2026年12月6日 14:05" */
export function formatDateTime(value: Instant): string {
	return `${formatDate(value)} ${formatTime(value)}`;
}

/** "12月6日 14:05" */
export function formatShortDateTime(value: Instant): string {
	return `${formatShortDate(value)} ${formatTime(value)}`;
}

/** The time alone when it falls on today (in the deployment's zone), else the date and time. */
export function formatSyncTime(value: Instant, now: Instant = Date.now()): string {
	return format(FULL, deploymentZone, value) === format(FULL, deploymentZone, now)
		? formatTime(value)
		: formatShortDateTime(value);
}

/** Noon UTC of a YYYY-MM-DD day, formatted in UTC: the day as written, whatever the zone. */
function dayInstant(day: string): number {
	const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
	if (!match) throw new Error(`day: expected YYYY-MM-DD, got "${day}"`);
	return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 12);
}

/** A calendar day (YYYY-MM-DD) in full: "2026年12月6日". */
export function formatDay(day: string): string {
	return format(FULL, 'UTC', dayInstant(day));
}

/** A calendar day (YYYY-MM-DD) without the year: "12月6日". */
export function formatShortDay(day: string): string {
	return format(SHORT, 'UTC', dayInstant(day));
}
