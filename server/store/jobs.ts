// Database side of the periodic jobs (server/jobs.ts, docs/operations.md): the locks that keep a
// job to one process at a time, and per job the last period it ran for, with its runs and
// failures counted across every process of the database.
import { eq, sql } from 'drizzle-orm';
import type { Driver, Tables } from './driver';

/** The keys of the locks taken through Driver.exclusive, one per purpose. */
export const LOCKS = { migrations: 1, supervision: 2, retention: 3 } as const;

export type JobRunRow = Tables['jobRuns']['$inferSelect'];

export class JobQueries {
	private readonly t: Tables;
	constructor(private readonly driver: Pick<Driver, 'db' | 'tables' | 'exclusive'>) {
		this.t = driver.tables;
	}

	/** Run `fn` holding lock `key` in every process of the database (Driver.exclusive). */
	exclusive<T>(key: number, wait: boolean, fn: () => Promise<T>): Promise<{ value: T } | null> {
		return this.driver.exclusive(key, wait, fn);
	}

	/** The last period `job` ran for, or null when it never ran. */
	async lastPeriod(job: string): Promise<string | null> {
		const j = this.t.jobRuns;
		const [row] = await this.driver.db
			.select({ period: j.period })
			.from(j)
			.where(eq(j.job, job))
			.limit(1);
		return row?.period ?? null;
	}

	/** Record a finished run of `job` for `period`. */
	async recordRun(
		job: string,
		period: string,
		run: { startedAt: Date; finishedAt: Date; process: string }
	): Promise<void> {
		const j = this.t.jobRuns;
		const values = {
			period,
			lastStartedAt: run.startedAt,
			lastFinishedAt: run.finishedAt,
			lastProcess: run.process
		};
		await this.driver.db
			.insert(j)
			.values({ job, runs: 1, failures: 0, ...values })
			.onConflictDoUpdate({ target: j.job, set: { ...values, runs: sql`${j.runs} + 1` } });
	}

	/** Count a failed run of `job`; its period stays undone, so the next tick runs it again. */
	async recordFailure(job: string, run: { startedAt: Date; process: string }): Promise<void> {
		const j = this.t.jobRuns;
		await this.driver.db
			.insert(j)
			.values({
				job,
				period: '',
				runs: 0,
				failures: 1,
				lastStartedAt: run.startedAt,
				lastProcess: run.process
			})
			.onConflictDoUpdate({
				target: j.job,
				set: {
					failures: sql`${j.failures} + 1`,
					lastStartedAt: run.startedAt,
					lastProcess: run.process
				}
			});
	}

	/** Every job's row, by name. */
	async all(): Promise<JobRunRow[]> {
		const j = this.t.jobRuns;
		return this.driver.db.select().from(j).orderBy(j.job);
	}
}
