import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { router } from './router';
import { canSeeDivision, canSeeGrid } from '../auth/scope';
import { requireAuth } from '../auth/middleware';
import { AUTH_ERRORS, errorResponse } from './errors';

const LEVELS = ['province', 'city', 'county', 'street', 'community', 'grid'] as const;

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
	const { user } = c.var.principal;
	const { code } = c.req.valid('param');
	const notFound = { error: 'not_found', message: `code: no division or grid "${code}"` } as const;
	const forbidden = {
		error: 'forbidden',
		message: `code: "${code}" is outside your scope`
	} as const;

	if (/^\d+$/.test(code)) {
		const division = await store.getDivision(code);
		if (!division) return c.json(notFound, 404);
		if (!canSeeDivision(user, code)) return c.json(forbidden, 403);
		const children =
			division.level === 'community'
				? (await store.gridsOfCommunity(code)).map((g) => ({
						code: g.id,
						name: g.name,
						level: 'grid' as const
					}))
				: (await store.childDivisions(code)).map(({ code, name, level }) => ({
						code,
						name,
						level
					}));
		return c.json(
			{
				code,
				name: division.name,
				level: division.level,
				parentCode: division.parentCode,
				children
			},
			200
		);
	}
	const grid = await store.getGrid(code);
	if (!grid) return c.json(notFound, 404);
	if (!canSeeGrid(user, grid)) return c.json(forbidden, 403);
	return c.json(
		{
			code: grid.id,
			name: grid.name,
			level: 'grid' as const,
			parentCode: grid.communityCode,
			children: [],
			...(grid.boundary ? { boundary: grid.boundary } : {})
		},
		200
	);
});
