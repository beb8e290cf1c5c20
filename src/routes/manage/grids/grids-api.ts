// The grid administration API as the screens call it (docs/administration.md, "Grids").
import { z } from 'zod';
import { apiRequest, ApiError } from '$lib/app/api';
import { session } from '$lib/app/session.svelte';
import type { GridBoundary } from '$lib/shared/boundary';

const gridSchema = z.object({
	id: z.string(),
	communityCode: z.string(),
	name: z.string(),
	boundary: z.unknown(),
	retiredAt: z.string().nullable(),
	households: z.number(),
	openIncidents: z.number(),
	workers: z.array(z.object({ id: z.string(), name: z.string() }))
});
export type ManagedGrid = z.infer<typeof gridSchema>;

const listSchema = z.object({
	community: z.object({ code: z.string(), name: z.string() }),
	grids: z.array(gridSchema)
});

const householdsSchema = z.object({
	households: z.array(z.object({ id: z.string(), address: z.string() }))
});

function token(): string {
	const t = session.token;
	if (!t) throw new ApiError('unauthorized', null, 'not signed in');
	return t;
}

export const gridsApi = {
	list: (code: string) =>
		apiRequest(`/grids?code=${encodeURIComponent(code)}`, listSchema, { token: token() }),
	create: (communityCode: string, name: string) =>
		apiRequest('/grids', gridSchema, {
			method: 'POST',
			body: { communityCode, name },
			token: token()
		}),
	change: (
		id: string,
		change: { name?: string; boundary?: GridBoundary | null; retired?: boolean }
	) =>
		apiRequest(`/grids/${encodeURIComponent(id)}`, gridSchema, {
			method: 'PATCH',
			body: change,
			token: token()
		}),
	households: (id: string) =>
		apiRequest(`/grids/${encodeURIComponent(id)}/households`, householdsSchema, {
			token: token()
		}),
	move: (householdIds: string[], toGridId: string) =>
		apiRequest('/households/move', z.object({ moved: z.number() }), {
			method: 'POST',
			body: { householdIds, toGridId },
			token: token()
		})
};
