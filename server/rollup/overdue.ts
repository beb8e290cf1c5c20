// Overdue incidents kept in the figure tables (docs/decisions.md, "Figures maintained on
// write"): an open incident counts in its grid's and ancestors' "now" overdueIncidents once its
// due time is before the roll-up's overdue clock, an instant stored in `settings`. The clock
// only moves forward, and only inside a writer transaction: every write batch that touches
// incidents moves it to the batch's time first, and the one-minute job moves it as time passes,
// adding the open incidents whose due time it passes (read from the partial index
// incidents_open_due_idx, which holds only the few open incidents). A write counts an incident's
// contribution against the same clock (maintain.ts), and a rebuild counts with it too
// (recompute.ts), so the figure is always "open incidents due before the clock" whatever path
// changed it. The figure therefore lags the wall clock by at most the job's interval, and needs
// no read of the incidents table: a roll-up-only server, which has no incidents, serves it from
// replicated figures alone. A change made behind the write path's back (an UPDATE by hand) is
// counted by a rebuild, `gridcare recompute-rollups`.
import { and, eq, gte, lt, sql } from 'drizzle-orm';
import type { Db, Tables } from '../store/driver';
import { FigureDeltas, upsertDeltas } from './deltas';
import { NOW } from './metrics';

const CLOCK_KEY = 'rollup.overdue_through';

/** The overdue clock, or null before it first moved. */
export async function overdueThrough(db: Db, t: Tables): Promise<Date | null> {
	const s = t.settings;
	const [row] = await db.select({ value: s.value }).from(s).where(eq(s.key, CLOCK_KEY)).limit(1);
	const value = row?.value as { through?: unknown } | undefined;
	return typeof value?.through === 'string' ? new Date(value.through) : null;
}

/**
 * In the caller's writer transaction: move the overdue clock to `now` (never back), adding the
 * open incidents whose due time it passes; the first move counts every open incident due before
 * `now`. Returns the clock after the move.
 */
export async function advanceOverdue(
	db: Db,
	t: Tables,
	maxParams: number,
	now: Date
): Promise<{ through: Date; counted: number }> {
	const from = await overdueThrough(db, t);
	if (from !== null && from.getTime() >= now.getTime()) return { through: from, counted: 0 };
	const i = t.incidents;
	const rows = await db
		.select({ gridId: i.gridId, communityCode: i.communityCode, n: sql<number>`count(*)` })
		.from(i)
		.where(
			and(sql`${i.status} <> 'closed'`, from ? gte(i.dueAt, from) : undefined, lt(i.dueAt, now))
		)
		.groupBy(i.gridId, i.communityCode);
	const deltas = new FigureDeltas();
	let counted = 0;
	for (const row of rows) {
		deltas.addForGrid(row.gridId, row.communityCode, NOW, 'overdueIncidents', Number(row.n));
		counted += Number(row.n);
	}
	await upsertDeltas(db, t, deltas, maxParams);
	const value = { through: now.toISOString() };
	await db
		.insert(t.settings)
		.values({ key: CLOCK_KEY, value })
		.onConflictDoUpdate({ target: t.settings.key, set: { value } });
	return { through: now, counted };
}

/** Whether an incident counts as overdue against the clock: open, and due before it. */
export function countsOverdue(
	row: { status: string; dueAt: Date } | null | undefined,
	through: Date
): 0 | 1 {
	return row && row.status !== 'closed' && row.dueAt.getTime() < through.getTime() ? 1 : 0;
}
