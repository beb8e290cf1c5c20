// Incremental roll-up maintenance for one write batch (docs/architecture.md, "The write path"):
// called when the batch settles (server/write/batch.ts), before it is flushed: the database then
// still holds the state before the batch, the transaction's row cache the state after it, so
// every figure changes by (contribution after − contribution before) of the rows the batch
// touched. All reads are indexed lookups by the batch's own row, household and resident ids: the
// cost follows the batch, never the size of the tables. Replays are answered `duplicate` before
// they reach here, so they change nothing. The first batch of a day freezes the day before
// first (snapshots.ts).
import { and, eq, gte, lte, or, type SQL } from 'drizzle-orm';
import { isAbnormalCheck, type StoredCheck } from '../../src/lib/domain/visit';
import { isAbnormalAnswer, type StoredAnswer } from '../../src/lib/shared/templates';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Db, Tables } from '../store/driver';
import type { RowReader, SyncRows } from '../store/rows';
import { FigureDeltas, upsertDeltas } from './deltas';
import { dayPeriod, duePeriod, NOW, questionMetric, roundPeriod } from './metrics';
import { dayInZone } from '../../src/lib/domain/day';
import { divisionAndAncestors } from './nodes';
import type { DayClock, FrozenDays } from './snapshots';
import { advanceOverdue, countsOverdue } from './overdue';

/** The write transaction's own connection, held by the store while it maintains the figures. */
export interface FigureDb {
	db: Db;
	tables: Tables;
	maxParams: number;
	/** `column IN (values)` with the whole list bound as one parameter. */
	oneOf(column: PgColumn, values: string[]): SQL;
	/** The store's end-of-day snapshots (snapshots.ts). */
	frozenDays: FrozenDays;
}

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
	/** The check template the round asks (any version counts in its question figures); null: none. */
	templateId: string | null;
}

/** Rounds a visit of `communityCode` on `day` belongs to. */
export function roundsCovering(rounds: RoundSpan[], communityCode: string, day: string) {
	return rounds.filter(
		(r) => communityCode.startsWith(r.divisionCode) && r.startDate <= day && day <= r.dueDate
	);
}

/**
 * Residents a visit found abnormal: by a check (decided only by isAbnormalCheck, which honours a
 * purged check's flag) or by an answer to a question asked per resident (its stored flag,
 * isAbnormalAnswer). A household question's answer names no resident (docs/check-templates.md).
 */
export function abnormalResidentsOf(checks: unknown, answers?: unknown): string[] {
	const out = new Set<string>();
	if (Array.isArray(checks))
		for (const c of checks as (StoredCheck & { residentId: string })[])
			if (isAbnormalCheck(c)) out.add(c.residentId);
	if (Array.isArray(answers))
		for (const a of answers as StoredAnswer[])
			if (a.residentId && isAbnormalAnswer(a)) out.add(a.residentId);
	return [...out];
}

/** One counted answer of a visit: its question, whom it is about, whether it was abnormal. */
export interface QuestionSubject {
	key: string;
	/** "r:<residentId>" for a question asked per resident, "h:<householdId>" for the household's. */
	subject: string;
	abnormal: boolean;
}

/**
 * The answers of a visit that count in a round's question figures: those carrying an abnormal
 * flag (their question has a rule; docs/check-templates.md, "Figures").
 */
export function questionSubjectsOf(answers: unknown, householdId: string): QuestionSubject[] {
	if (!Array.isArray(answers)) return [];
	return (answers as StoredAnswer[])
		.filter((a) => typeof a.abnormal === 'boolean')
		.map((a) => ({
			key: a.key,
			subject: a.residentId ? `r:${a.residentId}` : `h:${householdId}`,
			abnormal: a.abnormal === true
		}));
}

/**
 * Adds a round's question figures visit by visit: a subject counts once per round and question
 * as asked, and once as abnormal. `seen` holds what is already counted (shared between parts).
 */
