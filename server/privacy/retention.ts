// Retention: health details of visits are deleted once their purpose has ended
// (GRIDCARE_RETENTION_DAYS, default 30), by `gridcare purge` and daily by `serve`; so are roster
// import previews once they have expired (a day after they were made, docs/imports.md).
import { isAbnormalCheck } from '../../src/lib/domain/visit';
import type { StoredAnswer } from '../../src/lib/shared/templates';
import type { Store } from '../store/types';
import { logLine, type LogSink } from '../logging';
import { PeriodicJob, type JobObserver } from '../jobs';
import { dayInZone } from '../../src/lib/domain/day';
import { SYSTEM, write } from '../write';

const DAY_MS = 86_400_000;

export function retentionCutoff(now: Date, days: number): Date {
	return new Date(now.getTime() - days * DAY_MS);
}

/** Whether a stored check still holds health details (anything beyond residentId and abnormal). */
function hasHealthDetails(check: object): boolean {
	return Object.keys(check).some((k) => k !== 'residentId' && k !== 'abnormal');
}

/** What retention keeps of an answer: whom and what it asked, and whether it was abnormal. */
function keptAnswer(a: StoredAnswer): StoredAnswer {
	return {
		...(a.residentId ? { residentId: a.residentId } : {}),
		key: a.key,
		...(a.abnormal === undefined ? {} : { abnormal: a.abnormal })
	};
}

/**
 * Delete the health details of visits before `before`, keeping per check only
 * `{ residentId, abnormal }` and per answer `{ residentId?, key, abnormal? }`, through the write
 * path a page at a time: each purged visit is logged so devices replace their copy. Returns how
 * many visits were purged.
 */
export async function purgeHealthDetails(
	store: Store,
	before: Date,
	timeZone: string
): Promise<number> {
	const PAGE = 500;
	let purged = 0;
	let afterId = '';
	for (;;) {
		const page = await store.visitsBefore(before, afterId, PAGE);
		if (page.length === 0) return purged;
		afterId = page[page.length - 1].id;
		const stale = page.filter(
			(v) => v.checks.some(hasHealthDetails) || v.answers.some((a) => a.value !== undefined)
		);
		if (stale.length === 0) continue;
		await write(store, SYSTEM, { now: new Date(), timeZone }, async (batch) => {
			await batch.prefetch({ visits: stale.map((v) => v.id) });
			for (const v of stale)
				await batch.purgeHealthDetails(v.id, {
					checks: v.checks.map((c) => ({ residentId: c.residentId, abnormal: isAbnormalCheck(c) })),
					answers: v.answers.map(keptAnswer)
				});
		});
		purged += stale.length;
	}
}

/** Delete the roster import previews (and committed imports) that expired at `at`; how many. */
export function purgeExpiredImports(store: Store, at: Date): Promise<number> {
	return store.imports().purgeExpired(at);
}

/** How often each server process looks whether today's purge has run. */
const RETENTION_TICK_MS = 3_600_000;

/**
 * Purge once a day across every server process of the database, in the first hour of the day
 * (or at start): each process ticks hourly, the first tick of a day runs it (server/jobs.ts).
 */
export function startRetentionJob(
	store: Store,
	config: { retentionDays: number; timeZone: string },
	sink: LogSink,
	observe?: JobObserver
): PeriodicJob {
	const { retentionDays: days, timeZone } = config;
	return new PeriodicJob({
		store,
		job: 'retention',
		everyMs: RETENTION_TICK_MS,
		period: (now) => dayInZone(now, timeZone),
		run: async (now) => {
			const visits = await purgeHealthDetails(store, retentionCutoff(now, days), timeZone);
			const imports = await purgeExpiredImports(store, now);
			logLine(sink, 'info', 'retention purge', { olderThanDays: days, visits, imports });
		},
		immediately: true,
		log: sink,
		observe
	}).start();
}
