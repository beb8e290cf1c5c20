// Rebuild roll-up figures from the base tables (`npx gridcare recompute-rollups`, and a new
// round's figures). Counting is done by the database with GROUP BY per grid; only the per-grid
// aggregates are then added up the tree. Abnormality is decided by isAbnormalCheck (which
// honours the flag a purged check keeps), so only visits flagged abnormal are read row by row.
//
// Past days' snapshots of the state metrics (households, open and overdue incidents, expected
// check-ins at the end of each day; snapshots.ts) are kept as they are, not rebuilt: the base
// tables hold the present state only (a household's deletion, a resident's dailyCheckIn toggles
// and an incident's reopening carry no reliable time of their own), so a state at the end of a
// past day cannot be derived from them. The snapshots are the record of those days. A recompute
// is itself a write of the state figures: like every other, it freezes the day before first,
// with the figures as they stood, then rebuilds today's live figures and every event figure.
import { and, countDistinct, eq, gte, inArray, like, lte, not, sql } from 'drizzle-orm';
import type { Db, Tables } from '../store/driver';
import { chunk } from '../store/driver';
import { FigureDeltas, upsertDeltas } from './deltas';
import { abnormalResidentsOf, roundsCovering, type RoundSpan } from './maintain';
import { dayPeriod, NOW, roundPeriod, SNAPSHOT_METRICS, type StoredMetric } from './metrics';

export interface RecomputeSummary {
	grids: number;
	figures: number;
	rounds: number;
}

/**
 * Recompute every figure (deleting the old ones first), or, with `onlyRound`, add the figures
 * of one new round. Runs inside the caller's transaction `tx`.
 */
export async function recomputeRollups(
	tx: Db,
	t: Tables,
	maxParams: number,
	onlyRound?: RoundSpan
): Promise<RecomputeSummary> {
	const community = new Map<string, string>();
	for (const g of await tx.select({ id: t.grids.id, code: t.grids.communityCode }).from(t.grids))
		community.set(g.id, g.code);
	const deltas = new FigureDeltas();
	const add = (gridId: string, period: string, metric: StoredMetric, n: unknown) => {
		const code = community.get(gridId);
		if (code !== undefined) deltas.addForGrid(gridId, code, period, metric, Number(n));
	};
	const rounds: RoundSpan[] = onlyRound
		? [onlyRound]
		: await tx
				.select({
					id: t.rounds.id,
					divisionCode: t.rounds.divisionCode,
					startDate: t.rounds.startDate,
					dueDate: t.rounds.dueDate
				})
				.from(t.rounds);

	const { households: h, residents: r, visits: v, checkins: c, incidents: i } = t;
	const n = sql<number>`count(*)`;
	if (!onlyRound) {
		// Everything but the snapshots of past days (see the top of this file).
		const f = t.rollupFigures;
		await tx
			.delete(f)
			.where(not(and(like(f.period, 'day:%'), inArray(f.metric, [...SNAPSHOT_METRICS]))!));
		for (const row of await tx
			.select({ gridId: h.gridId, n })
			.from(h)
			.where(eq(h.deleted, false))
			.groupBy(h.gridId))
			add(row.gridId, NOW, 'households', row.n);
		for (const row of await tx
			.select({ gridId: i.gridId, n })
			.from(i)
			.where(sql`${i.status} <> 'closed'`)
			.groupBy(i.gridId))
			add(row.gridId, NOW, 'openIncidents', row.n);
		const expected = and(eq(r.dailyCheckIn, true), eq(r.deleted, false), eq(h.deleted, false));
		for (const row of await tx
			.select({ gridId: r.gridId, n })
			.from(r)
			.innerJoin(h, eq(h.id, r.householdId))
			.where(expected)
			.groupBy(r.gridId))
			add(row.gridId, NOW, 'checkinsExpected', row.n);
		for (const row of await tx
			.select({ gridId: r.gridId, day: c.day, n: countDistinct(c.residentId) })
			.from(c)
			.innerJoin(r, eq(r.id, c.residentId))
			.innerJoin(h, eq(h.id, r.householdId))
			.where(expected)
			.groupBy(r.gridId, c.day))
			add(row.gridId, dayPeriod(row.day), 'checkinsDone', row.n);
		for (const row of await tx
			.select({ gridId: v.gridId, day: v.day, n, households: countDistinct(v.householdId) })
			.from(v)
			.groupBy(v.gridId, v.day)) {
			add(row.gridId, dayPeriod(row.day), 'visits', row.n);
			add(row.gridId, dayPeriod(row.day), 'visitedHouseholds', row.households);
		}
	}
	for (const round of rounds) {
		// A round counts the visits of its subtree between its start and due dates.
		const gridIds = [...community].filter(([, code]) => code.startsWith(round.divisionCode));
		for (const part of chunk(
			gridIds.map(([id]) => id),
			1,
			maxParams - 2
		))
			for (const row of await tx
				.select({ gridId: v.gridId, n, households: countDistinct(v.householdId) })
				.from(v)
				.where(and(inArray(v.gridId, part), gte(v.day, round.startDate), lte(v.day, round.dueDate)))
				.groupBy(v.gridId)) {
				add(row.gridId, roundPeriod(round.id), 'visits', row.n);
				add(row.gridId, roundPeriod(round.id), 'visitedHouseholds', row.households);
			}
	}
	// Distinct abnormal residents per grid and day / round, from the visits flagged abnormal.
	const seen = new Set<string>();
	const abnormalWhere = onlyRound
		? and(eq(v.abnormal, true), gte(v.day, onlyRound.startDate), lte(v.day, onlyRound.dueDate))
		: eq(v.abnormal, true);
	const abnormal = await tx
		.select({ gridId: v.gridId, day: v.day, checks: v.checks })
		.from(v)
		.where(abnormalWhere);
	for (const row of abnormal) {
		const code = community.get(row.gridId);
		if (code === undefined) continue;
		const periods = [
			...(onlyRound ? [] : [dayPeriod(row.day)]),
			...roundsCovering(rounds, code, row.day).map((x) => roundPeriod(x.id))
		];
		for (const resident of abnormalResidentsOf(row.checks))
			for (const p of periods) {
				const key = `${p}|${resident}`;
				if (seen.has(key)) continue;
				seen.add(key);
				add(row.gridId, p, 'abnormalResidents', 1);
			}
	}
	const figures = await upsertDeltas(tx, t, deltas, maxParams);
	return { grids: community.size, figures, rounds: rounds.length };
}
