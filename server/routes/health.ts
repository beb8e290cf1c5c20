import { createRoute, z } from '@hono/zod-openapi';
import { router } from './router';

const healthRoute = createRoute({
	method: 'get',
	path: '/health',
	tags: ['system'],
	summary: 'Liveness and database kind',
	responses: {
		200: {
			description: 'The server and its database answer',
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

export const healthRoutes = router().openapi(healthRoute, (c) => {
	const { store, version } = c.var.services;
	return c.json({ status: 'ok' as const, db: store.dialect, version }, 200);
});
