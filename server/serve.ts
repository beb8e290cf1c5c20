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
	return new Promise((resolve, reject) => {
		const server = serve({ fetch: app.fetch, port: config.port }, () => {
			server.off('error', refused);
			resolve(server);
		});
		const refused = (error: NodeJS.ErrnoException) => {
			jobs.stop();
			alerts.stop();
			reject(listenError(config.port, error));
		};
		server.once('error', refused);
		server.on('close', () => {
			jobs.stop();
			alerts.stop();
		});
	});
}

/** Why the port could not be listened on: one line naming PORT, as the CLI prints it. */
function listenError(port: number, error: NodeJS.ErrnoException): Error {
	if (error.code === 'EADDRINUSE')
		return new Error(`PORT: ${port} is already in use (another process listens on it)`);
	if (error.code === 'EACCES')
		return new Error(`PORT: no permission to listen on ${port} (ports below 1024 need privileges)`);
	return new Error(`PORT: cannot listen on ${port} (${error.code ?? error.message})`);
}
