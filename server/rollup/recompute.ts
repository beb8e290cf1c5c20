// Rebuild roll-up figures from the base tables (`npx gridcare recompute-rollups`, and a new
// round's figures). Counting is done by the database with GROUP BY per grid; only the per-grid
// aggregates are then added up the tree. Abnormality is decided by isAbnormalCheck (which
// honours the flag a purged check keeps), so only visits flagged abnormal are read row by row,
// and, for a round with a template, the visits that answered it (its question figures,
// docs/check-templates.md).
//
// Past days' snapshots of the state metrics (households, open and overdue incidents, expected
// check-ins at the end of each day; snapshots.ts) are kept as they are, not rebuilt: the base
// tables hold the present state only (a household's deletion, a resident's dailyCheckIn toggles
// and an incident's reopening carry no reliable time of their own), so a state at the end of a
// past day cannot be derived from them. The snapshots are the record of those days. A recompute
// is itself a write of the state figures: like every other, it freezes the day before first,
// with the figures as they stood, then rebuilds today's live figures and every event figure.
//
// recomputeGrids() does the same for some grids only (a household moved between grids: the grids
// of the two communities, docs/administration.md): the same queries, filtered to those grids,
// give their true figures, and the difference from the stored ones is added as deltas, so each
// grid's community and ancestors follow without reading any other grid's rows or figures.
import {
	and,
	countDistinct,
	eq,
	gte,
	inArray,
	isNotNull,
	like,
	lt,
	lte,
	not,
	sql
} from 'drizzle-orm';
import type { AnyColumn, SQL } from 'drizzle-orm';
import type { Db, Tables } from '../store/driver';
import { chunk } from '../store/driver';
import { FigureDeltas, upsertDeltas } from './deltas';
import {
	abnormalResidentsOf,
	addQuestionFigures,
	dueFigures,
	questionSubjectsOf,
	roundsCovering,
	type RoundSpan
} from './maintain';
import { dayPeriod, NOW, roundPeriod, SNAPSHOT_METRICS, type FigureMetric } from './metrics';

export interface RecomputeSummary {
	grids: number;
	figures: number;
	rounds: number;
}

type Add = (gridId: string, period: string, metric: FigureMetric, n: unknown) => void;

/** What a count covers: every grid, or only `gridIds`; every figure, or one round's. */
interface Scope {
	/** Grid id → community code of the grids counted. */
	community: Map<string, string>;
	/** Count only these grids (at most maxParams − 8 of them); every grid when absent. */
	gridIds?: string[];
	onlyRound?: RoundSpan;
	rounds: RoundSpan[];
	/**
	 * Residents already counted abnormal per period, and subjects per round question (shared
	 * between parts of one count).
	 */
	seen: Set<string>;
	/** The day the due figures are counted at (FrozenDays.asOf). */
	asOf: string;
	/** The overdue clock incidents are counted against (overdue.ts). */
	overdueThrough: Date;
}

/** Rounds of the database, or the one given. */
async function roundsOf(tx: Db, t: Tables, onlyRound?: RoundSpan): Promise<RoundSpan[]> {
	if (onlyRound) return [onlyRound];
	return tx
		.select({
			id: t.rounds.id,
			divisionCode: t.rounds.divisionCode,
			startDate: t.rounds.startDate,
			dueDate: t.rounds.dueDate,
			templateId: t.rounds.templateId
		})
		.from(t.rounds);
}

/**
 * Count the figures of the scope from the base tables, per grid, period and metric, into `add`.
 * Past days' snapshots are not counted (see the top of this file).
 */
