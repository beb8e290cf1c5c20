// Grid administration (docs/administration.md, "Grids"): a community's grids with their
// household counts and workers, creating, renaming, drawing the boundary, retiring. Devices
// learn the changes from GET /divisions/{gridId}, which the app reads again after each sync.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { safeText, shortText } from '../../src/lib/shared/schemas';
import { boundaryProblem, cleanBoundary, type GridBoundary } from '../../src/lib/shared/boundary';
import { ApiError, forbidden, invalidInput, notFound } from '../api-error';
import { requireAuth } from '../auth/middleware';
import { canSeeDivision } from '../auth/scope';
import type { AppEnv } from '../context';
import { audit } from '../privacy/access';
import type { GridSummary } from '../store/grids';
import type { Store, UserRow } from '../store/types';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

/** The roles that manage a community's grids, each within their scope. */
const GRID_MANAGERS: ReadonlySet<UserRow['role']> = new Set([
	'admin',
	'street_officer',
	'community_head'
]);

const GRID_NAME_MAX = 64;

const gridSchema = z
	.object({
		id: z.string(),
		communityCode: z.string(),
		name: z.string(),
		boundary: z.unknown().openapi({ description: 'GeoJSON Polygon or MultiPolygon, or null' }),
		retiredAt: z.string().nullable(),
		households: z.number().int(),
		openIncidents: z.number().int(),
		workers: z.array(z.object({ id: z.string(), name: z.string() }))
	})
	.openapi('ManagedGrid');

const communityCode = z.string().regex(/^\d{12}$/, 'expected a 12-digit community code');

const listRoute = createRoute({
	method: 'get',
	path: '/grids',
	tags: ['grids'],
	summary: "A community's grids with household counts and workers, retired ones included",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { query: z.object({ code: communityCode }) },
	responses: {
		200: {
			description: 'In creation order',
			content: {
				'application/json': {
					schema: z.object({
						community: z.object({ code: z.string(), name: z.string() }),
						grids: z.array(gridSchema)
					})
				}
			}
		},
		...AUTH_ERRORS,
		404: errorResponse('No such community')
	}
});

const createGridRoute = createRoute({
	method: 'post',
	path: '/grids',
	tags: ['grids'],
	summary: 'Create a grid in a community (admin, street officer, community head within scope)',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		body: {
			content: {
				'application/json': {
					schema: z.object({ communityCode, name: shortText(GRID_NAME_MAX) }).strict()
				}
			},
			required: true
		}
	},
	responses: {
		201: { description: 'The grid', content: { 'application/json': { schema: gridSchema } } },
		400: errorResponse('Invalid input; the field is named'),
		...AUTH_ERRORS,
		404: errorResponse('No such community'),
		409: errorResponse('The community already has a grid of this name (field `name`)')
	}
});

const patchGridRoute = createRoute({
	method: 'patch',
	path: '/grids/{id}',
	tags: ['grids'],
	summary: 'Rename a grid, set or clear its boundary, retire it (only when empty) or bring it back',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		params: z.object({ id: safeText().min(1).max(64) }),
		body: {
			content: {
				'application/json': {
					schema: z
						.object({
							name: shortText(GRID_NAME_MAX).optional(),
							boundary: z.unknown().optional().openapi({
								description:
									'GeoJSON Polygon or MultiPolygon in [lng, lat], rings closed; null clears it'
							}),
							retired: z.boolean().optional()
						})
						.strict()
				}
			},
			required: true
		}
	},
	responses: {
		200: { description: 'The grid now', content: { 'application/json': { schema: gridSchema } } },
		400: errorResponse('Invalid input; the field is named'),
		...AUTH_ERRORS,
		404: errorResponse('No such grid'),
		409: errorResponse(
			'The name is taken (field `name`), or the grid still has households or open incidents (field `retired`)'
		)
	}
});

const householdsRoute = createRoute({
	method: 'get',
	path: '/grids/{id}/households',
	tags: ['grids'],
	summary: "A grid's live households by address, to choose those moved to another grid",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { params: z.object({ id: safeText().min(1).max(64) }) },
	responses: {
		200: {
			description: 'By address',
			content: {
				'application/json': {
					schema: z.object({
						households: z.array(z.object({ id: z.string(), address: z.string() }))
					})
				}
			}
		},
		...AUTH_ERRORS,
		404: errorResponse('No such grid')
	}
});

/** 409 naming the field at fault. */
const conflictOn = (field: string, why: string) =>
	new ApiError(409, 'conflict', `${field}: ${why}`, field);

/** The community, if it exists and the user manages its grids. */
async function managedCommunity(store: Store, user: UserRow, code: string, field: string) {
	const division = await store.getDivision(code);
	if (division?.level !== 'community') throw notFound(field, `no community with code ${code}`);
	if (!GRID_MANAGERS.has(user.role) || !canSeeDivision(user, code))
		throw forbidden(field, `the grids of ${code} are not yours to manage`);
	return division;
}

