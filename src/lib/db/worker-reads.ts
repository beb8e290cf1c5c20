// Reads for the grid worker's screens. Each one is a handful of indexed range queries (no table
// scans): a grid's rows through the `gridId` indexes, a household's through `householdId`.
import { Dexie } from 'dexie';
import type { SyncTable } from '$lib/shared/enums';
import {
	coveragePeriodAt,
	rangesAt,
	roundsRunningAt,
	type CoveragePeriod,
	type TimeRange
} from '$lib/domain/calendar';
import { ROUTINE_TEMPLATE_ID, shippedTemplate, type TemplateVersion } from '$lib/shared/templates';
import { coverageOf, type Coverage, type GridRows } from '$lib/domain/household-list';
import type {
	GridcareDb,
	HouseholdRow,
	IncidentRow,
	OutboxState,
	ResidentRow,
	RoundRow,
	StoredOutboxEntry,
	VisitRow
} from './db';
import {
	householdById,
	incidentsOfGrid,
	residentsOfHousehold,
	visitsOfHousehold
} from './repositories';

/** Outbox state of each row of a table that has a change waiting; refused wins over pending. */
export async function outboxStates(
	db: GridcareDb,
	table: SyncTable
): Promise<Map<string, OutboxState>> {
	const entries = await db.outbox
		.where('[table+rowId]')
		.between([table, Dexie.minKey], [table, Dexie.maxKey])
		.toArray();
	const states = new Map<string, OutboxState>();
	for (const entry of entries)
		if (states.get(entry.rowId) !== 'rejected') states.set(entry.rowId, entry.state);
	return states;
}

/** Visits of a grid, optionally only from a time on (oldest first). */
export function visitsOfGrid(db: GridcareDb, gridId: string, from?: string): Promise<VisitRow[]> {
	return db.visits
		.where('[gridId+visitedAt]')
		.between([gridId, from ?? Dexie.minKey], [gridId, Dexie.maxKey])
		.toArray();
}

/** Everything the household list of a grid is built from. */
export async function gridRows(db: GridcareDb, gridId: string): Promise<GridRows> {
	const [households, residents, visits, incidents, pendingVisits] = await Promise.all([
		db.households
			.where('[gridId+address]')
			.between([gridId, Dexie.minKey], [gridId, Dexie.maxKey])
			.toArray(),
		db.residents.where('gridId').equals(gridId).toArray(),
		visitsOfGrid(db, gridId),
		incidentsOfGrid(db, gridId),
		db.outbox
			.where('[table+rowId]')
			.between(['visits', Dexie.minKey], ['visits', Dexie.maxKey])
			.toArray()
	]);
	const inGrid = new Set(households.map((h) => h.id));
	const pendingVisitHouseholds = new Set<string>();
	for (const entry of pendingVisits) {
		const householdId = entry.mutation.fields.householdId;
		if (typeof householdId === 'string' && inGrid.has(householdId))
			pendingVisitHouseholds.add(householdId);
	}
	return { households, residents, visits, incidents, pendingVisitHouseholds };
}

export interface GridTotals {
	householdIds: string[];
	/** Visits of the grid in the month (for coverage and today's count). */
	visits: VisitRow[];
}

/** What the home screen shows of a grid: its households and this month's visits. */
export async function gridTotals(
	db: GridcareDb,
	gridId: string,
	month: TimeRange
): Promise<GridTotals> {
	const [householdIds, visits] = await Promise.all([
		db.households
			.where('[gridId+address]')
			.between([gridId, Dexie.minKey], [gridId, Dexie.maxKey])
			.primaryKeys(),
		visitsOfGrid(db, gridId, month.from)
	]);
	return { householdIds, visits };
}

/** The coverage period at `nowMs`: the running check round on this device, else the month. */
export async function coveragePeriod(db: GridcareDb, nowMs: number): Promise<CoveragePeriod> {
	return coveragePeriodAt(nowMs, await db.rounds.toArray());
}

/** The questions a visit form asks: a running round's template, or the routine visit's. */
export interface VisitTemplate {
	template: TemplateVersion;
	/** The round whose template it is; null for the routine visit (日常走访). */
	round: RoundRow | null;
}

/**
 * What the visit form asks at `nowMs` (docs/check-templates.md, "On the tablet"): the template of
 * the round running today that has one (the one started last, when several do), else the
 * shipped 日常走访.
 */
export function visitTemplateAt(nowMs: number, rounds: readonly RoundRow[]): VisitTemplate {
	const round = roundsRunningAt(nowMs, rounds).find((r) => r.template) ?? null;
	return round?.template
		? { template: round.template, round }
		: { template: shippedTemplate(ROUTINE_TEMPLATE_ID)!, round: null };
}

/**
 * Coverage over the current period (check round or month) and visits today of each grid, at
 * `nowMs` on this device's calendar.
 */
export async function gridCoverages(
	db: GridcareDb,
	gridIds: readonly string[],
	nowMs: number
): Promise<Record<string, Coverage>> {
	const { today } = rangesAt(nowMs);
	const month = (await coveragePeriod(db, nowMs)).range;
	const totals = await Promise.all(gridIds.map((id) => gridTotals(db, id, month)));
	return Object.fromEntries(
		gridIds.map((id, i) => [id, coverageOf(totals[i].householdIds, totals[i].visits, month, today)])
	);
}

