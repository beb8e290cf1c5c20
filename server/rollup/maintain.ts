// Incremental roll-up maintenance for one push batch (architecture.md §6). Called once at the
// end of the batch's transaction, BEFORE the batch is flushed: the database then still holds
// the state before the batch, the transaction's row cache the state after it, so every figure
// changes by (contribution after − contribution before) of the rows the batch touched. All reads
// are indexed lookups by the batch's own row, household and resident ids: the cost follows the
// batch, never the size of the tables. Replays are answered `duplicate` before they reach here,
// so they change nothing. The first batch of a day freezes the day before first (snapshots.ts).
import { and, gte, inArray, lte, or, sql } from 'drizzle-orm';
import { isAbnormalCheck, type StoredCheck } from '../../src/lib/domain/visit';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { Db, Tables } from '../store/drizzle-store';
import { chunk } from '../store/drizzle-store';
import type { SyncRows, SyncTx } from '../store/sync-types';
import { FigureDeltas, upsertDeltas } from './deltas';
import { dayPeriod, NOW, roundPeriod } from './metrics';
import { divisionAndAncestors } from './nodes';
import type { DayClock } from './snapshots';

export interface AppliedChange {
	table: SyncTable;
	op: 'insert' | 'update' | 'delete';
	rowId: string;
}

export interface RoundSpan {
	id: string;
	divisionCode: string;
	startDate: string;
	dueDate: string;
}

/** Rounds a visit of `communityCode` on `day` belongs to. */
export function roundsCovering(rounds: RoundSpan[], communityCode: string, day: string) {
	return rounds.filter(
		(r) => communityCode.startsWith(r.divisionCode) && r.startDate <= day && day <= r.dueDate
	);
}

/** Residents a visit found abnormal (decided only by isAbnormalCheck, which honours a purged check's flag). */
export function abnormalResidentsOf(checks: unknown): string[] {
	if (!Array.isArray(checks)) return [];
	return (checks as (StoredCheck & { residentId: string })[])
		.filter((c) => isAbnormalCheck(c))
		.map((c) => c.residentId);
}

export interface RollupChange {
	/** Figure rows upserted. */
	rows: number;
	/** Communities whose figures changed (their alerts are evaluated once the batch commits). */
	communities: string[];
}

/**
 * Compute the batch's figure deltas and add them, in the batch's transaction at `clock.now`
 * (whose day decides which day is frozen first).
 */
export async function maintainRollup(
	tx: SyncTx,
	applied: AppliedChange[],
	clock: DayClock
): Promise<RollupChange> {
	if (applied.length === 0) return { rows: 0, communities: [] };
	const { db, tables: t, maxParams, frozenDays } = tx.database();
	// Before anything changes: the day before keeps the state figures it ended with.
	await frozenDays.freezeYesterday(db, t, maxParams, clock);
	const deltas = new FigureDeltas();
	const community = async (gridId: string) => (await tx.gridCommunity(gridId)) ?? '';
	const ids = (table: SyncTable) => [
		...new Set(applied.filter((a) => a.table === table).map((a) => a.rowId))
	];

	// Households: counted while not deleted.
	const householdIds = ids('households');
	const householdsBefore = await byId(db, t.households, householdIds, maxParams);
	for (const id of householdIds) {
		const before = householdsBefore.get(id);
		const after = await tx.getRow('households', id);
		const grid = after ?? before;
		if (!grid) continue;
		const n = live(after) - live(before);
		deltas.addForGrid(grid.gridId, await community(grid.gridId), NOW, 'households', n);
	}

	// Incidents: open until closed.
	const incidentIds = ids('incidents');
	const incidentsBefore = await byId(db, t.incidents, incidentIds, maxParams);
	for (const id of incidentIds) {
		const before = incidentsBefore.get(id);
		const after = await tx.getRow('incidents', id);
		const row = after ?? before;
		if (!row) continue;
		const n = open(after) - open(before);
		deltas.addForGrid(row.gridId, row.communityCode, NOW, 'openIncidents', n);
	}

	const visits: SyncRows['visits'][] = [];
	for (const id of ids('visits')) {
		const v = await tx.getRow('visits', id);
		if (v) visits.push(v);
	}
	const checkins: SyncRows['checkins'][] = [];
	for (const id of ids('checkins')) {
		const c = await tx.getRow('checkins', id);
		if (c) checkins.push(c);
	}

	await residentFigures(tx, db, t, maxParams, deltas, {
		residentIds: ids('residents'),
		householdIds,
		checkins
	});
	if (visits.length) await visitFigures(tx, db, t, maxParams, deltas, visits);
	const rows = await upsertDeltas(db, t, deltas, maxParams);
	return { rows, communities: deltas.nodesAt('community') };
}

const live = (row: { deleted: boolean } | null | undefined) => (row && !row.deleted ? 1 : 0);
const open = (row: { status: string } | null | undefined) =>
	row && row.status !== 'closed' ? 1 : 0;

