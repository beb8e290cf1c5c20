import { createRoute, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/middleware';
import { applyPushBatch } from '../sync/push';
import { requireSessionDevice } from '../auth/sessions';
import { pullPage } from '../sync/pull';
import { pushRequestSchema, pushResponseSchema } from '../../src/lib/shared/schemas';
import { SYNC_TABLES, MUTATION_OPS } from '../../src/lib/shared/enums';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

// Shared schemas are named with zod's own `.meta`: `.openapi` exists only on schemas built after
// @hono/zod-openapi has loaded, and the app's schemas may be built before.
const pushResponse = pushResponseSchema.meta({ id: 'PushResponse' });

const pushRoute = createRoute({
	method: 'post',
	path: '/sync/push',
	tags: ['sync'],
	summary: 'Apply a batch of mutations exactly once; one result per mutation, in order',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		body: { content: { 'application/json': { schema: pushRequestSchema } }, required: true }
	},
	responses: {
		200: {
			description: 'One result per mutation',
			content: { 'application/json': { schema: pushResponse } }
		},
		400: errorResponse(
			'Not JSON, not the { deviceId, mutations } envelope, or a deviceId other than the session’s device; nothing applied'
		),
		...AUTH_ERRORS
	}
});

const changeSchema = z
	.object({
		// `rounds` is pulled only (check rounds of the device's communities), never pushed.
		table: z.enum([...SYNC_TABLES, 'rounds']),
		op: z.enum(MUTATION_OPS),
		rowId: z.string(),
		fields: z.record(z.string(), z.unknown()),
		version: z.number().int()
	})
	.openapi('Change');

const pullRoute = createRoute({
	method: 'get',
	path: '/sync/pull',
	tags: ['sync'],
	summary: "Changes in the caller's scope after a cursor, in server order, paged",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		query: z.object({
			cursor: z
				.string()
				.max(200)
				.optional()
				.openapi({ description: 'Opaque; omit to start from the beginning' }),
			limit: z.coerce.number().int().min(1).max(5000).default(1000)
		})
	},
	responses: {
		200: {
			description: 'A page of changes',
			content: {
				'application/json': {
					schema: z.object({
						changes: z.array(changeSchema),
						cursor: z.string(),
						hasMore: z.boolean(),
						estimate: z.record(z.string(), z.number().int()).optional().openapi({
							description:
								'On the first page of a first download only: how many rows of each table (households, residents, visits, incidents, …) the whole download brings'
						})
					})
				}
			}
		},
		400: errorResponse('Bad cursor or limit'),
		...AUTH_ERRORS,
		409: errorResponse(
			"`scope_changed`: the user's grids or communities changed since the cursor was issued; pull again without a cursor"
		)
	}
});

export const syncRoutes = router()
	.openapi(pushRoute, async (c) => {
		const { store, config, now, alerts, metrics } = c.var.services;
		const { deviceId, mutations } = c.req.valid('json');
		// Mutations and offline audit entries are recorded under the device that signed in.
		requireSessionDevice(c.var.principal, deviceId);
		const results = await applyPushBatch(
			store,
			{
				user: c.var.principal.user,
				deviceId,
				timeZone: config.timeZone,
				now: now(),
				rollup: config.rollup,
				syncedDevice: deviceId,
				figuresChanged: (codes) => alerts?.notify(codes),
				observeRollup: metrics && ((seconds) => metrics.rollup(seconds))
			},
			mutations
		);
		metrics?.pushed(results);
		return c.json({ results }, 200);
	})
	.openapi(pullRoute, async (c) => {
		const { store, now, metrics } = c.var.services;
		const page = await pullPage(store, c.var.principal, c.req.valid('query'), now());
		metrics?.pulled(page.changes.length);
		return c.json(page, 200);
	});
