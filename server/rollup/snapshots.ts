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
//
// Freezing a day also moves the households due and overdue for a visit (docs/care-tiers.md) from
// that day to the next, from the per-day "due:<day>" rows alone (advanceDue), each day left
// behind keeping its values under "day:<day>".
import { and, desc, eq, gt, gte, inArray, lt, lte, max, sql, type SQL } from 'drizzle-orm';
import { addDays, dayInZone, endOfDayInZone } from '../../src/lib/domain/day';
import type { Db, Tables } from '../store/driver';
import { chunk } from '../store/driver';
import { FigureDeltas, upsertDeltas } from './deltas';
import { dayPeriod, duePeriod, NOW, STATE_METRICS } from './metrics';

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

	/**
	 * The day the live due figures are counted at (docs/care-tiers.md): the day after the last
	 * frozen one, and never before `today` once the day before it is frozen (call after
	 * freezeYesterday, in the same transaction).
	 */
	async asOf(db: Db, t: Tables, today: string): Promise<string> {
		const latest = this.latest !== null ? this.latest : await latestFrozen(db, t);
		const next = latest === null ? today : addDays(latest, 1);
		return next > today ? next : today;
	}
}

/**
 * The last frozen day, or null when none is: of one province (a national database holds several
 * provinces' days, docs/scaling.md), or of the whole database (its provinces freeze together).
 */
export async function latestFrozen(
	db: Db,
	t: Tables,
	province: string | null = null
): Promise<string | null> {
	const d = t.rollupDays;
	const [row] = await db
		.select({ day: max(d.day) })
		.from(d)
		.where(province === null ? undefined : eq(d.province, province));
	return row?.day ?? null;
}

/** The provinces a freeze records a day for: those the database has grids in. */
async function provincesOfGrids(db: Db, t: Tables): Promise<string[]> {
	const province = sql<string>`substr(${t.grids.communityCode}, 1, 2)`;
	const rows = await db.selectDistinct({ province }).from(t.grids);
	return rows.map((r) => String(r.province));
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
	// The last day frozen before this call (a later one than `day` when the clock went back).
	const previous = await latestFrozen(db, t);
	// Frozen already when any province has the day: they are frozen together.
	const [seen] = await db.select({ day: d.day }).from(d).where(eq(d.day, day)).limit(1);
	const provinces = seen ? [] : await provincesOfGrids(db, t);
	if (provinces.length === 0) return false;
	await db
		.insert(d)
		.values(provinces.map((province) => ({ province, day, stateDay: day, frozenAt: clock.now })));
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
	const gapRows = gap.flatMap((g) =>
		provinces.map((province) => ({ province, day: g, stateDay: day, frozenAt: clock.now }))
	);
	for (const part of chunk(gapRows, 4, maxParams))
		await db.insert(d).values(part).onConflictDoNothing();

	await copyNow(db, t, day, STATE_METRICS);

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

	// Households due and overdue for a visit: the live figures are counted at the day after the
	// last frozen one (a later one when the clock went back); walk them to the day after this
	// one, each day on the way kept under its own "day:<day>".
	const from = previous !== null ? addDays(previous, 1) : addDays(day, 1);
	await advanceDue(db, t, from, addDays(day, 1));
	return true;
}

/**
 * Move the live due figures from day `from` to day `to` (later), without reading a household:
 * each day on the way adds the households due on it to visitsDue, and the day after, to
 * visitsOverdue. The days from `from` to the day before `to` (the last MAX_GAP_DAYS of them)
 * keep their values under "day:<day>" first.
 */
async function advanceDue(db: Db, t: Tables, from: string, to: string): Promise<void> {
	if (from >= to) return;
	const stepsFrom = addDays(to, -MAX_GAP_DAYS) > from ? addDays(to, -MAX_GAP_DAYS) : from;
	// Days too long ago to keep: one move over all of them.
	if (stepsFrom > from) await moveDue(db, t, from, stepsFrom);
	for (let g = stepsFrom; g < to; g = addDays(g, 1)) {
		await copyNow(db, t, g, ['visitsDue', 'visitsOverdue']);
		await moveDue(db, t, g, addDays(g, 1));
	}
}

/** Copy some live figures (period "now") to "day:<day>". */
async function copyNow(db: Db, t: Tables, day: string, metrics: readonly string[]): Promise<void> {
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
				.where(and(eq(f.period, NOW), inArray(f.metric, [...metrics])))
		)
		.onConflictDoUpdate({
			target: [f.nodeCode, f.period, f.metric],
			set: { value: sql`excluded.value` }
		});
}

/**
 * The live due figures counted at `from` become those counted at `to`: visitsDue gains the
 * households due on a day in (from, to], visitsOverdue those due on a day in [from, to); the
 * "due:<day>" rows before `to` are no longer needed and go.
 */
async function moveDue(db: Db, t: Tables, from: string, to: string): Promise<void> {
	const f = t.rollupFigures;
	const add = async (metric: 'visitsDue' | 'visitsOverdue', after: SQL, upTo: SQL) => {
		await db
			.insert(f)
			.select(
				db
					.select({
						nodeCode: f.nodeCode,
						period: sql<string>`cast(${NOW} as text)`.as('period'),
						metric: sql<string>`cast(${metric} as text)`.as('metric'),
						value: sql<number>`cast(sum(${f.value}) as bigint)`.as('value')
					})
					.from(f)
					.where(and(eq(f.metric, 'households'), after, upTo))
					.groupBy(f.nodeCode)
			)
			.onConflictDoUpdate({
				target: [f.nodeCode, f.period, f.metric],
				set: { value: sql`${f.value} + excluded.value` }
			});
	};
	await add('visitsDue', gt(f.period, duePeriod(from)), lte(f.period, duePeriod(to)));
	await add('visitsOverdue', gte(f.period, duePeriod(from)), lt(f.period, duePeriod(to)));
	await db
		.delete(f)
		.where(
			and(gte(f.period, duePeriod('')), lt(f.period, duePeriod(to)), eq(f.metric, 'households'))
		);
}