type IdTable = Tables['households'] | Tables['residents'] | Tables['incidents'];

async function byId<T extends IdTable>(
	db: Db,
	table: T,
	ids: string[],
	maxParams: number
): Promise<Map<string, T['$inferSelect']>> {
	const out = new Map<string, T['$inferSelect']>();
	for (const part of chunk(ids, 1, maxParams)) {
		const rows = await db
			.select()
			.from(table as Tables['households'])
			.where(inArray((table as Tables['households']).id, part));
		for (const r of rows) out.set(r.id, r as T['$inferSelect']);
	}
	return out;
}

/**
 * checkinsExpected (residents with dailyCheckIn, not deleted, in a household not deleted) and
 * checkinsDone (per day, distinct expected residents who checked in). A resident whose
 * expectation changes (dailyCheckIn toggled, resident or household deleted) moves all its
 * check-in days; otherwise only the batch's new (resident, day) pairs count.
 */
async function residentFigures(
	tx: SyncTx,
	db: Db,
	t: Tables,
	maxParams: number,
	deltas: FigureDeltas,
	batch: { residentIds: string[]; householdIds: string[]; checkins: SyncRows['checkins'][] }
) {
	const touchedResidents = new Set(batch.residentIds);
	const touchedHouseholds = new Set(batch.householdIds);
	const candidates = new Set<string>([
		...batch.residentIds,
		...batch.checkins.map((c) => c.residentId)
	]);
	// Residents of households the batch changed (a deleted household takes its residents with it).
	for (const part of chunk(batch.householdIds, 1, maxParams)) {
		const rows = await db
			.select({ id: t.residents.id })
			.from(t.residents)
			.where(inArray(t.residents.householdId, part));
		for (const r of rows) candidates.add(r.id);
	}
	if (candidates.size === 0) return;
	const residentsBefore = await byId(db, t.residents, [...candidates], maxParams);
	const residentsAfter = new Map<string, SyncRows['residents'] | null>();
	for (const id of candidates)
		residentsAfter.set(
			id,
			touchedResidents.has(id)
				? await tx.getRow('residents', id)
				: ((residentsBefore.get(id) as SyncRows['residents'] | undefined) ?? null)
		);
	const householdIds = new Set<string>();
	for (const r of [...residentsBefore.values(), ...residentsAfter.values()])
		if (r) householdIds.add(r.householdId);
	const householdsBefore = await byId(db, t.households, [...householdIds], maxParams);
	const householdAfter = async (id: string) =>
		touchedHouseholds.has(id) ? await tx.getRow('households', id) : householdsBefore.get(id);

	const expectedBefore = new Map<string, boolean>();
	const expectedAfter = new Map<string, boolean>();
	for (const id of candidates) {
		const b = residentsBefore.get(id);
		const a = residentsAfter.get(id);
		expectedBefore.set(
			id,
			!!b && b.dailyCheckIn && !b.deleted && live(householdsBefore.get(b.householdId)) === 1
		);
		expectedAfter.set(
			id,
			!!a && a.dailyCheckIn && !a.deleted && live(await householdAfter(a.householdId)) === 1
		);
	}

	const batchDays = new Map<string, Set<string>>();
	for (const c of batch.checkins) {
		let days = batchDays.get(c.residentId);
		if (!days) batchDays.set(c.residentId, (days = new Set()));
		days.add(c.day);
	}
	const changed = [...candidates].filter((id) => expectedBefore.get(id) !== expectedAfter.get(id));
	const stable = [...batchDays.keys()].filter(
		(id) => expectedBefore.get(id) && expectedAfter.get(id)
	);
	// Check-in days already stored: all of them for residents whose expectation changed, only
	// the batch's days for the others (index on (resident_id, day)).
	const storedDays = new Map<string, Set<string>>();
	const addStored = (rows: { residentId: string; day: string }[]) => {
		for (const r of rows) {
			let days = storedDays.get(r.residentId);
			if (!days) storedDays.set(r.residentId, (days = new Set()));
			days.add(r.day);
		}
	};
	const { checkins } = t;
	for (const part of chunk(changed, 1, maxParams))
		addStored(
			await db
				.selectDistinct({ residentId: checkins.residentId, day: checkins.day })
				.from(checkins)
				.where(inArray(checkins.residentId, part))
		);
	const wantedDays = [...new Set(stable.flatMap((id) => [...batchDays.get(id)!]))];
	for (const part of chunk(stable, 1, maxParams - wantedDays.length))
		addStored(
			await db
				.selectDistinct({ residentId: checkins.residentId, day: checkins.day })
				.from(checkins)
				.where(and(inArray(checkins.residentId, part), inArray(checkins.day, wantedDays)))
		);

	for (const id of candidates) {
		const before = expectedBefore.get(id)!;
		const after = expectedAfter.get(id)!;
		const row = residentsAfter.get(id) ?? residentsBefore.get(id);
		if (!row) continue;
		const communityCode = (await tx.gridCommunity(row.gridId)) ?? '';
		deltas.addForGrid(row.gridId, communityCode, NOW, 'checkinsExpected', +after - +before);
		const stored = storedDays.get(id) ?? new Set<string>();
		const days = new Map<string, number>();
		if (before) for (const d of stored) days.set(d, (days.get(d) ?? 0) - 1);
		if (after)
			for (const d of new Set([...stored, ...(batchDays.get(id) ?? [])]))
				days.set(d, (days.get(d) ?? 0) + 1);
		for (const [day, n] of days)
			deltas.addForGrid(row.gridId, communityCode, dayPeriod(day), 'checkinsDone', n);
	}
}

