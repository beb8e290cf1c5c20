import { createRoute, z } from '@hono/zod-openapi';
import { requireAuth } from '../auth/middleware';
import { applyPushBatch } from '../sync/push';
import { pullScope } from '../sync/scope';
import { decodeCursor, encodeCursor } from '../sync/cursor';
import { pushRequestSchema, pushResponseSchema } from '../../src/lib/shared/schemas';
import { SYNC_TABLES, MUTATION_OPS } from '../../src/lib/shared/enums';
import { router } from './router';

/** Days of visit history a device receives on its first download. */
export const VISIT_WINDOW_DAYS = 90;
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
		...AUTH_ERRORS
	}
});

export const syncRoutes = router()
	.openapi(pushRoute, async (c) => {
		const { store, config, now, alerts } = c.var.services;
		const { deviceId, mutations } = c.req.valid('json');
		const { deviceId: sessionDevice } = c.var.principal;
		// Mutations and offline audit entries are recorded under the device that signed in.
		if (deviceId !== sessionDevice)
			return c.json(
				{
					error: 'invalid_input',
					field: 'deviceId',
					message: 'deviceId: not the device this session was opened on'
				},
				400
			);
		const results = await applyPushBatch(
			store,
			{
				user: c.var.principal.user,
				deviceId: sessionDevice,
				timeZone: config.timeZone,
				now: now(),
				rollup: config.rollup,
				syncedDevice: sessionDevice,
				figuresChanged: (codes) => alerts?.notify(codes)
			},
			mutations
		);
		return c.json({ results }, 200);
	})
	.openapi(pullRoute, async (c) => {
		const { store, now } = c.var.services;
		const { cursor, limit } = c.req.valid('query');
		const scope = pullScope(c.var.principal.user);
		if (!scope)
			return c.json(
				{ error: 'forbidden', message: 'role: this role receives roll-up counts, not grid data' },
				403
			);
		// A first download starts a cursor that leaves out visits older than VISIT_WINDOW_DAYS.
		const from = cursor
			? decodeCursor(cursor)
			: { seq: 0, visitsSince: now().getTime() - VISIT_WINDOW_DAYS * 86_400_000 };
		if (from === null)
			return c.json(
				{
					error: 'invalid_input',
					field: 'cursor',
					message: 'cursor: not a cursor this server issued'
				},
				400
			);
		const rows = await store.pullChanges({
			...scope,
			after: from.seq,
			limit: limit + 1,
			visitsSince: from.visitsSince === undefined ? undefined : new Date(from.visitsSince)
		});
		// The first page of a first download says how much is coming, for the progress screen.
		const estimate = cursor
			? undefined
			: await store.pullEstimate({
					...scope,
					after: 0,
					visitsSince: from.visitsSince === undefined ? undefined : new Date(from.visitsSince)
				});
		const page = rows.slice(0, limit);
		await store.supervision().recordSync(c.var.principal.user.id, c.var.principal.deviceId, now());
		const hasMore = rows.length > limit;
		const last = page.length ? page[page.length - 1].seq : from.seq;
		// Once the first download is complete, later pulls bring every new change again.
		const next = { seq: last, visitsSince: hasMore ? from.visitsSince : undefined };
		return c.json(
			{
				changes: page.map((r) => ({
					table: r.tableName as (typeof SYNC_TABLES)[number] | 'rounds',
					op: r.op as (typeof MUTATION_OPS)[number],
					rowId: r.rowId,
					fields: r.fields,
					version: r.seq
				})),
				cursor: encodeCursor(next),
				hasMore,
				...(estimate ? { estimate } : {})
			},
			200
		);
	});
