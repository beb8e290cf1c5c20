// GET /metrics: Prometheus text exposition (server/metrics.ts), only to the scraper holding the
// deployment's token (GRIDCARE_METRICS_TOKEN); without one configured the path does not exist.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import type { AppEnv } from '../context';

const digest = (text: string) =>
	Uint8Array.from(createHash('sha256').update(text, 'utf8').digest());

/** Whether `header` is `Bearer <token>`, compared in constant time. */
function bearerMatches(header: string | undefined, token: string): boolean {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
	return match !== null && timingSafeEqual(digest(match[1]), digest(token));
}

export async function metricsEndpoint(c: Context<AppEnv>) {
	const { config, metrics } = c.var.services;
	if (!config.metricsToken || !metrics) return c.text('Not found', 404);
	if (!bearerMatches(c.req.header('authorization'), config.metricsToken)) {
		c.header('WWW-Authenticate', 'Bearer realm="metrics"');
		return c.text('Unauthorized', 401);
	}
	c.header('Content-Type', metrics.contentType);
	c.header('Cache-Control', 'no-store');
	return c.body(await metrics.text());
}