/**
 * visits, visitedHouseholds and abnormalResidents per day and per round. "First time in the
 * period" is decided against the visits already stored for the batch's households (index on
 * household_id), read from the earliest day the batch or its rounds can reach.
 */
async function visitFigures(
	tx: SyncTx,
	db: Db,
	t: Tables,
	maxParams: number,
	deltas: FigureDeltas,
	visits: SyncRows['visits'][]
) {
	const communities = new Map<string, string>();
	for (const v of visits) communities.set(v.gridId, (await tx.gridCommunity(v.gridId)) ?? '');
	const codes = [...new Set([...communities.values()].flatMap(divisionAndAncestors))];
	const rounds: RoundSpan[] = [];
	for (const part of chunk(codes, 1, maxParams))
		rounds.push(
			...(await db
				.select({
					id: t.rounds.id,
					divisionCode: t.rounds.divisionCode,
					startDate: t.rounds.startDate,
					dueDate: t.rounds.dueDate
				})
				.from(t.rounds)
				.where(inArray(t.rounds.divisionCode, part)))
		);
	const periodsOf = (v: SyncRows['visits']) => [
		dayPeriod(v.day),
		...roundsCovering(rounds, communities.get(v.gridId)!, v.day).map((r) => roundPeriod(r.id))
	];
	const periodHas = (period: string, day: string) => {
		if (period.startsWith('day:')) return period === dayPeriod(day);
		const r = rounds.find((x) => roundPeriod(x.id) === period)!;
		return r.startDate <= day && day <= r.dueDate;
	};

	// Stored visits of these households that share a period with the batch's visits: the
	// batch's days and the spans of the rounds they fall in (index on (household_id, day)).
	const batchDays = [...new Set(visits.map((v) => v.day))];
	const spans = rounds.filter((r) => batchDays.some((d) => r.startDate <= d && d <= r.dueDate));
	const householdIds = [...new Set(visits.map((v) => v.householdId))];
	const { visits: vt } = t;
	const inPeriods = or(
		inArray(vt.day, batchDays),
		...spans.map((r) => and(gte(vt.day, r.startDate), lte(vt.day, r.dueDate)))
	);
	const stored: { householdId: string; day: string; abnormal: boolean; checks: unknown }[] = [];
	const room = maxParams - batchDays.length - 2 * spans.length;
	for (const part of chunk(householdIds, 1, room))
		for (const r of await db
			.select({
				householdId: vt.householdId,
				day: vt.day,
				abnormal: vt.abnormal,
				// Checks are read only from the (few) visits flagged abnormal.
				checks: sql<unknown>`case when ${vt.abnormal} then ${vt.checks} end`
			})
			.from(vt)
			.where(and(inArray(vt.householdId, part), inPeriods)))
			stored.push({
				...r,
				abnormal: Boolean(r.abnormal),
				checks: typeof r.checks === 'string' ? JSON.parse(r.checks) : r.checks
			});
	// Only the batch's periods matter: a stored visit marks those it falls in.
	const batchPeriods = [...new Set(visits.flatMap(periodsOf))];
	const seenHousehold = new Set<string>();
	const seenResident = new Set<string>();
	const key = (period: string, id: string) => `${period}|${id}`;
	for (const s of stored)
		for (const p of batchPeriods.filter((p) => periodHas(p, s.day))) {
			seenHousehold.add(key(p, s.householdId));
			if (s.abnormal) for (const r of abnormalResidentsOf(s.checks)) seenResident.add(key(p, r));
		}
	for (const v of visits) {
		const communityCode = communities.get(v.gridId)!;
		for (const p of periodsOf(v)) {
			deltas.addForGrid(v.gridId, communityCode, p, 'visits', 1);
			if (!seenHousehold.has(key(p, v.householdId))) {
				seenHousehold.add(key(p, v.householdId));
				deltas.addForGrid(v.gridId, communityCode, p, 'visitedHouseholds', 1);
			}
			if (v.abnormal)
				for (const r of abnormalResidentsOf(v.checks))
					if (!seenResident.has(key(p, r))) {
						seenResident.add(key(p, r));
						deltas.addForGrid(v.gridId, communityCode, p, 'abnormalResidents', 1);
					}
		}
	}
}
