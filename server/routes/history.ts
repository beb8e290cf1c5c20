import { createRoute, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/middleware';
import { fieldHistoryOf } from '../sync/history';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const historyRoute = createRoute({
	method: 'get',
	path: '/history/{table}/{rowId}',
	tags: ['sync'],
	summary: 'Who changed which field of a household or resident, including values that lost a merge',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		params: z.object({ table: z.enum(['households', 'residents']), rowId: z.string().uuid() })
	},
	responses: {
		200: {
			description: 'Oldest first',
			content: {
				'application/json': {
					schema: z.object({
						entries: z.array(
							z
								.object({
									field: z.string(),
									value: z.unknown(),
									outcome: z.enum(['applied', 'lost']),
									actor: z.string().nullable(),
									actorRole: z.string(),
									at: z.string(),
									mutationId: z.string()
								})
								.openapi('FieldHistoryEntry')
						)
					})
				}
			}
		},
		...AUTH_ERRORS,
		404: errorResponse('No such row')
	}
});

export const historyRoutes = router().openapi(historyRoute, async (c) => {
	const { store } = c.var.services;
	const { table, rowId } = c.req.valid('param');
	const entries = await fieldHistoryOf(store, c.var.principal.user, table, rowId);
	return c.json({ entries }, 200);
});
