// The audit trail, read-only: a community head sees their community's entries, an administrator all.
import { createRoute, z } from '@hono/zod-openapi';
import { requireAuth, requireStaff } from '../auth/middleware';
import { communityInView } from '../privacy/access';
import { auditView } from '../privacy/audit-view';
import { auditTrailSchema } from '../../src/lib/shared/privacy';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

// Shared schemas are named with zod's own `.meta`: `.openapi` exists only on schemas built after
// @hono/zod-openapi has loaded, and the app's schemas may be built before.
const auditTrail = auditTrailSchema.meta({ id: 'AuditTrail' });

const auditRoute = createRoute({
	method: 'get',
	path: '/audit',
	tags: ['privacy'],
	summary: 'Audit entries, newest first (community head: own community; admin: any)',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		query: z.object({
			code: z
				.string()
				.regex(/^\d{12}$/, 'expected a 12-digit community code')
				.optional(),
			limit: z.coerce.number().int().min(1).max(1000).default(100)
		})
	},
	responses: {
		200: {
			description: 'Entries',
			content: { 'application/json': { schema: auditTrail } }
		},
		400: errorResponse('Bad code or limit'),
		...AUTH_ERRORS
	}
});

export const auditRoutes = router().openapi(auditRoute, async (c) => {
	const { store } = c.var.services;
	const { code, limit } = c.req.valid('query');
	const communityCode = communityInView(c.var.principal.user, code);
	const rows = await store.auditEntries({ communityCode, limit });
	return c.json({ entries: await auditView(store, c.var.principal.user, rows) }, 200);
});
