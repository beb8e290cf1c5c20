// Prompt alert evaluation after writes. A write that changed a community's figures (a push, an
// incident move) or its thresholds asks, once its transaction has committed, for that
// community's alerts to be evaluated; the evaluation runs shortly after, off the request's path:
//   - coalesced: asking again while one is pending adds nothing, so a burst of pushes to one
//     community costs one evaluation (and one more if the burst goes on while it runs);
//   - one at a time per community, the one-minute job included (it evaluates through
//     evaluate()), so two evaluations never race over the same alert;
//   - at most `concurrency` evaluations at once over all communities;
//   - a failure is logged and left to the one-minute job, which evaluates every community anyway
//     and is the one to notice what changes with the clock alone (a check-in cut-off passing, a
//     round nearing its due date).
import { Mutex, Semaphore } from 'async-mutex';
import { errorFields, logLine, stdoutSink, type LogSink } from '../logging';
import type { Store } from '../store/types';
import { evaluateAlerts } from './alerts';

/** How long a community's evaluation waits after the first write asking for it. */
export const ALERT_DELAY_MS = 500;

export interface AlertSchedulerOptions {
	store: Store;
	timeZone: string;
	/** The clock (tests inject theirs). */
	now?: () => Date;
	delayMs?: number;
	/** Evaluations running at once over all communities. */
	concurrency?: number;
	log?: LogSink;
}

export class AlertScheduler {
	private readonly store: Store;
	private readonly timeZone: string;
	private readonly now: () => Date;
	private readonly delayMs: number;
	private readonly log: LogSink;
	private readonly slots: Semaphore;
	/** Communities waiting for their evaluation, with its timer. */
	private readonly pending = new Map<string, ReturnType<typeof setTimeout>>();
	/** Communities whose asked-for evaluation is running, and those asked for again meanwhile. */
	private readonly running = new Set<string>();
	private readonly again = new Set<string>();
	private readonly locks = new Map<string, Mutex>();
	private readonly inFlight = new Set<Promise<void>>();
	private stopped = false;
	/** Evaluations asked for by writes that ran, and those that failed. */
	readonly stats = { evaluations: 0, failures: 0 };

	constructor(options: AlertSchedulerOptions) {
		this.store = options.store;
		this.timeZone = options.timeZone;
		this.now = options.now ?? (() => new Date());
		this.delayMs = options.delayMs ?? ALERT_DELAY_MS;
		this.log = options.log ?? stdoutSink;
		this.slots = new Semaphore(options.concurrency ?? 2);
	}

	/** After a commit changed these communities' figures or settings: evaluate each, soon, once. */
	notify(communityCodes: Iterable<string>): void {
		if (this.stopped) return;
		for (const code of new Set(communityCodes)) {
			if (this.pending.has(code)) continue;
			if (this.running.has(code)) this.again.add(code);
			else this.schedule(code);
		}
	}

	/**
	 * Evaluate communities now, each while no other evaluation of it runs (the one-minute job);
	 * returns the alerts raised. Failures are the caller's.
	 */
	async evaluate(communityCodes: string[], now: Date): Promise<number> {
		let raised = 0;
		for (const code of communityCodes) raised += await this.exclusive(code, () => now);
		return raised;
	}

	/** Stop asking: pending evaluations are dropped, running ones finish (see idle()). */
	stop(): void {
		this.stopped = true;
		for (const timer of this.pending.values()) clearTimeout(timer);
		this.pending.clear();
		this.again.clear();
	}

	/** Resolves once no evaluation is pending or running. */
	async idle(): Promise<void> {
		while (this.pending.size > 0 || this.inFlight.size > 0) {
			if (this.inFlight.size > 0) await Promise.all(this.inFlight);
			else await new Promise((resolve) => setTimeout(resolve, this.delayMs / 2));
		}
	}

	private schedule(code: string): void {
		const timer = setTimeout(() => {
			this.pending.delete(code);
			this.running.add(code);
			const run = this.exclusive(code, this.now)
				.then(
					() => void this.stats.evaluations++,
					(error: unknown) => {
						this.stats.failures++;
						// What errorFields keeps, never the message (a message may quote a value).
						logLine(this.log, 'error', 'alert evaluation failed; the one-minute job retries', {
							communityCode: code,
							...errorFields(error)
						});
					}
				)
				.finally(() => {
					this.running.delete(code);
					this.inFlight.delete(run);
					if (this.again.delete(code) && !this.stopped) this.schedule(code);
				});
			this.inFlight.add(run);
		}, this.delayMs);
		timer.unref?.();
		this.pending.set(code, timer);
	}

	/** One community's evaluation at `now()` once it may run: under its lock, within the limit. */
	private async exclusive(code: string, now: () => Date): Promise<number> {
		let lock = this.locks.get(code);
		if (!lock) this.locks.set(code, (lock = new Mutex()));
		try {
			return await lock.runExclusive(() =>
				this.slots.runExclusive(() => evaluateAlerts(this.store, now(), this.timeZone, [code]))
			);
		} finally {
			if (!lock.isLocked()) this.locks.delete(code);
		}
	}
}
