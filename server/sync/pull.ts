// A page of the change log for a device: the changes in its user's scope after its cursor, in
// server order (docs/architecture.md, "How a change travels", step 4).
import type { SYNC_TABLES, MUTATION_OPS } from '../../src/lib/shared/enums';
import { ApiError, forbidden, invalidInput } from '../api-error';
import type { Principal } from '../auth/scope';
import type { Store } from '../store/types';
import { decodeCursor, encodeCursor } from './cursor';
import { pullScope } from './scope';

/** Days of visit history a device receives on its first download. */
export const VISIT_WINDOW_DAYS = 90;

export interface PulledChange {
	table: (typeof SYNC_TABLES)[number] | 'rounds';
	op: (typeof MUTATION_OPS)[number];
	rowId: string;
	fields: Record<string, unknown>;
	version: number;
}

export interface PullPage {
	changes: PulledChange[];
	cursor: string;
	hasMore: boolean;
	/** On the first page of a first download: rows of each table the whole download brings. */
	estimate?: Record<string, number>;
}

/** The page after `cursor` (none: a first download), at most `limit` changes, at `now`. */
export async function pullPage(
	store: Store,
	principal: Principal,
	{ cursor, limit }: { cursor?: string; limit: number },
	now: Date
): Promise<PullPage> {
	const scope = pullScope(principal.user);
	if (!scope) throw forbidden('role', 'this role receives roll-up counts, not grid data');
	// A first download starts a cursor that leaves out visits older than VISIT_WINDOW_DAYS.
	const from = cursor
		? decodeCursor(cursor)
		: { seq: 0, visitsSince: now.getTime() - VISIT_WINDOW_DAYS * 86_400_000 };
	if (from === null) throw invalidInput('cursor', 'not a cursor this server issued');
	// The user's scope changed since the cursor was issued: the device downloads its scope again
	// (docs/architecture.md, "When a user's scope changes").
	const scopeVersion = principal.user.scopeVersion;
	if (cursor && (from.scopeVersion ?? 0) < scopeVersion)
		throw new ApiError(
			409,
			'scope_changed',
			'cursor: your grids or communities changed; download your data again'
		);
	const rows = await store.pullChanges({
		...scope,
		after: from.seq,
		limit: limit + 1,
		visitsSince: from.visitsSince === undefined ? undefined : new Date(from.visitsSince)
	});
	// The first page of a first download says how much is coming, for the progress screen.
	const estimate = cursor
		? undefined
		: await store.pullEstimate({
				...scope,
				after: 0,
				visitsSince: from.visitsSince === undefined ? undefined : new Date(from.visitsSince)
			});
	const page = rows.slice(0, limit);
	await store.supervision().recordSync(principal.user.id, principal.deviceId, now);
	const hasMore = rows.length > limit;
	const last = page.length ? page[page.length - 1].seq : from.seq;
	// Once the first download is complete, later pulls bring every new change again.
	const next = { seq: last, visitsSince: hasMore ? from.visitsSince : undefined, scopeVersion };
	return {
		changes: page.map((r) => ({
			table: r.tableName as PulledChange['table'],
			op: r.op as PulledChange['op'],
			rowId: r.rowId,
			fields: r.fields,
			version: r.seq
		})),
		cursor: encodeCursor(next),
		hasMore,
		...(estimate ? { estimate } : {})
	};
}
