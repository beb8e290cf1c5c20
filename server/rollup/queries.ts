// Database side of the roll-up figures: the stored figures, the overdue clock, the days frozen
// at their end, and the rebuild. One body of drizzle queries for both dialects, like
// server/store/drizzle-store.ts; reached through Store.rollup().
import { and, asc, eq, gte, inArray, lt, min, ne } from 'drizzle-orm';
import type { Db, Driver, Tables } from '../store/driver';
import { chunk } from '../store/driver';
import { timeZoneFromEnv } from '../time-zone';
import { addDays, dayInZone } from '../../src/lib/domain/day';
import { advanceOverdue } from './overdue';
import { recomputeRollups, type RecomputeSummary } from './recompute';
import { latestFrozen, type DayClock, type FrozenDays } from './snapshots';

export interface FigureRow {
	nodeCode: string;
	period: string;
	metric: string;
	value: number;
}

export class FigureQueries {
	private readonly t: Tables;
	constructor(
		private readonly driver: Pick<Driver, 'db' | 'tables' | 'transaction' | 'maxParams'>,
		private readonly frozen: FrozenDays
	) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	/** Figures of some nodes for some periods: primary-key lookups only. */
	async figures(nodeCodes: string[], periods: string[]): Promise<FigureRow[]> {
		const f = this.t.rollupFigures;
		const out: FigureRow[] = [];
		for (const part of chunk(nodeCodes, 1, this.driver.maxParams - periods.length)) {
			const rows = await this.db
				.select()
				.from(f)
				.where(and(inArray(f.nodeCode, part), inArray(f.period, periods)));
			out.push(...rows.map((r) => ({ ...r, value: Number(r.value) })));
		}
		return out;
	}

	/** Every stored figure that is not zero, in key order (recompute checks, tests, benchmarks). */
	async allFigures(): Promise<FigureRow[]> {
		const f = this.t.rollupFigures;
		const rows = await this.db
			.select()
			.from(f)
			.where(ne(f.value, 0))
			.orderBy(asc(f.nodeCode), asc(f.period), asc(f.metric));
		return rows.map((r) => ({ ...r, value: Number(r.value) }));
	}

	/**
	 * Move the overdue clock to `now` (overdue.ts) in a writer transaction of its own: the
	 * one-minute job, as time passes. Returns how many incidents it found newly overdue.
	 */
	async advanceOverdue(now: Date): Promise<number> {
		return this.driver.transaction(
			async (tx) => (await advanceOverdue(tx, this.t, this.driver.maxParams, now)).counted
		);
	}

	/**
	 * Rebuild every figure from the base tables, in one transaction, keeping past days' snapshots
	 * (recompute.ts); the day before `clock.now` is frozen first, like before any state write.
	 */
	recompute(
		clock: DayClock = { now: new Date(), timeZone: timeZoneFromEnv() }
	): Promise<RecomputeSummary> {
		return this.driver.transaction(async (tx) => {
			await this.frozen.freezeYesterday(tx, this.t, this.driver.maxParams, clock);
			const asOf = await this.frozen.asOf(tx, this.t, dayInZone(clock.now, clock.timeZone));
			const { through } = await advanceOverdue(tx, this.t, this.driver.maxParams, clock.now);
			return recomputeRollups(tx, this.t, this.driver.maxParams, {
				asOf,
				overdueThrough: through
			});
		});
	}

	/**
	 * The day the live due figures are counted at (docs/care-tiers.md): the day after the last
	 * frozen one of `province` (of the database when null); null before any day is. Read from the
	 * database each time (a primary-key maximum), never from memory: another transaction may have
	 * frozen a day since.
	 */
	async dueAsOf(province: string | null): Promise<string | null> {
		const last = await latestFrozen(this.db, this.t, province);
		return last === null ? null : addDays(last, 1);
	}

	/** Freeze the day before `clock.now` unless it is (the one-minute job); returns the day frozen. */
	freezeYesterday(clock: DayClock): Promise<string | null> {
		return this.driver.transaction((tx) =>
			this.frozen.freezeYesterday(tx, this.t, this.driver.maxParams, clock)
		);
	}

	/**
	 * Frozen days of `province` (of the database when null: its provinces freeze together) from
	 * `from` (included) to `before` (excluded), oldest first, each with the day whose snapshot
	 * holds its state (snapshots.ts): a primary-key range.
	 */
	frozenDays(
		province: string | null,
		from: string,
		before: string,
		limit: number
	): Promise<{ day: string; stateDay: string }[]> {
		const d = this.t.rollupDays;
		return this.db
			.select({ day: d.day, stateDay: min(d.stateDay).mapWith(String) })
			.from(d)
			.where(
				and(
					province === null ? undefined : eq(d.province, province),
					gte(d.day, from),
					lt(d.day, before)
				)
			)
			.groupBy(d.day)
			.orderBy(asc(d.day))
			.limit(limit);
	}
}
