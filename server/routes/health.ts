import { createRoute, z } from '@hono/zod-openapi';
import { router } from './router';

const healthRoute = createRoute({
	method: 'get',
	path: '/health',
	tags: ['system'],
	summary: 'Liveness and database kind',
	responses: {
		200: {
			description: 'The process answers (its database is not asked: see /health/ready)',
			content: {
				'application/json': {
					schema: z.object({
						status: z.literal('ok'),
						db: z.enum(['sqlite', 'postgres']),
						version: z.string()
					})
				}
			}
		}
	}
});

const readySchema = z.object({
	ready: z.boolean(),
	/** Each condition of readiness, true when met. */
	checks: z.object({ database: z.boolean(), migrated: z.boolean(), accepting: z.boolean() })
});

const readyRoute = createRoute({
	method: 'get',
	path: '/health/ready',
	tags: ['system'],
	summary: 'Readiness: whether this process can serve requests now',
	description:
		'200 when the database answers, this process has applied its migrations and it is not ' +
		'shutting down; 503 otherwise, with the condition that failed. For load balancers and ' +
		'orchestrators (docs/operations.md).',
	responses: {
		200: { description: 'Ready', content: { 'application/json': { schema: readySchema } } },
		503: { description: 'Not ready', content: { 'application/json': { schema: readySchema } } }
	}
});

/** How long readiness waits for the database to answer. */
const PING_TIMEOUT_MS = 2000;

async function databaseAnswers(ping: () => Promise<void>): Promise<boolean> {
	let timer: ReturnType<typeof setTimeout> | undefined;
	try {
		return await Promise.race([
			ping().then(() => true),
			new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PING_TIMEOUT_MS)))
		]);
	} catch {
		return false;
	} finally {
		clearTimeout(timer);
	}
}

export const healthRoutes = router()
	.openapi(healthRoute, (c) => {
		const { store, version } = c.var.services;
		return c.json({ status: 'ok' as const, db: store.dialect, version }, 200);
	})
	.openapi(readyRoute, async (c) => {
		const { store, lifecycle } = c.var.services;
		const accepting = !lifecycle?.shuttingDown;
		const migrated = lifecycle?.migrated ?? true;
		const database = accepting && (await databaseAnswers(() => store.ping()));
		const checks = { database, migrated, accepting };
		const ready = database && migrated && accepting;
		c.header('Cache-Control', 'no-store');
		return ready ? c.json({ ready, checks }, 200) : c.json({ ready, checks }, 503);
	});