export function addQuestionFigures(
	seen: Set<string>,
	period: string,
	subjects: QuestionSubject[],
	add: (metric: ReturnType<typeof questionMetric>) => void
): void {
	for (const { key, subject, abnormal } of subjects) {
		const asked = `${period}|q|${key}|${subject}`;
		if (!seen.has(asked)) {
			seen.add(asked);
			add(questionMetric(key, 'asked'));
		}
		const found = `${period}|qa|${key}|${subject}`;
		if (abnormal && !seen.has(found)) {
			seen.add(found);
			add(questionMetric(key, 'abnormal'));
		}
	}
}

/** Rounds with a template whose question figures a visit counts in: it answered that template. */
export function templateRoundsOf(
	rounds: RoundSpan[],
	communityCode: string,
	visit: { day: string; templateId: string | null }
): RoundSpan[] {
	if (!visit.templateId) return [];
	return roundsCovering(rounds, communityCode, visit.day).filter(
		(r) => r.templateId === visit.templateId
	);
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
	tx: RowReader,
	x: FigureDb,
	applied: AppliedChange[],
	clock: DayClock
): Promise<RollupChange> {
	if (applied.length === 0) return { rows: 0, communities: [] };
	// Before anything changes: the day before keeps the state figures it ended with.
	await x.frozenDays.freezeYesterday(x.db, x.tables, x.maxParams, clock);
	const deltas = new FigureDeltas();
	const community = async (gridId: string) => (await tx.gridCommunity(gridId)) ?? '';
	const ids = (table: SyncTable) => [
		...new Set(applied.filter((a) => a.table === table).map((a) => a.rowId))
	];

	// Households: counted while not deleted; and by the day their next visit is due.
	const householdIds = ids('households');
	const householdsBefore = await byId(x, x.tables.households, householdIds);
	const asOf = householdIds.length
		? await x.frozenDays.asOf(x.db, x.tables, dayInZone(clock.now, clock.timeZone))
		: '';
	for (const id of householdIds) {
		const before = householdsBefore.get(id);
		const after = await tx.getRow('households', id);
		const grid = after ?? before;
		if (!grid) continue;
		const code = await community(grid.gridId);
		const n = live(after) - live(before);
		deltas.addForGrid(grid.gridId, code, NOW, 'households', n);
		for (const [row, sign] of [
			[before, -1],
			[after, 1]
		] as const)
			if (row && live(row))
				for (const [period, metric] of dueFigures(row.dueOn, asOf))
					deltas.addForGrid(grid.gridId, code, period, metric, sign);
	}

	// Incidents: open until closed; overdue while open and due before the overdue clock, which
	// moves to the batch's time first (overdue.ts).
	const incidentIds = ids('incidents');
	const incidentsBefore = await byId(x, x.tables.incidents, incidentIds);
	const { through } = incidentIds.length
		? await advanceOverdue(x.db, x.tables, x.maxParams, clock.now)
		: { through: clock.now };
	for (const id of incidentIds) {
		const before = incidentsBefore.get(id);
		const after = await tx.getRow('incidents', id);
		const row = after ?? before;
		if (!row) continue;
		const n = open(after) - open(before);
		deltas.addForGrid(row.gridId, row.communityCode, NOW, 'openIncidents', n);
		const overdue = countsOverdue(after, through) - countsOverdue(before, through);
		deltas.addForGrid(row.gridId, row.communityCode, NOW, 'overdueIncidents', overdue);
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

	await residentFigures(tx, x, deltas, {
		residentIds: ids('residents'),
		householdIds,
		checkins
	});
	if (visits.length) await visitFigures(tx, x, deltas, visits);
	const rows = await upsertDeltas(x.db, x.tables, deltas, x.maxParams);
	return { rows, communities: deltas.nodesAt('community') };
}

const live = (row: { deleted: boolean } | null | undefined) => (row && !row.deleted ? 1 : 0);

/**
 * The figures a live household due on `dueOn` counts in when they are counted at day `asOf`
 * (docs/care-tiers.md): visitsDue from its due day on, visitsOverdue from the day after, and
 * until then the households due on its day ("due:<day>"). None before its due day is known.
 */
export function dueFigures(
	dueOn: string | null,
	asOf: string
): [period: string, metric: 'visitsDue' | 'visitsOverdue' | 'households'][] {
	if (dueOn === null) return [];
	if (dueOn < asOf)
		return [
			[NOW, 'visitsDue'],
			[NOW, 'visitsOverdue']
		];
	if (dueOn === asOf)
		return [
			[NOW, 'visitsDue'],
			[duePeriod(dueOn), 'households']
		];
	return [[duePeriod(dueOn), 'households']];
}
const open = (row: { status: string } | null | undefined) =>
	row && row.status !== 'closed' ? 1 : 0;

type IdTable = Tables['households'] | Tables['residents'] | Tables['incidents'];

async function byId<T extends IdTable>(
	x: FigureDb,
	table: T,
	ids: string[]
): Promise<Map<string, T['$inferSelect']>> {
	const out = new Map<string, T['$inferSelect']>();
	if (ids.length === 0) return out;
	const rows = await x.db
		.select()
		.from(table as Tables['households'])
		.where(x.oneOf((table as Tables['households']).id, ids));
	for (const r of rows) out.set(r.id, r as T['$inferSelect']);
	return out;
}

/**
 * checkinsExpected (residents with dailyCheckIn, not deleted, in a household not deleted) and
 * checkinsDone (per day, distinct expected residents who checked in). A resident whose
 * expectation changes (dailyCheckIn toggled, resident or household deleted) moves all its
 * check-in days; otherwise only the batch's new (resident, day) pairs count.
 */
async function residentFigures(
	tx: RowReader,
	x: FigureDb,
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
	const { db, tables: t } = x;
	if (batch.householdIds.length)
		for (const r of await db
			.select({ id: t.residents.id })
			.from(t.residents)
			.where(x.oneOf(t.residents.householdId, batch.householdIds)))
			candidates.add(r.id);
	if (candidates.size === 0) return;
	const residentsBefore = await byId(x, t.residents, [...candidates]);
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
	const householdsBefore = await byId(x, t.households, [...householdIds]);
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
	if (changed.length)
		addStored(
			await db
				.selectDistinct({ residentId: checkins.residentId, day: checkins.day })
				.from(checkins)
				.where(x.oneOf(checkins.residentId, changed))
		);
	const wantedDays = [...new Set(stable.flatMap((id) => [...batchDays.get(id)!]))];
	if (stable.length)
		addStored(
			await db
				.selectDistinct({ residentId: checkins.residentId, day: checkins.day })
				.from(checkins)
				.where(and(x.oneOf(checkins.residentId, stable), x.oneOf(checkins.day, wantedDays)))
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
	tx: RowReader,
	x: FigureDb,
	deltas: FigureDeltas,
	visits: SyncRows['visits'][]
) {
	const { db, tables: t } = x;
	const communities = new Map<string, string>();
	for (const v of visits) communities.set(v.gridId, (await tx.gridCommunity(v.gridId)) ?? '');
	const codes = [...new Set([...communities.values()].flatMap(divisionAndAncestors))];
	const rounds: RoundSpan[] = await db
		.select({
			id: t.rounds.id,
			divisionCode: t.rounds.divisionCode,
			startDate: t.rounds.startDate,
			dueDate: t.rounds.dueDate,
			templateId: t.rounds.templateId
		})
		.from(t.rounds)
		.where(x.oneOf(t.rounds.divisionCode, codes));
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
		x.oneOf(vt.day, batchDays),
		...spans.map((r) => and(gte(vt.day, r.startDate), lte(vt.day, r.dueDate)))
	);
	// Which households already have a visit on which day (covering index on (household_id, day,
	// abnormal): one entry per household and day however many visits it holds), and the checks of
	// the stored abnormal visits of households the batch found someone abnormal in (a resident
	// belongs to one household).
	const stored: { householdId: string; day: string; checks?: unknown; answers?: unknown }[] =
		await db
			.selectDistinct({ householdId: vt.householdId, day: vt.day })
			.from(vt)
			.where(and(x.oneOf(vt.householdId, householdIds), inPeriods));
	const abnormalHouseholds = [
		...new Set(visits.filter((v) => v.abnormal).map((v) => v.householdId))
	];
	if (abnormalHouseholds.length)
		stored.push(
			...(await db
				.select({
					householdId: vt.householdId,
					day: vt.day,
					checks: vt.checks,
					answers: vt.answers
				})
				.from(vt)
				.where(and(x.oneOf(vt.householdId, abnormalHouseholds), inPeriods, eq(vt.abnormal, true))))
		);
	// Only the batch's periods matter: a stored visit marks those it falls in.
	const batchPeriods = [...new Set(visits.flatMap(periodsOf))];
	const seenHousehold = new Set<string>();
	const seenResident = new Set<string>();
	const key = (period: string, id: string) => `${period}|${id}`;
	for (const s of stored)
		for (const p of batchPeriods.filter((p) => periodHas(p, s.day))) {
			seenHousehold.add(key(p, s.householdId));
			if (s.checks)
				for (const r of abnormalResidentsOf(s.checks, s.answers)) seenResident.add(key(p, r));
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
				for (const r of abnormalResidentsOf(v.checks, v.answers))
					if (!seenResident.has(key(p, r))) {
						seenResident.add(key(p, r));
						deltas.addForGrid(v.gridId, communityCode, p, 'abnormalResidents', 1);
					}
		}
	}
	await questionFigures(tx, x, deltas, visits, rounds, communities);
}

