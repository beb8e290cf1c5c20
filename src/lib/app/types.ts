// Shapes of the API answers the client relies on (README, "API"), checked at the boundary
// so that a surprising answer becomes a clear error instead of a broken screen.
import { z } from 'zod';
import { roleSchema } from '$lib/shared/schemas';
import { NODE_LEVELS } from '$lib/shared/enums';

export const nodeLevelSchema = z.enum(NODE_LEVELS);

export const sessionUserSchema = z.object({
	id: z.string(),
	username: z.string(),
	displayName: z.string().nullable().optional(),
	role: roleSchema,
	scope: z.array(z.string())
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

export const loginResponseSchema = z.object({
	token: z.string().min(1),
	expiresAt: z.union([z.string(), z.number()]),
	user: sessionUserSchema,
	deviceKey: z.string().min(1),
	/** The deployment's time zone: dates and times on screen are in it (src/lib/i18n/format.ts). */
	timeZone: z.string().min(1).optional(),
	/** `rollup-only` on a national server: figures only, no incidents, alerts or rounds. */
	mode: z.enum(['full', 'rollup-only']).optional()
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

export const divisionChildSchema = z.object({
	code: z.string(),
	name: z.string(),
	level: nodeLevelSchema
});
export type DivisionChild = z.infer<typeof divisionChildSchema>;

export const divisionNodeSchema = z.object({
	code: z.string(),
	name: z.string(),
	level: nodeLevelSchema,
	parentCode: z.string().nullable().optional(),
	children: z.array(divisionChildSchema),
	/** A grid's GeoJSON outline, when the server sends one (the map draws it; see src/lib/map). */
	boundary: z.unknown().optional()
});
export type DivisionNode = z.infer<typeof divisionNodeSchema>;

/** What 400 answers carry: the offending field is always named. */
export const badRequestSchema = z.object({
	error: z.string().optional(),
	field: z.string().optional(),
	message: z.string().optional()
});
