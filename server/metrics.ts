// What an operator's Prometheus scrapes from `GET /metrics` (docs/operations.md, "Metrics"):
// one registry per server process (prom-client), every series named `gridcare_…` with its unit,
// labels drawn from small fixed sets (route patterns, statuses, job names, counties), never a
// community, a user or a device.
//
// Counters and histograms count what this process did: Prometheus sums them over processes.
// The two gauges read from the database at scrape time (connections of this process, devices
// not synced for a day per county) describe the database, so every process answers the same
// counties: aggregate them with max, not sum.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobName, JobOutcome } from './jobs';
import type { Store } from './store/types';

/** How long the per-county device figure is kept between scrapes. */
const STALE_DEVICES_TTL_MS = 60_000;

export type LoginResult = 'succeeded' | 'failed' | 'blocked';

export class Metrics {
	readonly registry = new Registry();
	private readonly requests: Counter<'method' | 'route' | 'status'>;
	private readonly requestSeconds: Histogram<'method' | 'route' | 'status'>;
	private readonly pushMutations: Counter<'result'>;
	private readonly pullPages: Counter;
	private readonly pullChanges: Counter;
	private readonly rollupSeconds: Counter;
	private readonly jobTicks: Counter<'job' | 'outcome'>;
	private readonly jobSeconds: Histogram<'job'>;
	private readonly logins: Counter<'result'>;
	private readonly loginDelays: Counter;
	private staleDevices: { at: number; counts: Map<string, number> } | null = null;

	constructor(store: Store, options: { now?: () => Date; poolMax?: number } = {}) {
		const registers = [this.registry];
		const now = options.now ?? (() => new Date());
		collectDefaultMetrics({ register: this.registry, prefix: 'gridcare_' });
		this.requests = new Counter({
			name: 'gridcare_http_requests_total',
			help: 'HTTP requests answered, by method, route pattern and status',
			labelNames: ['method', 'route', 'status'],
			registers
		});
		this.requestSeconds = new Histogram({
			name: 'gridcare_http_request_duration_seconds',
			help: 'Time to answer an HTTP request, by method, route pattern and status',
			labelNames: ['method', 'route', 'status'],
			buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
			registers
		});
		this.pushMutations = new Counter({
			name: 'gridcare_sync_push_mutations_total',
			help: 'Mutations received by push, by result (applied, duplicate, rejected)',
			labelNames: ['result'],
			registers
		});
		this.pullPages = new Counter({
			name: 'gridcare_sync_pull_pages_total',
			help: 'Pull pages answered',
			registers
		});
		this.pullChanges = new Counter({
			name: 'gridcare_sync_pull_changes_total',
			help: 'Changes sent in pull pages',
			registers
		});
		this.rollupSeconds = new Counter({
			name: 'gridcare_rollup_maintenance_seconds_total',
			help: 'Time pushes spent keeping the roll-up figures, inside their transactions',
			registers
		});
		this.jobTicks = new Counter({
			name: 'gridcare_job_ticks_total',
			help:
				'Ticks of the periodic jobs, by job and outcome: ran, done (another process ran this ' +
				'period), busy (running in another process), failed',
			labelNames: ['job', 'outcome'],
			registers
		});
		this.jobSeconds = new Histogram({
			name: 'gridcare_job_duration_seconds',
			help: 'Time a periodic job run took in this process (runs and failures)',
			labelNames: ['job'],
			buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
			registers
		});
		this.logins = new Counter({
			name: 'gridcare_login_attempts_total',
			help: 'Sign-ins, by result: succeeded, failed, blocked (refused by the login throttle)',
			labelNames: ['result'],
			registers
		});
		this.loginDelays = new Counter({
			name: 'gridcare_login_throttle_delay_seconds_total',
			help: 'Time sign-ins were held by the per-address throttle',
			registers
		});
		new Gauge({
			name: 'gridcare_db_pool_max_connections',
			help: 'Largest number of database connections this process opens',
			registers,
			collect() {
				this.set(store.dialect === 'postgres' ? (options.poolMax ?? 10) : 1);
			}
		});
		new Gauge({
			name: 'gridcare_db_connections',
			help: "This process's open database connections, by state (PostgreSQL's pg_stat_activity)",
			labelNames: ['state'],
			registers,
			async collect() {
				this.reset();
				try {
					for (const [state, count] of await store.connectionStates()) this.set({ state }, count);
				} catch {
					// The database does not answer: readiness says so; the scrape still answers.
				}
			}
		});
		const stale = () => this.staleDeviceCounts(store, now());
		new Gauge({
			name: 'gridcare_devices_unsynced_day_count',
			help: 'Devices in use (not revoked) that have not synced for more than a day, by county',
			labelNames: ['county'],
			registers,
			async collect() {
				this.reset();
				try {
					for (const [county, count] of await stale()) this.set({ county }, count);
				} catch {
					// As above.
				}
			}
		});
	}

	request(method: string, route: string, status: number, seconds: number): void {
		const labels = { method, route, status: String(status) };
		this.requests.inc(labels);
		this.requestSeconds.observe(labels, seconds);
	}

	pushed(results: { status: string }[]): void {
		const counts = new Map<string, number>();
		for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
		for (const [result, n] of counts) this.pushMutations.inc({ result }, n);
	}

	pulled(changes: number): void {
		this.pullPages.inc();
		this.pullChanges.inc(changes);
	}

	rollup(seconds: number): void {
		this.rollupSeconds.inc(seconds);
	}

	job(job: JobName, outcome: JobOutcome, seconds: number): void {
		this.jobTicks.inc({ job, outcome });
		if (outcome === 'ran' || outcome === 'failed') this.jobSeconds.observe({ job }, seconds);
	}

	login(result: LoginResult, delayMs = 0): void {
		this.logins.inc({ result });
		if (delayMs > 0) this.loginDelays.inc(delayMs / 1000);
	}

	/** The registry's text exposition. */
	text(): Promise<string> {
		return this.registry.metrics();
	}

	get contentType(): string {
		return this.registry.contentType;
	}

	private async staleDeviceCounts(store: Store, now: Date): Promise<Map<string, number>> {
		const cached = this.staleDevices;
		if (cached && now.getTime() - cached.at < STALE_DEVICES_TTL_MS) return cached.counts;
		const counts = await store.deviceAdmin().unsyncedByCounty(new Date(now.getTime() - 86_400_000));
		this.staleDevices = { at: now.getTime(), counts };
		return counts;
	}
}
