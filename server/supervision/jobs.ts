// The periodic supervision job of `serve`: every minute, freeze the day before once a day has
// begun (rollup/snapshots.ts; the day's first run also moves the households due for a visit into
// the day's figures), move the overdue clock of the figures (rollup/overdue.ts), work out the due day of households that lack one, escalate overdue incidents and evaluate every community's alerts (the
// safety net of the prompt evaluation after writes, alert-scheduler.ts, and the only one for
// what changes with the clock alone). One run per minute across every server process; a failed
// run is logged and retried at the next tick (server/jobs.ts).
import type { Config } from '../config';
import { stdoutSink, type LogSink } from '../logging';
import { PeriodicJob, periodOf, type JobObserver } from '../jobs';
import type { Store } from '../store/types';
import { SYSTEM, write } from '../write';
import type { AlertScheduler } from './alert-scheduler';
import { evaluateAlerts } from './alerts';
import { escalateOverdue } from './incidents';

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
	await store.rollup().advanceOverdue(now);
	await workOutDueDays(store, { now, timeZone });
	const escalated = await escalateOverdue(store, now, timeZone);
	const alerts = scheduler
		? await scheduler.evaluate(await store.supervision().communitiesWithGrids(), now)
		: await evaluateAlerts(store, now, timeZone);
	return { escalated, alerts };
}

/** Households a batch works out due days for, at most, when some have none. */
const DUE_BATCH = 1000;

/**
 * Work out the due day of households stored before care tiers (docs/care-tiers.md), a batch at
 * a time until none is left; every household written since has one. Returns how many.
 */
export async function workOutDueDays(
	store: Store,
	clock: { now: Date; timeZone: string }
): Promise<number> {
	let done = 0;
	for (;;) {
		const householdIds = await store.supervision().householdsWithoutDueDay(DUE_BATCH);
		if (householdIds.length === 0) return done;
		await write(store, SYSTEM, clock, async (batch) => batch.refreshCare({ householdIds }));
		done += householdIds.length;
	}
}

/**
 * The job ticking in this process every `config.jobIntervalMs`, run once per interval across
 * every server process of the database (server/jobs.ts).
 */
export function startSupervisionJobs(
	store: Store,
	config: Pick<Config, 'timeZone' | 'jobIntervalMs'>,
	options: {
		now?: () => Date;
		scheduler?: AlertScheduler;
		log?: LogSink;
		observe?: JobObserver;
	} = {}
): PeriodicJob {
	const every = config.jobIntervalMs;
	return new PeriodicJob({
		store,
		job: 'supervision',
		everyMs: every,
		period: (now) => periodOf(now, every),
		run: (now) => runSupervisionJobs(store, now, config.timeZone, options.scheduler),
		now: options.now,
		log: options.log ?? stdoutSink,
		observe: options.observe
	}).start();
}
