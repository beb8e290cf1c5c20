// Personal data of one resident: purpose-bound unmasking, erasure on request, a masked export.
import { eraseOnRequest } from '../privacy/erase';
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { requireAuth, requireStaff } from '../auth/middleware';
import { audit, unmaskedValue } from '../privacy/access';
import { residentsCsv } from '../privacy/export';
import { unmaskRequestSchema } from '../../src/lib/shared/privacy';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const idParam = z.object({ id: z.string().uuid() });

const unmaskRoute = createRoute({
	method: 'post',
	path: '/residents/{id}/unmask',
	tags: ['privacy'],
	summary: 'Show one masked field of a resident in the clear, for a stated reason (audited)',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		params: idParam,
		body: { content: { 'application/json': { schema: unmaskRequestSchema } }, required: true }
	},
	responses: {
		200: {
			description: 'The value; the access is in the audit trail',
			content: { 'application/json': { schema: z.object({ value: z.string() }) } }
		},
		400: errorResponse('Unknown field or reason'),
		...AUTH_ERRORS,
		404: errorResponse('No such resident, or no value recorded')
	}
});

const eraseRoute = createRoute({
	method: 'delete',
	path: '/residents/{id}',
	tags: ['privacy'],
	summary: 'Erase a resident who moved out, on request: personal fields deleted (audited)',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		params: idParam,
		body: {
			content: {
				'application/json': {
					schema: z.object({ reason: safeText().trim().min(2).max(500) }).strict()
				}
			},
			required: true
		}
	},
	responses: {
		200: {
			description: 'Erased',
			content: { 'application/json': { schema: z.object({ erased: z.literal(true) }) } }
		},
		400: errorResponse('Reason missing'),
		...AUTH_ERRORS,
		404: errorResponse('No such resident')
	}
});

const exportRoute = createRoute({
	method: 'get',
	path: '/residents/export',
	tags: ['privacy'],
	summary: "A grid's residents as CSV, masked as on screen (audited)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { query: z.object({ gridId: z.string().uuid() }) },
	responses: {
		200: { description: 'CSV', content: { 'text/csv': { schema: z.string() } } },
		400: errorResponse('gridId missing'),
		...AUTH_ERRORS,
		404: errorResponse('No such grid')
	}
});

export const residentRoutes = router()
	.openapi(unmaskRoute, async (c) => {
		const { store } = c.var.services;
		const { id } = c.req.valid('param');
		const { field, reason } = c.req.valid('json');
		const { value, communityCode } = await unmaskedValue(store, c.var.principal.user, id, field);
		await audit(c, {
			action: 'unmask',
			subjectType: 'resident',
			subjectId: id,
			communityCode,
			reason,
			details: { field }
		});
		return c.json({ value }, 200);
	})
	.openapi(eraseRoute, async (c) => {
		const { store, config, now, alerts } = c.var.services;
		const { id } = c.req.valid('param');
		const { reason } = c.req.valid('json');
		const erased = await eraseOnRequest(store, c.var.principal.user, id, {
			now: now(),
			timeZone: config.timeZone,
			rollup: config.rollup
		});
		alerts?.notify(erased.communities);
		await audit(c, {
			action: 'resident_erased',
			subjectType: 'resident',
			subjectId: id,
			communityCode: erased.communityCode,
			reason
		});
		return c.json({ erased: true as const }, 200);
	})
	.openapi(exportRoute, async (c) => {
		const { store } = c.var.services;
		const { gridId } = c.req.valid('query');
		const { csv, rows, communityCode } = await residentsCsv(store, c.var.principal.user, gridId);
		await audit(c, {
			action: 'export',
			subjectType: 'grid',
			subjectId: gridId,
			communityCode,
			details: { rows, format: 'csv' }
		});
		c.header('Content-Disposition', `attachment; filename="residents-${gridId}.csv"`);
		return c.body(csv, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
	});