async function countFigures(tx: Db, t: Tables, maxParams: number, scope: Scope, add: Add) {
	const { community, gridIds, onlyRound, rounds } = scope;
	const { households: h, residents: r, visits: v, checkins: c, incidents: i } = t;
	const n = sql<number>`count(*)`;
	/** The grid filter on a grid id column: nothing when every grid is counted. */
	const inGrids = (column: AnyColumn): SQL | undefined =>
		gridIds ? inArray(column, gridIds) : undefined;
	if (!onlyRound) {
		for (const row of await tx
			.select({ gridId: h.gridId, n })
			.from(h)
			.where(and(eq(h.deleted, false), inGrids(h.gridId)))
			.groupBy(h.gridId))
			add(row.gridId, NOW, 'households', row.n);
		// Households by the day their next visit is due (docs/care-tiers.md), at the figures' day.
		for (const row of await tx
			.select({ gridId: h.gridId, dueOn: h.dueOn, n })
			.from(h)
			.where(and(eq(h.deleted, false), isNotNull(h.dueOn), inGrids(h.gridId)))
			.groupBy(h.gridId, h.dueOn))
			for (const [period, metric] of dueFigures(row.dueOn, scope.asOf))
				add(row.gridId, period, metric, row.n);
		for (const row of await tx
			.select({ gridId: i.gridId, n })
			.from(i)
			.where(and(sql`${i.status} <> 'closed'`, inGrids(i.gridId)))
			.groupBy(i.gridId))
			add(row.gridId, NOW, 'openIncidents', row.n);
		for (const row of await tx
			.select({ gridId: i.gridId, n })
			.from(i)
			.where(
				and(sql`${i.status} <> 'closed'`, lt(i.dueAt, scope.overdueThrough), inGrids(i.gridId))
			)
			.groupBy(i.gridId))
			add(row.gridId, NOW, 'overdueIncidents', row.n);
		const expected = and(
			eq(r.dailyCheckIn, true),
			eq(r.deleted, false),
			eq(h.deleted, false),
			inGrids(r.gridId)
		);
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
			.where(inGrids(v.gridId))
			.groupBy(v.gridId, v.day)) {
			add(row.gridId, dayPeriod(row.day), 'visits', row.n);
			add(row.gridId, dayPeriod(row.day), 'visitedHouseholds', row.households);
		}
	}
	for (const round of rounds) {
		// A round counts the visits of its subtree between its start and due dates.
		const inRound = [...community].filter(([, code]) => code.startsWith(round.divisionCode));
		for (const part of chunk(
			inRound.map(([id]) => id),
			1,
			maxParams - 3
		)) {
			const inSpan = and(
				inArray(v.gridId, part),
				gte(v.day, round.startDate),
				lte(v.day, round.dueDate)
			);
			for (const row of await tx
				.select({ gridId: v.gridId, n, households: countDistinct(v.householdId) })
				.from(v)
				.where(inSpan)
				.groupBy(v.gridId)) {
				add(row.gridId, roundPeriod(round.id), 'visits', row.n);
				add(row.gridId, roundPeriod(round.id), 'visitedHouseholds', row.households);
			}
			// Question figures: the visits that answered the round's template (any version).
			if (round.templateId)
				for (const row of await tx
					.select({ gridId: v.gridId, householdId: v.householdId, answers: v.answers })
					.from(v)
					.where(and(inSpan, eq(v.templateId, round.templateId))))
					addQuestionFigures(
						scope.seen,
						roundPeriod(round.id),
						questionSubjectsOf(row.answers, row.householdId),
						(metric) => add(row.gridId, roundPeriod(round.id), metric, 1)
					);
		}
	}
	// Distinct abnormal residents per grid and day / round, from the visits flagged abnormal.
	const abnormalWhere = onlyRound
		? and(eq(v.abnormal, true), gte(v.day, onlyRound.startDate), lte(v.day, onlyRound.dueDate))
		: eq(v.abnormal, true);
	const abnormal = await tx
		.select({ gridId: v.gridId, day: v.day, checks: v.checks, answers: v.answers })
		.from(v)
		.where(and(abnormalWhere, inGrids(v.gridId)));
	for (const row of abnormal) {
		const code = community.get(row.gridId);
		if (code === undefined) continue;
		const periods = [
			...(onlyRound ? [] : [dayPeriod(row.day)]),
			...roundsCovering(rounds, code, row.day).map((x) => roundPeriod(x.id))
		];
		for (const resident of abnormalResidentsOf(row.checks, row.answers))
			for (const p of periods) {
				const key = `${p}|${resident}`;
				if (scope.seen.has(key)) continue;
				scope.seen.add(key);
				add(row.gridId, p, 'abnormalResidents', 1);
			}
	}
}

