// The periodic supervision job of `serve`: every minute, freeze the day before once a day has
// begun (rollup/snapshots.ts), escalate overdue incidents and evaluate every community's alerts (the
// safety net of the prompt evaluation after writes, alert-scheduler.ts, and the only one for
// what changes with the clock alone). One run at a time; a failed run is logged and retried
// next minute.
import type { Config } from '../config';
import { errorFields, logLine, stdoutSink } from '../logging';
import type { Store } from '../store/types';
import type { AlertScheduler } from './alert-scheduler';
import { evaluateAlerts } from './alerts';
import { escalateOverdue } from './incidents';

export const JOB_INTERVAL_MS = 60_000;

/**
 * One pass of the job at `now`. With a scheduler, each community is evaluated through it, so
 * never while an evaluation asked for by a write runs.
 */
export async function runSupervisionJobs(
	store: Store,
	now: Date,
	timeZone: string,
	scheduler?: AlertScheduler
): Promise<{ escalated: number; alerts: number }> {
	await store.rollup().freezeYesterday({ now, timeZone });
	const escalated = await escalateOverdue(store, now, timeZone);
	const alerts = scheduler
		? await scheduler.evaluate(await store.supervision().communitiesWithGrids(), now)
		: await evaluateAlerts(store, now, timeZone);
	return { escalated, alerts };
}

export function startSupervisionJobs(
	store: Store,
	config: Config,
	clock: () => Date = () => new Date(),
	scheduler?: AlertScheduler
): { stop(): void } {
	let running = false;
	const timer = setInterval(() => {
		if (running) return;
		running = true;
		runSupervisionJobs(store, clock(), config.timeZone, scheduler)
			.catch((error) => logLine(stdoutSink, 'error', 'supervision job', errorFields(error)))
			.finally(() => (running = false));
	}, JOB_INTERVAL_MS);
	timer.unref();
	return { stop: () => clearInterval(timer) };
}
