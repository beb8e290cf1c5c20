// A page of the change log for a device: the changes in its user's scope after its cursor, in
// server order (docs/architecture.md, "How a change travels", step 4).
import type { SYNC_TABLES, MUTATION_OPS } from '../../src/lib/shared/enums';
import { ApiError, forbidden, invalidInput } from '../api-error';
import type { Principal } from '../auth/scope';
import type { ChangeRow } from '../store/rows';
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

/** A page reads up to this many times `limit` rows of the change log, for `limit` folded changes. */
const FOLD_WINDOW = 2;

/**
 * The change-log rows as a device receives them: the successive updates of one row in a page come
 * as one update, at the place of the last, with their fields merged (the later value of a field
 * wins) and the version of the last. An insert or a delete is never merged, so a row's insert
 * still comes before the rows that refer to it, and versions stay ascending through a page.
 * At most `limit` changes; `read` says how many rows they hold (all of those before the first row
 * that would have made change `limit + 1`), so the page's cursor is the last of them and no
 * change reaches a device before its turn.
 * A household's due day moves with each visit batch (docs/care-tiers.md): without this, a first
 * download carried one household change per visit batch besides the visits themselves.
 */
export function foldChanges(
	rows: readonly ChangeRow[],
	limit: number
): { changes: PulledChange[]; read: number } {
	const changes: PulledChange[] = [];
	const open = new Map<string, PulledChange>();
	let read = 0;
	for (const r of rows) {
		const key = `${r.tableName}\u0000${r.rowId}`;
		const into = r.op === 'update' ? open.get(key) : undefined;
		if (into) {
			into.fields = { ...into.fields, ...r.fields };
			into.version = r.seq;
		} else {
			if (changes.length === limit) break;
			const change: PulledChange = {
				table: r.tableName as PulledChange['table'],
				op: r.op as PulledChange['op'],
				rowId: r.rowId,
				fields: r.fields,
				version: r.seq
			};
			changes.push(change);
			if (r.op === 'update') open.set(key, change);
			else open.delete(key);
		}
		read += 1;
	}
	// In server order by version: folded updates take the place of their row's last update.
	changes.sort((a, b) => a.version - b.version);
	return { changes, read };
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
		limit: limit * FOLD_WINDOW + 1,
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
	const window = rows.slice(0, limit * FOLD_WINDOW);
	const { changes, read } = foldChanges(window, limit);
	await store.supervision().recordSync(principal.user.id, principal.deviceId, now);
	const hasMore = read < window.length || rows.length > window.length;
	const last = read ? window[read - 1].seq : from.seq;
	// Once the first download is complete, later pulls bring every new change again.
	const next = { seq: last, visitsSince: hasMore ? from.visitsSince : undefined, scopeVersion };
	return {
		changes,
		cursor: encodeCursor(next),
		hasMore,
		...(estimate ? { estimate } : {})
	};
}