/** The stored figures other than past days' snapshots: what a recompute replaces. */
function notSnapshot(f: Tables['rollupFigures']) {
	return not(and(like(f.period, 'day:%'), inArray(f.metric, [...SNAPSHOT_METRICS]))!);
}

/**
 * Recompute every figure (deleting the old ones first), or, with `onlyRound`, add the figures
 * of one new round. Runs inside the caller's transaction `tx`.
 */
export async function recomputeRollups(
	tx: Db,
	t: Tables,
	maxParams: number,
	clocks: { asOf: string; overdueThrough: Date },
	onlyRound?: RoundSpan
): Promise<RecomputeSummary> {
	const community = new Map<string, string>();
	for (const g of await tx.select({ id: t.grids.id, code: t.grids.communityCode }).from(t.grids))
		community.set(g.id, g.code);
	const deltas = new FigureDeltas();
	const rounds = await roundsOf(tx, t, onlyRound);
	// Everything but the snapshots of past days (see the top of this file).
	if (!onlyRound) await tx.delete(t.rollupFigures).where(notSnapshot(t.rollupFigures));
	const scope = { community, onlyRound, rounds, seen: new Set<string>(), ...clocks };
	await countFigures(tx, t, maxParams, scope, (gridId, period, metric, n) => {
		const code = community.get(gridId);
		if (code !== undefined) deltas.addForGrid(gridId, code, period, metric, Number(n));
	});
	const figures = await upsertDeltas(tx, t, deltas, maxParams);
	return { grids: community.size, figures, rounds: rounds.length };
}

/**
 * Recompute the figures of the grids of some communities, and through them their communities'
 * and ancestors' (see the top of this file): the true figures of those grids, counted by the
 * queries above filtered to them, less the stored ones, added as deltas. Past days' snapshots
 * are kept. Runs inside the caller's transaction `tx`; returns the figure rows written.
 */
export async function recomputeGrids(
	tx: Db,
	t: Tables,
	maxParams: number,
	communityCodes: string[],
	clocks: { asOf: string; overdueThrough: Date }
): Promise<number> {
	const { grids, rollupFigures: f } = t;
	const community = new Map<string, string>();
	for (const part of chunk(communityCodes, 1, maxParams))
		for (const g of await tx
			.select({ id: grids.id, code: grids.communityCode })
			.from(grids)
			.where(inArray(grids.communityCode, part)))
			community.set(g.id, g.code);
	const SEP = '\u0000';
	const difference = new Map<string, number>();
	const add = (gridId: string, period: string, metric: string, n: number) => {
		const key = `${gridId}${SEP}${period}${SEP}${metric}`;
		difference.set(key, (difference.get(key) ?? 0) + n);
	};
	const rounds = await roundsOf(tx, t);
	const seen = new Set<string>();
	for (const gridIds of chunk([...community.keys()], 1, maxParams - 8)) {
		const part = new Map(gridIds.map((id) => [id, community.get(id)!]));
		const scope = { community: part, gridIds, rounds, seen, ...clocks };
		await countFigures(tx, t, maxParams, scope, (gridId, period, metric, n) =>
			add(gridId, period, metric, Number(n))
		);
		const stored = await tx
			.select({ nodeCode: f.nodeCode, period: f.period, metric: f.metric, value: f.value })
			.from(f)
			.where(and(inArray(f.nodeCode, gridIds), notSnapshot(f)));
		for (const row of stored) add(row.nodeCode, row.period, row.metric, -Number(row.value));
	}
	const deltas = new FigureDeltas();
	for (const [key, n] of difference) {
		const [gridId, period, metric] = key.split(SEP);
		deltas.addForGrid(gridId, community.get(gridId)!, period, metric as FigureMetric, n);
	}
	return upsertDeltas(tx, t, deltas, maxParams);
}
