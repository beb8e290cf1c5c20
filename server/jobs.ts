// The periodic jobs of `serve` (docs/operations.md). Every server process of a database ticks
// each job on its own timer; a tick runs the job only when it holds the job's lock (one process
// at a time, through the database: Driver.exclusive) and the job has not yet run for the
// tick's period (a minute, a day), so each period's run happens once across all processes.
// A run that fails, or whose process dies, leaves its period undone: the next tick of any
// process runs it again. Each job is made of steps that each commit whole and may run again
// (docs/operations.md, "Periodic jobs"), so a run cut short leaves nothing half-done.
import { errorFields, logLine, type LogSink } from './logging';
import type { Store } from './store/types';
import { LOCKS } from './store/jobs';
import { PROCESS_NAME } from './process-name';

export type JobName = 'supervision' | 'retention';

/**
 * What a tick did: ran the job, found its period done by some process, found the job running
 * elsewhere, or ran it and failed.
 */
export type JobOutcome = 'ran' | 'done' | 'busy' | 'failed';

/** Told of every tick's outcome and, for runs, their length (metrics.ts). */
export type JobObserver = (job: JobName, outcome: JobOutcome, seconds: number) => void;

/**
 * Run `job` for `period` unless it is running elsewhere or already ran for it. A failure is
 * recorded and thrown on.
 */
export async function runJobOnce(
	store: Store,
	job: JobName,
	period: string,
	fn: () => Promise<unknown>
): Promise<Exclude<JobOutcome, 'failed'>> {
	const jobs = store.jobs();
	const held = await jobs.exclusive(LOCKS[job], false, async () => {
		const last = await jobs.lastPeriod(job);
		if (last !== null && last >= period) return 'done' as const;
		const startedAt = new Date();
		try {
			await fn();
		} catch (error) {
			await jobs.recordFailure(job, { startedAt, process: PROCESS_NAME }).catch(() => {}); // the database may be what failed; the error below says so
			throw error;
		}
		await jobs.recordRun(job, period, {
			startedAt,
			finishedAt: new Date(),
			process: PROCESS_NAME
		});
		return 'ran' as const;
	});
	return held?.value ?? 'busy';
}

/** A UTC period of `everyMs` (a minute by default) holding `now`, as sortable text. */
export function periodOf(now: Date, everyMs: number): string {
	return new Date(Math.floor(now.getTime() / everyMs) * everyMs).toISOString();
}

export interface PeriodicJobOptions {
	store: Store;
	job: JobName;
	/** How often this process ticks. */
	everyMs: number;
	/** The period a tick at `now` runs for. */
	period: (now: Date) => string;
	run: (now: Date) => Promise<unknown>;
	/** Tick once at start too. */
	immediately?: boolean;
	now?: () => Date;
	log: LogSink;
	observe?: JobObserver;
}

/** One job ticking in this process; `stop()` resolves once a running tick has finished. */
export class PeriodicJob {
	private timer?: ReturnType<typeof setInterval>;
	private running: Promise<void> | null = null;

	constructor(private readonly options: PeriodicJobOptions) {}

	start(): this {
		this.timer = setInterval(() => void this.tick(), this.options.everyMs);
		this.timer.unref();
		if (this.options.immediately) void this.tick();
		return this;
	}

	/** Tick now unless a tick of this process is still running; resolves when it is over. */
	tick(): Promise<void> {
		this.running ??= this.runTick().finally(() => (this.running = null));
		return this.running;
	}

	async stop(): Promise<void> {
		clearInterval(this.timer);
		await this.running;
	}

	private async runTick(): Promise<void> {
		const { store, job, log, observe } = this.options;
		const now = (this.options.now ?? (() => new Date()))();
		const started = performance.now();
		let outcome: JobOutcome;
		try {
			outcome = await runJobOnce(store, job, this.options.period(now), () => this.options.run(now));
		} catch (error) {
			outcome = 'failed';
			logLine(log, 'error', `${job} job failed; the next tick runs it again`, errorFields(error));
		}
		observe?.(job, outcome, (performance.now() - started) / 1000);
	}
}