/**
 * Question figures of the rounds with a template (docs/check-templates.md, "Figures"): for the
 * batch's visits that answered a covering round's template, each subject (resident or household)
 * counts once per round and question as asked, and once as abnormal. What is counted already is
 * read from the stored visits of the batch's households within those rounds' spans only (index
 * on household_id), with the round's template.
 */
async function questionFigures(
	tx: RowReader,
	x: FigureDb,
	deltas: FigureDeltas,
	visits: SyncRows['visits'][],
	rounds: RoundSpan[],
	communities: Map<string, string>
) {
	const counted = visits
		.map((v) => ({ v, rounds: templateRoundsOf(rounds, communities.get(v.gridId)!, v) }))
		.filter((c) => c.rounds.length > 0 && questionSubjectsOf(c.v.answers, '').length > 0);
	if (counted.length === 0) return;
	const spans = [...new Map(counted.flatMap((c) => c.rounds).map((r) => [r.id, r])).values()];
	const { visits: vt } = x.tables;
	const seen = new Set<string>();
	const noop = () => {};
	// Per round (a batch seldom meets more than one): distinct answer lists only, so a household
	// visited again with the same answers costs one row.
	for (const r of spans) {
		const householdIds = [
			...new Set(counted.filter((c) => c.rounds.includes(r)).map((c) => c.v.householdId))
		];
		const stored = await x.db
			.selectDistinct({ householdId: vt.householdId, gridId: vt.gridId, answers: vt.answers })
			.from(vt)
			.where(
				and(
					x.oneOf(vt.householdId, householdIds),
					eq(vt.templateId, r.templateId!),
					gte(vt.day, r.startDate),
					lte(vt.day, r.dueDate)
				)
			);
		// Only visits in the round's subtree count.
		const inRound = new Map<string, boolean>();
		for (const gridId of new Set(stored.map((s) => s.gridId)))
			inRound.set(gridId, ((await tx.gridCommunity(gridId)) ?? '').startsWith(r.divisionCode));
		for (const s of stored) {
			if (!inRound.get(s.gridId)) continue;
			addQuestionFigures(
				seen,
				roundPeriod(r.id),
				questionSubjectsOf(s.answers, s.householdId),
				noop
			);
		}
	}
	for (const { v, rounds: covering } of counted) {
		const communityCode = communities.get(v.gridId)!;
		const subjects = questionSubjectsOf(v.answers, v.householdId);
		for (const r of covering)
			addQuestionFigures(seen, roundPeriod(r.id), subjects, (metric) =>
				deltas.addForGrid(v.gridId, communityCode, roundPeriod(r.id), metric, 1)
			);
	}
}
