// Request logs: by route pattern, status, duration and user id only — never bodies, query
// strings, ID numbers, phones or names.
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from './context';
import { logLine, type LogSink } from './logging';

/** Log every request once it is answered, and count it in the metrics (server/metrics.ts). */
export function requestLog(sink: LogSink) {
	return createMiddleware<AppEnv>(async (c, next) => {
		const started = performance.now();
		await next();
		// The matched pattern (/api/v1/residents/:id/unmask), not the path: ids stay out of the log.
		const route = c.req.routePath;
		const ms = performance.now() - started;
		logLine(sink, c.res.status >= 500 ? 'error' : 'info', 'request', {
			method: c.req.method,
			route,
			status: c.res.status,
			ms: Math.round(ms * 10) / 10,
			userId: c.get('principal')?.user.id ?? null
		});
		c.var.services.metrics?.request(c.req.method, route, c.res.status, ms / 1000);
	});
}
