// Missed daily check-ins (README, "The grid worker's tablet"): residents who check in daily and
// have not done so by their community's cut-off become today's follow-ups on their grid worker's
// home screen. A follow-up closes with a check-in of channel "worker" (a visit or a call), like any
// check-in.
import { z } from 'zod';
import { dayInZone } from '$lib/domain/day';
import { apiRequest } from '$lib/app/api';

export const DEFAULT_CUTOFF = '10:00';
/** "A day" of check-ins, as for the roll-up (GRIDCARE_TZ's default). */
export const CHECKIN_TIME_ZONE = 'Asia/Shanghai';

const CUTOFF_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

export interface FollowupResident {
	id: string;
	dailyCheckIn: boolean;
}

export interface FollowupCheckin {
	residentId: string;
	/** ISO 8601. */
	at: string;
}

/** Minutes after midnight of `instant` in a time zone. */
export function minutesInZone(instant: Date, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-GB', {
		timeZone,
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23'
	}).formatToParts(instant);
	const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
	return part('hour') * 60 + part('minute');
}

/** "HH:MM" → minutes after midnight; an invalid value falls back to the default cut-off. */
export function cutoffMinutes(cutoff: string): number {
	const match = CUTOFF_PATTERN.exec(cutoff) ?? CUTOFF_PATTERN.exec(DEFAULT_CUTOFF)!;
	return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Today's follow-ups: residents with dailyCheckIn and no check-in on today's calendar day (in
 * `timeZone`), once the cut-off has passed; none before it. Keeps the residents' order.
 */
export function missedCheckins<R extends FollowupResident>(input: {
	residents: readonly R[];
	checkins: readonly FollowupCheckin[];
	now: Date;
	cutoff: string;
	timeZone?: string;
}): R[] {
	const timeZone = input.timeZone ?? CHECKIN_TIME_ZONE;
	if (minutesInZone(input.now, timeZone) < cutoffMinutes(input.cutoff)) return [];
	const today = dayInZone(input.now, timeZone);
	const checkedIn = new Set(
		input.checkins
			.filter((c) => dayInZone(new Date(c.at), timeZone) === today)
			.map((c) => c.residentId)
	);
	return input.residents.filter((r) => r.dailyCheckIn && !checkedIn.has(r.id));
}

const settingsSchema = z.object({ checkinCutoff: z.string().regex(CUTOFF_PATTERN) });
const cutoffKey = (communityCode: string) => `gridcare:checkin-cutoff:${communityCode}`;

/** The cut-off as last fetched for a community (or the default), without the network. */
export function storedCutoff(communityCode: string): string {
	try {
		const value = localStorage.getItem(cutoffKey(communityCode));
		return value && CUTOFF_PATTERN.test(value) ? value : DEFAULT_CUTOFF;
	} catch {
		return DEFAULT_CUTOFF;
	}
}

/** Fetch the community's cut-off and remember it; the last known one when that fails. */
export async function fetchCutoff(communityCode: string, token: string | null): Promise<string> {
	try {
		const settings = await apiRequest(
			`/communities/${encodeURIComponent(communityCode)}/settings`,
			settingsSchema,
			{ token }
		);
		localStorage.setItem(cutoffKey(communityCode), settings.checkinCutoff);
		return settings.checkinCutoff;
	} catch {
		return storedCutoff(communityCode);
	}
}
