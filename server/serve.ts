// `gridcare serve` once the database is migrated: the HTTP server, the periodic jobs, prompt
// alert evaluation and metrics, and their orderly end (docs/operations.md, "Stopping").
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { createApp } from './app';
import { LoginThrottle } from './auth/throttle';
import type { Config } from './config';
import type { Lifecycle } from './context';
import { errorFields, logLine, stdoutSink, type LogSink } from './logging';
import { Metrics } from './metrics';
import { startRetentionJob } from './privacy/retention';
import type { Store } from './store/types';
import { VERSION } from './version';
import { startSupervisionJobs } from './supervision/jobs';
import { AlertScheduler } from './supervision/alert-scheduler';

/** How long a stopping server may take before it gives up waiting and exits anyway. */
export const SHUTDOWN_MS = 30_000;

export interface RunningServer {
	server: ServerType;
	lifecycle: Lifecycle;
	/**
	 * Stop: refuse new connections (readiness answers 503 meanwhile), finish the requests in
	 * hand and a job run in progress, then close the database. Resolves true when all of it
	 * finished within `SHUTDOWN_MS`, false when it was cut short. `closeStore: false` leaves the
	 * store open for its owner (benchmarks that dispose of it themselves).
	 */
	shutdown(options?: { closeStore?: boolean }): Promise<boolean>;
}

/**
 * Start the HTTP server on `config.port` over a migrated store; resolves once it listens.
 * `readStore`, a replica of it, serves the figure reads (Services.readStore); no job uses it.
 */
export function startServer(
	store: Store,
	config: Config,
	options: { log?: LogSink; readStore?: Store } = {}
): Promise<RunningServer> {
	const log = options.log ?? stdoutSink;
	const { readStore } = options;
	const now = () => new Date();
	const lifecycle: Lifecycle = { migrated: true, shuttingDown: false };
	const metrics = new Metrics(store);
	const alerts = new AlertScheduler({ store, timeZone: config.timeZone, now, log });
	const app = createApp({
		store,
		readStore,
		config,
		throttle: new LoginThrottle(),
		version: VERSION,
		now,
		alerts,
		log,
		metrics,
		lifecycle
	});
	const observe = metrics.job.bind(metrics);
	// A roll-up-only server's figures are the provinces' (docs/scaling.md): it runs no job on them.
	const jobs =
		config.mode === 'rollup-only'
			? []
			: [
					startSupervisionJobs(store, config, { now, scheduler: alerts, log, observe }),
					startRetentionJob(store, config, log, observe)
				];

	let stopping: Promise<boolean> | null = null;
	const shutdown = (server: ServerType, closeStore: boolean) => {
		stopping ??= (async () => {
			lifecycle.shuttingDown = true;
			const http = server as Server;
			const closed = new Promise<void>((resolve) => http.close(() => resolve()));
			// Connections kept alive between requests would hold close() open: end them as they
			// fall idle, while those with a request in hand finish it.
			const idle = setInterval(() => http.closeIdleConnections(), 100);
			http.closeIdleConnections();
			let timer: ReturnType<typeof setTimeout> | undefined;
			const deadline = new Promise<false>((resolve) => {
				timer = setTimeout(() => resolve(false), SHUTDOWN_MS);
			});
			const orderly = (async () => {
				await Promise.all(jobs.map((job) => job.stop()));
				alerts.stop();
				await alerts.idle();
				await closed;
				return true as const;
			})();
			try {
				const done = await Promise.race([orderly, deadline]);
				if (!done) {
					logLine(log, 'error', 'shutdown: requests or a job still running; closing anyway');
					http.closeAllConnections();
				}
				if (closeStore) await Promise.all([store.close(), readStore?.close()]);
				return done;
			} catch (error) {
				logLine(log, 'error', 'shutdown failed', errorFields(error));
				return false;
			} finally {
				clearInterval(idle);
				clearTimeout(timer);
			}
		})();
		return stopping;
	};
	return new Promise((resolve, reject) => {
		const server = serve({ fetch: app.fetch, port: config.port }, () =>
			resolve({
				server,
				lifecycle,
				shutdown: (options) => shutdown(server, options?.closeStore ?? true)
			})
		);
		server.once('error', (error) => {
			for (const job of jobs) void job.stop();
			alerts.stop();
			reject(error);
		});
	});
}
