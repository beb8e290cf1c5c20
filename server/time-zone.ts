// The time zone that defines "a day" for roll-ups (GRIDCARE_TZ), shared by the configuration and
// by store code that runs without it (bulk inserts from the command line).
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/** GRIDCARE_TZ, checked; the default when unset. */
export function timeZoneFromEnv(env: NodeJS.ProcessEnv = process.env): string {
	const timeZone = env.GRIDCARE_TZ || DEFAULT_TIME_ZONE;
	try {
		new Intl.DateTimeFormat('en', { timeZone });
	} catch {
		throw new Error(`GRIDCARE_TZ: unknown time zone "${timeZone}"`);
	}
	return timeZone;
}
