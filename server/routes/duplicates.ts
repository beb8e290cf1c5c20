// Duplicate registrations (一人多码, 重复上报): one ID number in more than one household.
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { requireAuth, requireStaff } from '../auth/middleware';
import { audit, communityOfHead, headsCommunity } from '../privacy/access';
import { DUPLICATE_ACTIONS } from '../../src/lib/shared/privacy';
import { maskName } from '../../src/lib/shared/mask';
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
							action: z.enum(DUPLICATE_ACTIONS),
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
		400: errorResponse('Bad action'),
		...AUTH_ERRORS,
		404: errorResponse('No such flag'),
		409: errorResponse('Already resolved')
	}
});

export const duplicateRoutes = router()
	.openapi(listRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { code } = c.req.valid('query');
		const community =
			user.role === 'admin'
				? code
				: user.role === 'community_head' && (!code || headsCommunity(user, code))
					? (code ?? communityOfHead(user) ?? undefined)
					: undefined;
		if (!community && user.role !== 'admin')
			return c.json({ error: 'forbidden', message: 'code: outside your scope' }, 403);
		const flags = await store.duplicateFlags({ communityCode: community });
		const out = [];
		for (const flag of flags) {
			const residents = [];
			for (const id of flag.residentIds) {
				const r = await store.getResident(id);
				if (!r) continue;
				const grid = await store.getGrid(r.gridId);
				const inYourCommunity = grid?.communityCode === flag.communityCode;
				residents.push({
					id: r.id,
					// Above the grid level names are masked: enough to find the household, nothing more.
					name: maskName(r.name),
					idNumberMasked: r.idNumberMasked,
					householdId: r.householdId,
					gridId: r.gridId,
					inYourCommunity
				});
			}
			out.push({
				id: flag.id,
				communityCode: flag.communityCode,
				raisedAt: flag.raisedAt.toISOString(),
				resolvedAt: flag.resolvedAt?.toISOString() ?? null,
				resolution: flag.resolution,
				note: flag.note,
				residents
			});
		}
		return c.json({ flags: out }, 200);
	})
	.openapi(resolveRoute, async (c) => {
		const { store, now } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const { action, note } = c.req.valid('json');
		const flag = await store.getDuplicateFlag(id);
		if (!flag) return c.json({ error: 'not_found', message: 'id: no such flag' }, 404);
		if (!headsCommunity(user, flag.communityCode))
			return c.json({ error: 'forbidden', message: "id: only the community's head" }, 403);
		if (flag.resolvedAt) return c.json({ error: 'conflict', message: 'id: already resolved' }, 409);
		await store.resolveDuplicateFlag(id, { by: user.id, at: now(), action, note: note ?? null });
		await audit(c, {
			action: 'duplicate_resolved',
			subjectType: 'duplicate_flag',
			subjectId: id,
			communityCode: flag.communityCode,
			reason: action
		});
		return c.json({ resolved: true as const }, 200);
	});
