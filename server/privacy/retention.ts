// Retention: health details of visits are deleted once their purpose has ended
// (GRIDCARE_RETENTION_DAYS, default 30), by `gridcare purge` and daily by `serve`.
import type { Store } from '../store/types';
import { errorFields, logLine, type LogSink } from '../logging';

const DAY_MS = 86_400_000;

export function retentionCutoff(now: Date, days: number): Date {
	return new Date(now.getTime() - days * DAY_MS);
}

/** Purge once now, then every day; returns a function that stops the job. */
export function startRetentionJob(store: Store, days: number, sink: LogSink): () => void {
	const run = async () => {
		try {
			const visits = await store.purgeHealthDetails(retentionCutoff(new Date(), days));
			logLine(sink, 'info', 'retention purge', { olderThanDays: days, visits });
		} catch (error) {
			logLine(sink, 'error', 'retention purge failed', errorFields(error));
		}
	};
	void run();
	const timer = setInterval(run, DAY_MS);
	timer.unref();
	return () => clearInterval(timer);
}
