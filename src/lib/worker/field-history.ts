// Who changed which field of a household, including values that lost a merge: from the server
// when it answers (GET /api/v1/history/…), and the copy saved on this device otherwise.
import { z } from 'zod';
import type { GridcareDb } from '$lib/db/db';
import { ApiError, apiRequest } from '$lib/app/api';
import { isQuotaError } from '$lib/db/quota';

export const fieldHistoryEntrySchema = z.object({
	field: z.string(),
	value: z.unknown(),
	outcome: z.enum(['applied', 'lost']),
	actor: z.string().nullable(),
	actorRole: z.string().default('grid_worker'),
	at: z.string(),
	mutationId: z.string()
});
export type FieldHistoryEntry = z.infer<typeof fieldHistoryEntrySchema>;

const historySchema = z.object({ entries: z.array(fieldHistoryEntrySchema) });

export type HistoryTable = 'households' | 'residents';

export interface FieldHistory {
	/** Oldest first, as the server sends them. */
	entries: FieldHistoryEntry[];
	/** ISO 8601: when the server sent this copy. */
	savedAt: string;
	/** True when the server could not be reached and this is the device's copy. */
	fromDevice: boolean;
}

const cacheKey = (table: HistoryTable, rowId: string) => `history.${table}.${rowId}`;

const cachedSchema = z.object({ entries: z.array(fieldHistoryEntrySchema), savedAt: z.string() });

/**
 * The field history of a row. A row the server does not have yet (created here, not synced)
 * has no history: empty. With no network, the saved copy; with neither, an offline ApiError.
 */
export async function loadFieldHistory(
	db: GridcareDb,
	table: HistoryTable,
	rowId: string,
	token: string | null,
	online: boolean
): Promise<FieldHistory> {
	if (online && token) {
		try {
			const { entries } = await apiRequest(
				`/history/${table}/${encodeURIComponent(rowId)}`,
				historySchema,
				{ token }
			);
			const savedAt = new Date().toISOString();
			// The copy for offline use; on a full disk the answer is shown all the same.
			await db.meta
				.put({ key: cacheKey(table, rowId), value: { entries, savedAt } })
				.catch((error: unknown) => {
					if (!isQuotaError(error)) throw error;
				});
			return { entries, savedAt, fromDevice: false };
		} catch (error) {
			if (error instanceof ApiError && error.kind === 'not_found')
				return { entries: [], savedAt: new Date().toISOString(), fromDevice: false };
			if (!(error instanceof ApiError) || error.kind !== 'offline') throw error;
		}
	}
	const cached = cachedSchema.safeParse((await db.meta.get(cacheKey(table, rowId)))?.value);
	if (cached.success) return { ...cached.data, fromDevice: true };
	throw new ApiError('offline', null, `no saved history of ${table} ${rowId}`);
}
