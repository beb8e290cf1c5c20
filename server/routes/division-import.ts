// A province's division tree imported from the app, with the same data and code as
// `gridcare import-divisions` (server/divisions/import.ts; docs/administration.md, "Devices,
// kiosks and divisions"). Only an administrator whose scope is `*` or the province itself.
import { createRoute } from '@hono/zod-openapi';
import {
	divisionImportRequestSchema,
	divisionImportResultSchema,
	provinceListSchema
} from '../../src/lib/shared/devices';
import { forbidden, invalidInput } from '../api-error';
import { requireAuth } from '../auth/middleware';
import type { UserRow } from '../store/types';
import { importDivisions, provincesInPackage } from '../divisions/import';
import { audit } from '../privacy/access';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

/** Whether this user may import the province's tree. */
function mayImport(user: UserRow, province: string): boolean {
	return user.role === 'admin' && (user.scope.includes('*') || user.scope.includes(province));
}

const provincesRoute = createRoute({
	method: 'get',
	path: '/provinces',
	tags: ['divisions'],
	summary: 'The provinces an administrator may import, with how many of their divisions are held',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	responses: {
		200: {
			description: 'Provinces',
			content: { 'application/json': { schema: provinceListSchema.meta({ id: 'Provinces' }) } }
		},
		...AUTH_ERRORS
	}
});

const importRoute = createRoute({
	method: 'post',
	path: '/divisions/import',
	tags: ['divisions'],
	summary: "Import (or refresh) a province's five-level division tree; idempotent",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		body: {
			required: true,
			content: { 'application/json': { schema: divisionImportRequestSchema } }
		}
	},
	responses: {
		200: {
			description: 'Divisions per level',
			content: {
				'application/json': {
					schema: divisionImportResultSchema.meta({ id: 'DivisionImportResult' })
				}
			}
		},
		400: errorResponse('Bad or unknown province code'),
		...AUTH_ERRORS
	}
});

export const divisionImportRoutes = router()
	.openapi(provincesRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		if (user.role !== 'admin') throw forbidden('role', 'only an administrator');
		const provinces = (await provincesInPackage()).filter((p) => mayImport(user, p.code));
		const out = [];
		for (const p of provinces) {
			const counts = await store.countDivisions(p.code);
			out.push({ ...p, imported: Object.values(counts).reduce((a, b) => a + b, 0) });
		}
		return c.json({ provinces: out }, 200);
	})
	.openapi(importRoute, async (c) => {
		const { store } = c.var.services;
		const { province } = c.req.valid('json');
		if (!mayImport(c.var.principal.user, province))
			throw forbidden('province', 'only an administrator of all China or of this province');
		const started = performance.now();
		let counts;
		try {
			counts = await importDivisions(store, province);
		} catch (error) {
			// An unknown province: the importer names the field.
			if (error instanceof Error && error.message.startsWith('province: '))
				throw invalidInput('province', error.message.slice('province: '.length));
			throw error;
		}
		const ms = Math.round(performance.now() - started);
		await audit(c, {
			action: 'divisions_imported',
			subjectType: 'division',
			subjectId: province,
			communityCode: null,
			reason: null,
			details: { counts, ms }
		});
		return c.json({ province, counts, ms }, 200);
	});
