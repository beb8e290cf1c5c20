// The roster import's answers (docs/imports.md, "API"): one set of schemas for the server's
// routes, which describe and send them, and the app, which checks them at the boundary.
import { z } from 'zod';

export const importSummarySchema = z.object({
	households: z.number(),
	residents: z.number(),
	updated: z.number(),
	rejected: z.number()
});
export type ImportSummary = z.infer<typeof importSummarySchema>;

export const rowProblemSchema = z.object({
	row: z.number(),
	column: z.string(),
	field: z.string().nullable(),
	code: z.string(),
	message: z.string()
});

export const rosterColumnSchema = z.object({
	index: z.number(),
	header: z.string(),
	field: z.string().nullable(),
	hidden: z.boolean()
});

export const importPreviewSchema = z.object({
	id: z.string(),
	communityCode: z.string(),
	fileName: z.string(),
	status: z.enum(['preview', 'committing', 'committed']),
	expiresAt: z.string(),
	createGrids: z.boolean(),
	sheets: z.array(z.string()),
	sheet: z.string(),
	headerRow: z.number(),
	columns: z.array(rosterColumnSchema),
	counts: z.object({
		rows: z.number(),
		households: z.number(),
		residents: z.number(),
		updated: z.number(),
		unchanged: z.number(),
		rejected: z.number()
	}),
	problems: z.array(rowProblemSchema),
	problemsTotal: z.number(),
	gridsToCreate: z.array(z.string()),
	progress: z.object({ done: z.number(), total: z.number() }),
	result: importSummarySchema.nullable()
});
export type ImportPreview = z.infer<typeof importPreviewSchema>;
