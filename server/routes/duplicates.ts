// Duplicate registrations (一人多码, 重复上报): one ID number in more than one household.
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { requireAuth, requireStaff } from '../auth/middleware';
import { audit, communityInView } from '../privacy/access';
import { duplicateFlagsOf, resolveDuplicate } from '../privacy/duplicates';
import { RESOLVE_ACTIONS } from '../../src/lib/shared/privacy';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const flagSchema = z
	.object({
		id: z.string(),
		communityCode: z.string(),
		raisedAt: z.string(),
		resolvedAt: z.string().nullable(),
		resolution: z.string().nullable(),
		note: z.string().nullable(),
		residents: z.array(
			z.object({
				id: z.string(),
				name: z.string().openapi({ description: 'Masked (张*明)' }),
				idNumberMasked: z.string().nullable(),
				householdId: z.string(),
				gridId: z.string(),
				gridName: z
					.string()
					.nullable()
					.openapi({ description: 'In the flag’s community; null for another community' }),
				address: z
					.string()
					.nullable()
					.openapi({
						description:
							'The household’s address in full in the flag’s community; only building and unit ' +
							'(3栋2单元) in another community; null when unknown'
					}),
				householdMembers: z.number().int().nullable(),
				registeredAt: z.string().openapi({ description: 'When the resident was registered' }),
				inYourCommunity: z.boolean()
			})
		)
	})
	.openapi('DuplicateFlag');

const listRoute = createRoute({
	method: 'get',
	path: '/duplicates',
	tags: ['privacy'],
	summary: "A community's duplicate-registration flags (its head; an administrator)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		query: z.object({
			code: z
				.string()
				.regex(/^\d{12}$/, 'expected a 12-digit community code')
				.optional()
		})
	},
	responses: {
		200: {
			description: 'Flags, newest first',
			content: { 'application/json': { schema: z.object({ flags: z.array(flagSchema) }) } }
		},
		400: errorResponse('Bad code'),
		...AUTH_ERRORS
	}
});

const resolveRoute = createRoute({
	method: 'post',
	path: '/duplicates/{id}/resolve',
	tags: ['privacy'],
	summary: 'Close a duplicate-registration flag (audited)',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: z.object({ id: z.string().uuid() }),
		body: {
			content: {
				'application/json': {
					schema: z
						.object({
							action: z.enum(RESOLVE_ACTIONS).openapi({
								description:
									'corrected: the wrong registration was corrected; not_duplicate: two people. ' +
									'"merged" is no longer taken (closing a flag merges nothing)'
							}),
							note: safeText().trim().max(500).optional()
						})
						.strict()
				}
			},
			required: true
		}
	},
	responses: {
		200: {
			description: 'Resolved',
			content: { 'application/json': { schema: z.object({ resolved: z.literal(true) }) } }
		},
		400: errorResponse('Bad action ("merged" is no longer taken)'),
		...AUTH_ERRORS,
		404: errorResponse('No such flag'),
		409: errorResponse('Already resolved')
	}
});

export const duplicateRoutes = router()
	.openapi(listRoute, async (c) => {
		const { store } = c.var.services;
		const community = communityInView(c.var.principal.user, c.req.valid('query').code);
		return c.json({ flags: await duplicateFlagsOf(store, community) }, 200);
	})
	.openapi(resolveRoute, async (c) => {
		const { store, now } = c.var.services;
		const { id } = c.req.valid('param');
		const body = c.req.valid('json');
		const communityCode = await resolveDuplicate(store, c.var.principal.user, id, body, now());
		await audit(c, {
			action: 'duplicate_resolved',
			subjectType: 'duplicate_flag',
			subjectId: id,
			communityCode,
			reason: body.action
		});
		return c.json({ resolved: true as const }, 200);
	});
