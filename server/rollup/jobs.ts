// The periodic supervision job of `serve`: every minute, freeze the day before once a day has
// begun (snapshots.ts), escalate overdue incidents and evaluate community alerts. One run at a
// time; a failed run is logged and retried next minute.
import type { Config } from '../config';
import type { Store } from '../store/types';
import { evaluateAlerts } from './alerts';
import { escalateOverdue } from './incidents';

export const JOB_INTERVAL_MS = 60_000;

/** One pass of the job at `now`. */
export async function runSupervisionJobs(
	store: Store,
	now: Date,
	timeZone: string
): Promise<{ escalated: number; alerts: number }> {
	await store.supervision().freezeYesterday({ now, timeZone });
	const escalated = await escalateOverdue(store, now);
	const alerts = await evaluateAlerts(store, now, timeZone);
	return { escalated, alerts };
}

export function startSupervisionJobs(
	store: Store,
	config: Config,
	clock: () => Date = () => new Date()
): { stop(): void } {
	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		runSupervisionJobs(store, clock(), config.timeZone)
			.catch((error) =>
				console.error(
					JSON.stringify({ level: 'error', msg: 'supervision job', error: String(error) })
				)
			)
			.finally(() => (running = false));
	}, JOB_INTERVAL_MS);
	timer.unref();
	return { stop: () => clearInterval(timer) };
}