function serialize(g: GridSummary) {
	return { ...g, boundary: g.boundary ?? null, retiredAt: g.retiredAt?.toISOString() ?? null };
}

async function summaryOf(store: Store, communityCode: string, id: string) {
	const grid = (await store.grids().ofCommunity(communityCode)).find((g) => g.id === id);
	if (!grid) throw notFound('id', `no grid ${id}`);
	return serialize(grid);
}

/** Refuse a name another grid of the community already has. */
async function requireFreeName(c: Context<AppEnv>, community: string, name: string, self?: string) {
	const taken = await c.var.services.store.grids().named(community, name);
	if (taken && taken.id !== self)
		throw conflictOn('name', `the community already has a grid named "${name}"`);
}

export const gridRoutes = router()
	.openapi(listRoute, async (c) => {
		const { store } = c.var.services;
		const { code } = c.req.valid('query');
		const community = await managedCommunity(store, c.var.principal.user, code, 'code');
		const grids = await store.grids().ofCommunity(code);
		return c.json({ community: { code, name: community.name }, grids: grids.map(serialize) }, 200);
	})
	.openapi(createGridRoute, async (c) => {
		const { store } = c.var.services;
		const { communityCode, name } = c.req.valid('json');
		await managedCommunity(store, c.var.principal.user, communityCode, 'communityCode');
		await requireFreeName(c, communityCode, name);
		const grid = await store.createGrid({ communityCode, name });
		await audit(c, {
			action: 'grid_created',
			subjectType: 'grid',
			subjectId: grid.id,
			communityCode,
			details: { name }
		});
		return c.json(await summaryOf(store, communityCode, grid.id), 201);
	})
	.openapi(householdsRoute, async (c) => {
		const { store } = c.var.services;
		const { id } = c.req.valid('param');
		const grid = await store.getGrid(id);
		if (!grid) throw notFound('id', `no grid ${id}`);
		await managedCommunity(store, c.var.principal.user, grid.communityCode, 'id');
		const households = await store.householdsOfGrid(id);
		return c.json({ households: households.map((h) => ({ id: h.id, address: h.address })) }, 200);
	})
	.openapi(patchGridRoute, async (c) => {
		const { store, now } = c.var.services;
		const { id } = c.req.valid('param');
		const input = c.req.valid('json');
		const grid = await store.getGrid(id);
		if (!grid) throw notFound('id', `no grid ${id}`);
		await managedCommunity(store, c.var.principal.user, grid.communityCode, 'id');

		// Everything is checked before anything is written: a refused change leaves the grid as it was.
		const change: { name?: string; boundary?: GridBoundary | null; retiredAt?: Date | null } = {};
		const details: Record<string, unknown> = {};
		if (input.name !== undefined && input.name !== grid.name) {
			await requireFreeName(c, grid.communityCode, input.name, grid.id);
			change.name = input.name;
			details.name = { from: grid.name, to: input.name };
		}
		if (input.boundary !== undefined) {
			if (input.boundary === null) change.boundary = null;
			else {
				const problem = boundaryProblem(input.boundary);
				if (problem) throw invalidInput('boundary', problem);
				change.boundary = cleanBoundary(input.boundary as GridBoundary);
			}
			details.boundary = change.boundary ? vertexCount(change.boundary) : null;
		}
		if (input.retired !== undefined && input.retired !== (grid.retiredAt !== null)) {
			if (input.retired) {
				const { households, openIncidents } = await store.grids().contents(grid.id);
				if (households > 0 || openIncidents > 0)
					throw conflictOn(
						'retired',
						`the grid still has ${households} households and ${openIncidents} open incidents; move or close them first`
					);
			}
			change.retiredAt = input.retired ? now() : null;
			details.retired = input.retired;
		}
		if (Object.keys(change).length === 0)
			return c.json(await summaryOf(store, grid.communityCode, id), 200);

		await store.grids().update(id, change);
		await audit(c, {
			action:
				change.retiredAt === undefined
					? 'grid_updated'
					: change.retiredAt
						? 'grid_retired'
						: 'grid_restored',
			subjectType: 'grid',
			subjectId: id,
			communityCode: grid.communityCode,
			details
		});
		return c.json(await summaryOf(store, grid.communityCode, id), 200);
	});

/** Points of a boundary, for the audit trail (the shape itself stays on the grid). */
function vertexCount(b: GridBoundary): number {
	const polygons = (b.type === 'Polygon' ? [b.coordinates] : b.coordinates) as number[][][][];
	return polygons.reduce((sum, p) => sum + p.reduce((s, ring) => s + ring.length, 0), 0);
}
