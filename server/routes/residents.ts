// Personal data of one resident: purpose-bound unmasking, erasure on request, a masked export.
import { eraseResident } from '../privacy/erase';
import { createRoute, z } from '@hono/zod-openapi';
import { stringify } from 'csv-stringify/sync';
import { safeText } from '../../src/lib/shared/schemas';
import { requireAuth, requireStaff } from '../auth/middleware';
import { audit, canUnmask, headsCommunity } from '../privacy/access';
import { unmaskRequestSchema } from '../../src/lib/shared/privacy';
import { maskName, maskPhone } from '../../src/lib/shared/mask';
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

/**
 * CSV (RFC 4180, CRLF) that a spreadsheet opens as the text stored: a cell containing a comma, a
 * quote, a CR or an LF is quoted (a lone CR or LF too: `quote_record_delimiter`, which is off by
 * default once the delimiter is set), and a text cell starting with = + - @, a tab or a CR (or
 * their full-width forms) is prefixed with ' so that it is not run as a formula.
 */
const toCsv = (rows: (string | number | null)[][]) =>
	stringify(rows, {
		record_delimiter: 'windows',
		quote_record_delimiter: true,
		escape_formulas: true
	});

export const residentRoutes = router()
	.openapi(unmaskRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const { field, reason } = c.req.valid('json');
		const resident = await store.getResident(id);
		if (!resident || resident.deleted)
			return c.json({ error: 'not_found', message: 'id: no such resident' }, 404);
		const grid = await store.getGrid(resident.gridId);
		if (!grid || !canUnmask(user, grid))
			return c.json(
				{ error: 'forbidden', message: "id: only the resident's grid worker or community head" },
				403
			);
		const stored = field === 'idNumber' ? resident.idNumber : resident.phone;
		if (!stored) return c.json({ error: 'not_found', message: `${field}: no value recorded` }, 404);
		const value = field === 'idNumber' ? (await store.idProtection()).open(stored) : stored;
		await audit(c, {
			action: 'unmask',
			subjectType: 'resident',
			subjectId: id,
			communityCode: grid.communityCode,
			reason,
			details: { field }
		});
		return c.json({ value }, 200);
	})
	.openapi(eraseRoute, async (c) => {
		const { store, config, now, alerts } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const { reason } = c.req.valid('json');
		const resident = await store.getResident(id);
		if (!resident) return c.json({ error: 'not_found', message: 'id: no such resident' }, 404);
		const grid = await store.getGrid(resident.gridId);
		if (!grid || !headsCommunity(user, grid.communityCode))
			return c.json(
				{ error: 'forbidden', message: "id: only the head of the resident's community" },
				403
			);
		const erased = await eraseResident(store, user, id, {
			now: now(),
			timeZone: config.timeZone,
			rollup: config.rollup
		});
		if (!erased) return c.json({ error: 'not_found', message: 'id: no such resident' }, 404);
		alerts?.notify(erased.communities);
		await audit(c, {
			action: 'resident_erased',
			subjectType: 'resident',
			subjectId: id,
			communityCode: grid.communityCode,
			reason
		});
		return c.json({ erased: true as const }, 200);
	})
	.openapi(exportRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { gridId } = c.req.valid('query');
		const grid = await store.getGrid(gridId);
		if (!grid) return c.json({ error: 'not_found', message: 'gridId: no such grid' }, 404);
		if (!canUnmask(user, grid))
			return c.json(
				{ error: 'forbidden', message: "gridId: only the grid's worker or community head" },
				403
			);
		const rows: (string | number | null)[][] = [
			['household', 'name', 'idNumber', 'phone', 'birthYear', 'sex']
		];
		for (const household of await store.householdsOfGrid(grid.id))
			for (const r of await store.residentsOfHousehold(household.id))
				rows.push([
					household.address,
					maskName(r.name),
					r.idNumberMasked,
					r.phone ? maskPhone(r.phone) : '',
					r.birthYear,
					r.sex
				]);
		const count = rows.length - 1;
		await audit(c, {
			action: 'export',
			subjectType: 'grid',
			subjectId: grid.id,
			communityCode: grid.communityCode,
			details: { rows: count, format: 'csv' }
		});
		c.header('Content-Disposition', `attachment; filename="residents-${grid.id}.csv"`);
		return c.body(toCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
	});
