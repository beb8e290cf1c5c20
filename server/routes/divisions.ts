import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { router } from './router';
import { NODE_LEVELS } from '../../src/lib/shared/enums';
import { childrenOf, lookupNode } from '../auth/nodes';
import { requireAuth } from '../auth/middleware';
import { AUTH_ERRORS, errorResponse } from './errors';

const LEVELS = NODE_LEVELS;

const nodeSchema = z.object({ code: z.string(), name: z.string(), level: z.enum(LEVELS) });

const divisionRoute = createRoute({
	method: 'get',
	path: '/divisions/{code}',
	tags: ['divisions'],
	summary:
		"A division (or grid) with its parent and children; a community's children are its grids",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		params: z.object({
			code: safeText().min(2).max(64).openapi({
				description: 'Division code (2, 4, 6, 9 or 12 digits) or a grid id',
				example: '450102001003'
			})
		})
	},
	responses: {
		200: {
			description: 'The node and its children',
			content: {
				'application/json': {
					schema: nodeSchema
						.extend({
							parentCode: z.string().nullable(),
							children: z.array(nodeSchema),
							boundary: z
								.unknown()
								.optional()
								.openapi({ description: "A grid's GeoJSON outline, when it has one" })
						})
						.openapi('DivisionNode')
				}
			}
		},
		...AUTH_ERRORS,
		404: errorResponse('No such division or grid')
	}
});

export const divisionRoutes = router().openapi(divisionRoute, async (c) => {
	const { store } = c.var.services;
	const node = await lookupNode(store, c.var.principal.user, c.req.valid('param').code);
	const { code, name, level, parentCode, boundary } = node;
	const children = await childrenOf(store, node);
	return c.json(
		{ code, name, level, parentCode, children, ...(boundary ? { boundary } : {}) },
		200
	);
});
