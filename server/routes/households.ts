// Households moved between grids (docs/administration.md, "Moving households and changing
// scopes"; README "API").
import { createRoute, z } from '@hono/zod-openapi';
import { requireAuth, requireStaff } from '../auth/middleware';
import { MOVE_MAX, moveHouseholds } from '../households/move';
import { audit } from '../privacy/access';
import { refusalError } from '../api-error';
import { WriteRefusal } from '../write';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const moveRoute = createRoute({
	method: 'post',
	path: '/households/move',
	tags: ['households'],
	summary: 'Move households, with their residents, open incidents and visits, to another grid',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		body: {
			content: {
				'application/json': {
					schema: z
						.object({
							householdIds: z.array(z.string().uuid()).min(1).max(MOVE_MAX),
							toGridId: z.string().uuid()
						})
						.strict()
				}
			},
			required: true
		}
	},
	responses: {
		200: {
			description: 'How many households changed grid',
			content: { 'application/json': { schema: z.object({ moved: z.number().int() }) } }
		},
		400: errorResponse('Ids missing or malformed, or more than 500'),
		...AUTH_ERRORS,
		404: errorResponse('No such grid or household'),
		409: errorResponse('The target grid is retired')
	}
});

export const householdRoutes = router().openapi(moveRoute, async (c) => {
	const { store, config, now, alerts } = c.var.services;
	const body = c.req.valid('json');
	let result;
	try {
		result = await moveHouseholds(store, c.var.principal.user, body, {
			now: now(),
			timeZone: config.timeZone,
			rollup: config.rollup
		});
	} catch (error) {
		throw error instanceof WriteRefusal ? refusalError(error) : error;
	}
	alerts?.notify(result.communities);
	await audit(c, {
		action: 'households_moved',
		subjectType: 'grid',
		subjectId: body.toGridId,
		communityCode: result.communityCode,
		details: { householdIds: body.householdIds, moved: result.moved }
	});
	return c.json({ moved: result.moved }, 200);
});
