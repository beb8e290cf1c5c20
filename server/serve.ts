import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app';
import { LoginThrottle } from './auth/throttle';
import type { Config } from './config';
import type { Store } from './store/types';
import { VERSION } from './version';
import { startSupervisionJobs } from './supervision/jobs';
import { AlertScheduler } from './supervision/alert-scheduler';

/** Start the HTTP server on `config.port`; resolves once it listens. */
export function startServer(store: Store, config: Config): Promise<ServerType> {
	const now = () => new Date();
	const alerts = new AlertScheduler({ store, timeZone: config.timeZone, now });
	const app = createApp({
		store,
		config,
		throttle: new LoginThrottle(),
		version: VERSION,
		now,
		alerts
	});
	const jobs = startSupervisionJobs(store, config, now, alerts);
	return new Promise((resolve) => {
		const server = serve({ fetch: app.fetch, port: config.port }, () => resolve(server));
		server.on('close', () => {
			jobs.stop();
			alerts.stop();
		});
	});
}
