// End-of-day snapshots of the state figures. Households, open incidents and expected check-ins
// are kept under "now" only (maintain.ts). So that a past day shows them as they were when it
// ended, the day before is frozen once a new day has begun: its state rows are copied from
// "now" to "day:<day>" (one INSERT … SELECT over the state rows, found by the (period, metric)
// index), its overdue incidents are counted at its end, and the day is recorded in rollup_days.
//
// When: every writer that changes state figures first calls freezeYesterday() inside its own
// transaction (push batches and incident moves in maintain.ts, bulk inserts, recompute), and so
// does the one-minute job. Writers are serialized (one writer lock in both drivers), so the
// first write of a day copies the figures of the day before as its last write left them: their
// values at its end.
//
// Days that no write and no job run followed (the server down over midnight) had no state
// change either: when the next day is frozen, they are recorded with it as their state day, and
// only their overdue incidents (which change with the clock alone) are counted, each at its own
// end. Days after the last frozen one read the live figures (read.ts); days before the first
// one ever frozen have no record and read the first one's.
import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { addDays, dayInZone, endOfDayInZone } from '../../src/lib/domain/day';
import type { Db, Tables } from '../store/driver';
import { chunk } from '../store/driver';
import { FigureDeltas, upsertDeltas } from './deltas';
import { dayPeriod, NOW, STATE_METRICS } from './metrics';

export interface DayClock {
	now: Date;
	/** The time zone that defines "a day" (GRIDCARE_TZ). */
	timeZone: string;
}

/** Days with no write recorded when the next day is frozen, at most (the most recent ones). */
export const MAX_GAP_DAYS = 366;

/** Freezing state per store: which day is known to be frozen already, so most writes skip the lookup. */
export class FrozenDays {
	/** The latest day seen frozen by a committed transaction. */
	private latest: string | null = null;

	/**
	 * In the caller's writer transaction, before state figures change at `clock.now`: freeze the
	 * day before unless it is frozen. Returns the day frozen by this call, if any.
	 */
	async freezeYesterday(
		db: Db,
		t: Tables,
		maxParams: number,
		clock: DayClock
	): Promise<string | null> {
		const yesterday = addDays(dayInZone(clock.now, clock.timeZone), -1);
		if (this.latest !== null && this.latest >= yesterday) return null;
		const d = t.rollupDays;
		const [seen] = await db.select({ day: d.day }).from(d).where(eq(d.day, yesterday)).limit(1);
		if (seen) {
			// Seen before this transaction wrote anything: committed, so it stays frozen.
			this.latest = yesterday;
			return null;
		}
		return (await freezeDay(db, t, maxParams, yesterday, clock)) ? yesterday : null;
	}
}

/**
 * Freeze `day` with the live state figures, and the days since the last frozen one with it;
 * false when it was frozen already. Runs in the caller's writer transaction.
 */
export async function freezeDay(
	db: Db,
	t: Tables,
	maxParams: number,
	day: string,
	clock: DayClock
): Promise<boolean> {
	const d = t.rollupDays;
	const marked = await db
		.insert(d)
		.values({ day, stateDay: day, frozenAt: clock.now })
		.onConflictDoNothing()
		.returning({ day: d.day });
	if (marked.length === 0) return false;
	// Days since the last frozen one: no write followed them, so their state is this day's.
	const [last] = await db
		.select({ day: d.day })
		.from(d)
		.where(lt(d.day, day))
		.orderBy(desc(d.day))
		.limit(1);
	const gap: string[] = [];
	if (last)
		for (let g = addDays(day, -1); g > last.day && gap.length < MAX_GAP_DAYS; g = addDays(g, -1))
			gap.push(g);
	for (const part of chunk(gap, 3, maxParams))
		await db
			.insert(d)
			.values(part.map((g) => ({ day: g, stateDay: day, frozenAt: clock.now })))
			.onConflictDoNothing();

	const f = t.rollupFigures;
	await db
		.insert(f)
		.select(
			db
				.select({
					nodeCode: f.nodeCode,
					period: sql<string>`cast(${dayPeriod(day)} as text)`.as('period'),
					metric: f.metric,
					value: f.value
				})
				.from(f)
				.where(and(eq(f.period, NOW), inArray(f.metric, [...STATE_METRICS])))
		)
		.onConflictDoUpdate({
			target: [f.nodeCode, f.period, f.metric],
			set: { value: sql`excluded.value` }
		});

	// Open incidents past due at the end of each of these days (the open ones are still those of
	// their end; the partial index incidents_open_due_idx keeps this to the few open incidents).
	const i = t.incidents;
	const days = [day, ...gap];
	const ends = new Map(days.map((x) => [x, endOfDayInZone(x, clock.timeZone).getTime()]));
	const deltas = new FigureDeltas();
	for (const row of await db
		.select({
			gridId: i.gridId,
			communityCode: i.communityCode,
			dueAt: i.dueAt,
			n: sql<number>`count(*)`
		})
		.from(i)
		.where(and(sql`${i.status} <> 'closed'`, lt(i.dueAt, new Date(ends.get(day)!))))
		.groupBy(i.gridId, i.communityCode, i.dueAt))
		for (const x of days)
			if (row.dueAt.getTime() < ends.get(x)!)
				deltas.addForGrid(
					row.gridId,
					row.communityCode,
					dayPeriod(x),
					'overdueIncidents',
					Number(row.n)
				);
	await upsertDeltas(db, t, deltas, maxParams);
	return true;
}
