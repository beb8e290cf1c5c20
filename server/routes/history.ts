import { createRoute, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/middleware';
import { canSeeGrid } from '../auth/scope';
import { pullScope } from '../sync/scope';
import { router } from './router';
import { maskPhone } from '../../src/lib/shared/mask';
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
									actor: z.string(),
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
	const { user } = c.var.principal;
	const { table, rowId } = c.req.valid('param');
	const gridId = await store.gridOfRow(table, rowId);
	if (!gridId)
		return c.json({ error: 'not_found', message: `rowId: no such row in ${table}` }, 404);
	const grid = await store.getGrid(gridId);
	// Personal data: only roles that receive grid data, and only inside their scope.
	if (!grid || !pullScope(user) || !canSeeGrid(user, grid))
		return c.json({ error: 'forbidden', message: 'rowId: outside your scope' }, 403);
	const rows = await store.fieldHistory(table, rowId);
	const names = new Map<string, string>();
	for (const id of new Set(rows.map((r) => r.actorId))) {
		const actor = await store.getUser(id);
		names.set(id, actor?.displayName ?? actor?.username ?? id);
	}
	return c.json(
		{
			entries: rows.map((r) => ({
				field: r.field,
				// Phones stay masked here too; the reveal with a reason is the only way to the number.
				value:
					r.field === 'phone' && (typeof r.value === 'string' || typeof r.value === 'number')
						? maskPhone(String(r.value))
						: r.value,
				outcome: r.outcome as 'applied' | 'lost',
				actor: names.get(r.actorId)!,
				at: r.at.toISOString(),
				mutationId: r.mutationId
			}))
		},
		200
	);
});