export interface HouseholdDetail {
	household: HouseholdRow;
	residents: ResidentRow[];
	/** Newest first. */
	visits: VisitRow[];
	/** Incidents of the household that are not closed. */
	openIncidents: IncidentRow[];
	/** Outbox state of rows shown on the page, by row id. */
	outbox: Map<string, OutboxState>;
	/** The check rounds on this device: the visit form's template, the templates visits answered. */
	rounds: RoundRow[];
}

/** A household with its members, visits and open incidents; null when not on this device. */
export async function householdDetail(db: GridcareDb, id: string): Promise<HouseholdDetail | null> {
	const household = await householdById(db, id);
	if (!household) return null;
	const [
		residents,
		visits,
		incidents,
		visitStates,
		incidentStates,
		residentStates,
		ownState,
		rounds
	] = await Promise.all([
		residentsOfHousehold(db, id),
		visitsOfHousehold(db, id),
		incidentsOfGrid(db, household.gridId),
		outboxStates(db, 'visits'),
		outboxStates(db, 'incidents'),
		outboxStates(db, 'residents'),
		db.outbox.where('[table+rowId]').equals(['households', id]).toArray(),
		db.rounds.toArray()
	]);
	const outbox = new Map<string, OutboxState>();
	for (const states of [visitStates, incidentStates, residentStates])
		for (const [rowId, state] of states) outbox.set(rowId, state);
	for (const entry of ownState) if (outbox.get(id) !== 'rejected') outbox.set(id, entry.state);
	return {
		household,
		residents: residents.sort((a, b) => (a.birthYear ?? 9999) - (b.birthYear ?? 9999)),
		visits,
		openIncidents: incidents
			.filter((incident) => incident.householdId === id && incident.status !== 'closed')
			.sort((a, b) => a.dueAt.localeCompare(b.dueAt)),
		outbox,
		rounds
	};
}

export interface ReportedIncidents {
	/** The newest first (ids are time-ordered), at most the limit asked for. */
	incidents: IncidentRow[];
	/** How many this user reported in all, of the incidents on this device. */
	total: number;
	outbox: Map<string, OutboxState>;
}

/**
 * The incidents `userId` reported in `gridIds`, as this device last pulled them: "我上报的" on the
 * worker's home, with where each stands. An incident reported on this device carries no
 * `reportedBy` until the server's copy comes back; the device is the user's own, so it is theirs.
 */
export async function reportedIncidents(
	db: GridcareDb,
	userId: string,
	gridIds: readonly string[],
	limit: number
): Promise<ReportedIncidents> {
	const [grids, outbox] = await Promise.all([
		Promise.all(gridIds.map((gridId) => incidentsOfGrid(db, gridId))),
		outboxStates(db, 'incidents')
	]);
	const mine = grids
		.flat()
		.filter((incident) => (incident.reportedBy ?? userId) === userId)
		.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
	return { incidents: mine.slice(0, limit), total: mine.length, outbox };
}

export interface LocalCounts {
	households: number;
	residents: number;
	visits: number;
	incidents: number;
	checkins: number;
}

/** How many rows of each table this device holds. */
export async function localCounts(db: GridcareDb): Promise<LocalCounts> {
	const [households, residents, visits, incidents, checkins] = await Promise.all([
		db.households.count(),
		db.residents.count(),
		db.visits.count(),
		db.incidents.count(),
		db.checkins.count()
	]);
	return { households, residents, visits, incidents, checkins };
}

export interface OutboxItem {
	entry: StoredOutboxEntry;
	/** What the change is about, for a person: an address, a name. */
	context: string | null;
}

export interface OutboxView {
	pending: OutboxItem[];
	rejected: OutboxItem[];
}

/** The outbox for a person to look through: oldest first, each with what it is about. */
export async function outboxView(db: GridcareDb): Promise<OutboxView> {
	const stored = (await db.outbox.toArray()) as StoredOutboxEntry[];
	const entries = await Promise.all(
		stored.map(async (entry) => ({
			...entry,
			mutation: { ...entry.mutation, fields: await db.openFields(entry.mutation.fields) }
		}))
	);
	const householdIds = new Set<string>();
	const residentIds = new Set<string>();
	for (const { table, rowId, mutation } of entries) {
		const fields = mutation.fields;
		if (table === 'households') householdIds.add(rowId);
		if (typeof fields.householdId === 'string') householdIds.add(fields.householdId);
		if (table === 'residents') residentIds.add(rowId);
		if (typeof fields.residentId === 'string') residentIds.add(fields.residentId);
	}
	const [households, residents] = await Promise.all([
		db.households.bulkGet([...householdIds]),
		db.residents.bulkGet([...residentIds])
	]);
	const address = new Map(households.filter((h) => h).map((h) => [h!.id, h!.address]));
	const name = new Map(residents.filter((r) => r).map((r) => [r!.id, r!.name]));
	const contextOf = ({ table, rowId, mutation: { fields } }: StoredOutboxEntry) => {
		const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
		switch (table) {
			case 'households':
				return text(fields.address) ?? address.get(rowId) ?? null;
			case 'residents':
				return text(fields.name) ?? name.get(rowId) ?? null;
			case 'checkins':
				return name.get(text(fields.residentId) ?? '') ?? null;
			default:
				return address.get(text(fields.householdId) ?? '') ?? text(fields.description) ?? null;
		}
	};
	const items = entries.map((entry) => ({ entry, context: contextOf(entry) }));
	return {
		pending: items.filter((item) => item.entry.state === 'pending'),
		rejected: items.filter((item) => item.entry.state === 'rejected')
	};
}
