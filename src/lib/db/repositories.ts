// What the screens call to change and read local data. Every change is checked against the shared
// schema first (a ValidationError names the field and nothing is written), then writes its row and
// its outbox entry in one transaction (strict durability, see db.ts), so a change is either fully
// recorded and queued or not at all; the sync engine hears of it once the transaction commits.
import type { z } from 'zod';
import { Dexie } from 'dexie';
import { canTransition } from '$lib/domain/incident';
import type { IncidentStatus, SyncTable } from '$lib/shared/enums';
import type {
	checkinFields,
	householdFields,
	incidentFields,
	Mutation,
	residentFields,
	visitFields
} from '$lib/shared/schemas';
import {
	isHeld,
	MAX_HOLD_MS,
	rejectedEntries,
	outboxCounts,
	touchedFields
} from '$lib/sync/outbox';
import type {
	AnyRow,
	CheckinRow,
	GridcareDb,
	HouseholdRow,
	IncidentRow,
	OutboxState,
	ResidentRow,
	RowOf,
	UpdatableTable,
	VisitRow
} from './db';
import { loadIdClock, saveIdClock } from './ids';
import { storageWrite } from './quota';
import { isSealed, SEALED_FIELDS } from './sealed';
import { INSERT_FIELDS } from '$lib/shared/schemas';
import { validateAnswers, type TemplateVersion } from '$lib/shared/templates';
import { knownTemplate } from '$lib/domain/answers';
import {
	applyLocalEdit,
	rowFieldsOfUpdate,
	rowFromInsert,
	restoreServerValues,
	validate,
	validateUpdate,
	ValidationError,
	type InsertFields,
	type UpdateFields
} from './local-rows';

export { ValidationError, outboxCounts, rejectedEntries };

export type HouseholdInput = z.input<typeof householdFields>;
export type ResidentInput = z.input<typeof residentFields>;
export type VisitInput = z.input<typeof visitFields>;
export type CheckinInput = z.input<typeof checkinFields>;
/** A new incident always starts as "reported". */
export type IncidentInput = Omit<z.input<typeof incidentFields>, 'status'>;
export type HouseholdChanges = UpdateFields<'households'>;
export type ResidentChanges = UpdateFields<'residents'>;
export type IncidentChanges = UpdateFields<'incidents'>;

// ---- Changes ----------------------------------------------------------------------------------

/** Saves a new household on this device and queues it; it reaches the server on the next sync. */
export function addHousehold(db: GridcareDb, input: HouseholdInput): Promise<HouseholdRow> {
	return insertLocally(db, 'households', input);
}

/** Changes some fields of a household here at once and queues the edit; the server merges it per field on the next sync. */
export function updateHousehold(
	db: GridcareDb,
	id: string,
	changes: HouseholdChanges
): Promise<HouseholdRow> {
	return updateLocally(db, 'households', id, changes);
}

/** Saves a new resident (ID number shown masked here) and queues it; it reaches the server on the next sync. */
export function addResident(db: GridcareDb, input: ResidentInput): Promise<ResidentRow> {
	return insertLocally(db, 'residents', input);
}

/** Changes some fields of a resident here at once and queues the edit; the server merges it per field on the next sync. */
export function updateResident(
	db: GridcareDb,
	id: string,
	changes: ResidentChanges
): Promise<ResidentRow> {
	return updateLocally(db, 'residents', id, changes);
}

/**
 * Records a home visit with its checks or its answers to a check template here and queues it;
 * visits are immutable and sync on the next push. Answers are checked against the template
 * version they name when this device holds it, as the server will check them.
 */
export function recordVisit(db: GridcareDb, input: VisitInput): Promise<VisitRow> {
	return insertLocally(db, 'visits', input);
}

/**
 * Records a resident's daily check-in here and queues it; check-ins are immutable and sync on the
 * next push. With `holdMs`, the entry waits that long before it may be sent, and until then
 * `undoHeldInsert` takes it back.
 */
export function recordCheckin(
	db: GridcareDb,
	input: CheckinInput,
	options: { holdMs?: number } = {}
): Promise<CheckinRow> {
	return insertLocally(db, 'checkins', input, options.holdMs);
}

/** Taking back a new record failed: it has been sent, or its undo window has closed. */
export class TooLateToUndoError extends Error {
	constructor(table: SyncTable, rowId: string) {
		super(`${table} ${rowId}: no longer held, it cannot be undone`);
		this.name = 'TooLateToUndoError';
	}
}

/**
 * Takes back a new record while its outbox entry is still held (never sent, within its window):
 * the entry and the local row go, in one transaction with the sync's own reads of the outbox, so
 * a record is either taken back or sent, never both. Throws TooLateToUndoError otherwise.
 */
export async function undoHeldInsert(
	db: GridcareDb,
	table: SyncTable,
	rowId: string
): Promise<void> {
	await db.transaction('rw', [db.outbox, ...db.syncedTables], async () => {
		const entries = await db.outbox.where('[table+rowId]').equals([table, rowId]).toArray();
		const insert = entries.find((entry) => entry.mutation.op === 'insert');
		if (!insert || insert.state !== 'pending' || insert.attempts > 0 || !isHeld(insert, db.now()))
			throw new TooLateToUndoError(table, rowId);
		await db.rows(table).delete(rowId);
		await db.outbox.bulkDelete(entries.map((entry) => entry.seq!));
	});
	db.notifyLocalWrite();
}

/** Reports an incident (status "reported") here and queues it; the server sets its real due time on the next sync. */
export function reportIncident(db: GridcareDb, input: IncidentInput): Promise<IncidentRow> {
	return insertLocally(db, 'incidents', { ...input, status: 'reported' });
}

/** Moves an incident along its closed loop or edits it here at once and queues the change; the server checks the step on the next sync. */
export function updateIncident(
	db: GridcareDb,
	id: string,
	changes: IncidentChanges
): Promise<IncidentRow> {
	return updateLocally(db, 'incidents', id, changes, (row, fields) => {
		if (fields.status !== undefined && !canTransition(row.status, fields.status))
			throw new ValidationError(
				'status',
				`status: cannot go from "${row.status}" to "${fields.status}"`
			);
	});
}

/**
 * Drops a change the server refused, on this device only. The row shows the server's values again;
 * a refused new record disappears together with the later edits of it (they could never apply).
 */
export async function discardRejected(db: GridcareDb, seq: number): Promise<void> {
	await storageWrite(() => discardInTransaction(db, seq));
	db.notifyLocalWrite();
}

async function discardInTransaction(db: GridcareDb, seq: number): Promise<void> {
	await db.transaction('rw', [db.outbox, ...db.syncedTables], async () => {
		const entry = await db.outbox.get(seq);
		if (!entry || entry.state !== 'rejected')
			throw new Error(`outbox entry ${seq} is not a refused change`);
		const rows = db.rows(entry.table);
		if (entry.mutation.op === 'insert') {
			await rows.delete(entry.rowId);
			await db.outbox.where('[table+rowId]').equals([entry.table, entry.rowId]).delete();
			return;
		}
		await db.outbox.delete(seq);
		const row = await rows.get(entry.rowId);
		if (row)
			await rows.put(restoreServerValues(row, await touchedFields(db, entry.table, entry.rowId)));
	});
}

/**
 * Sends a refused change again with the fields a person corrected (validated like a new change),
 * under a new mutation id so it sorts as the latest edit; it goes out on the next sync.
 */
export async function retryRejected(
	db: GridcareDb,
	seq: number,
	fixedFields: Record<string, unknown> = {}
): Promise<void> {
	const refused = await db.outbox.get(seq);
	if (!refused || refused.state !== 'rejected')
		throw new Error(`outbox entry ${seq} is not a refused change`);
	const { table, rowId, mutation } = refused;
	const merged = { ...(await db.openFields(mutation.fields)), ...fixedFields };
	let fields: Record<string, unknown> = merged;
	if (mutation.op === 'insert')
		fields = validate(INSERT_FIELDS[table], merged) as Record<string, unknown>;
	else if (mutation.op === 'update' && isUpdatable(table))
		fields = validateUpdate(table, merged) as Record<string, unknown>;
	const stored = await db.sealFields(table, fields);
	const prepared =
		mutation.op === 'insert' ? await prepareInsert(db, table, fields) : NOTHING_PREPARED;
	await writeLocally(db, async (nextId) => {
		const entry = await db.outbox.get(seq);
		if (!entry || entry.state !== 'rejected' || entry.mutation.id !== mutation.id)
			throw new Error(`outbox entry ${seq} is not a refused change`);
		const rows = db.rows(table);
		if (mutation.op === 'insert') {
			const row = rowFromInsert(table, rowId, fields as InsertFields<typeof table>, {
				gridId: await gridIdOfParent(db, table, fields),
				now: db.now(),
				...prepared.context
			});
			await rows.put(withStoredFields(table, row as AnyRow, stored, prepared.rowFields));
		} else if (mutation.op === 'update' && isUpdatable(table)) {
			const row = await rows.get(rowId);
			if (row) await rows.put(applyLocalEdit(row, rowFieldsOfUpdate(table, stored)));
		}
		const { reason: _reason, ...rest } = entry;
		await db.outbox.put({
			...rest,
			mutation: { ...mutation, id: nextId(), fields: stored },
			state: 'pending',
			attempts: 0
		});
	});
}

// ---- Reads ------------------------------------------------------------------------------------

/** Households of a grid, sorted by address. */
export function householdsOfGrid(db: GridcareDb, gridId: string): Promise<HouseholdRow[]> {
	return db.households
		.where('[gridId+address]')
		.between([gridId, Dexie.minKey], [gridId, Dexie.maxKey])
		.toArray();
}

/** One household, if cached. */
export function householdById(db: GridcareDb, id: string): Promise<HouseholdRow | undefined> {
	return db.households.get(id);
}

/** Residents of a household (phone numbers opened). */
export async function residentsOfHousehold(
	db: GridcareDb,
	householdId: string
): Promise<ResidentRow[]> {
	return db.openRows(await db.residents.where('householdId').equals(householdId).toArray());
}

/** Visits of a household, newest first (checks and notes opened). */
export async function visitsOfHousehold(
	db: GridcareDb,
	householdId: string,
	limit?: number
): Promise<VisitRow[]> {
	const visits = db.visits
		.where('[householdId+visitedAt]')
		.between([householdId, Dexie.minKey], [householdId, Dexie.maxKey])
		.reverse();
	return db.openRows(await (limit === undefined ? visits : visits.limit(limit)).toArray());
}

/** Check-ins of a resident, newest first. */
export function checkinsOfResident(
	db: GridcareDb,
	residentId: string,
	limit?: number
): Promise<CheckinRow[]> {
	const checkins = db.checkins
		.where('[residentId+at]')
		.between([residentId, Dexie.minKey], [residentId, Dexie.maxKey])
		.reverse();
	return (limit === undefined ? checkins : checkins.limit(limit)).toArray();
}

/**
 * The incidents assigned to `userId` that still wait for them (dispatched or in progress), the
 * soonest due first: the worker's "我的待办".
 */
export async function myOpenIncidents(db: GridcareDb, userId: string): Promise<IncidentRow[]> {
	const rows = await db.incidents
		.filter(
			(row) =>
				row.assigneeId === userId && (row.status === 'dispatched' || row.status === 'in_progress')
		)
		.toArray();
	return (await db.openRows(rows)).sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

/** One incident as cached here (description opened); undefined when not on this device. */
export async function incidentById(db: GridcareDb, id: string): Promise<IncidentRow | undefined> {
	return db.openRow(await db.incidents.get(id));
}

/** A move of an incident made on this device and not yet acknowledged by the server. */
export interface PendingMove {
	to: IncidentStatus;
	note: string | null;
	/** Epoch milliseconds, device clock. */
	at: number;
	state: OutboxState;
}

/** The moves of `id` still in the outbox, oldest first (notes opened). */
export async function pendingMoves(db: GridcareDb, id: string): Promise<PendingMove[]> {
	const entries = await db.outbox.where('[table+rowId]').equals(['incidents', id]).sortBy('seq');
	const moves: PendingMove[] = [];
	for (const entry of entries) {
		const fields = await db.openFields(entry.mutation.fields as Record<string, unknown>);
		if (typeof fields.status !== 'string') continue;
		moves.push({
			to: fields.status as IncidentStatus,
			note: typeof fields.note === 'string' ? fields.note : null,
			at: entry.createdAt,
			state: entry.state
		});
	}
	return moves;
}

/** Incidents of a grid (open and closed, as cached; descriptions opened). */
export async function incidentsOfGrid(db: GridcareDb, gridId: string): Promise<IncidentRow[]> {
	return db.openRows(await db.incidents.where('gridId').equals(gridId).toArray());
}

// ---- The one write path -----------------------------------------------------------------------

/**
 * Run a local change in one strict read-write transaction over the cached tables, the outbox and
 * the id clock; tell the sync engine only after it has committed.
 */
async function writeLocally<T>(
	db: GridcareDb,
	change: (nextId: () => string) => Promise<T>
): Promise<T> {
	// A full disk fails the whole transaction: neither the row nor its outbox entry is written,
	// and the caller gets a StorageFullError (quota.ts).
	const result = await storageWrite(() =>
		db.transaction('rw', [...db.syncedTables, db.outbox, db.meta], async () => {
			const ids = await loadIdClock(db);
			const value = await change(() => ids.next());
			await saveIdClock(db, ids);
			return value;
		})
	);
	db.notifyLocalWrite();
	return result;
}

/** Queue a mutation, held `holdMs` if given; call inside the transaction that writes its row. */
async function enqueue(db: GridcareDb, mutation: Mutation, holdMs?: number): Promise<void> {
	const createdAt = db.now();
	await db.outbox.add({
		table: mutation.table,
		rowId: mutation.rowId,
		mutation,
		state: 'pending',
		createdAt,
		attempts: 0,
		...(holdMs ? { holdUntil: createdAt + holdMs } : {})
	});
}

async function insertLocally<T extends SyncTable>(
	db: GridcareDb,
	table: T,
	input: unknown,
	holdMs?: number
): Promise<RowOf[T]> {
	const fields = validate(INSERT_FIELDS[table], input) as InsertFields<T>;
	if (holdMs !== undefined && !(holdMs > 0 && holdMs <= MAX_HOLD_MS))
		throw new ValidationError('holdMs', `holdMs: between 1 and ${MAX_HOLD_MS} milliseconds`);
	// Sealing is asynchronous work outside IndexedDB: done before the transaction opens.
	const stored = await db.sealFields(table, fields as Record<string, unknown>);
	const prepared = await prepareInsert(db, table, fields as Record<string, unknown>);
	return writeLocally(db, (nextId) =>
		insertRow(db, table, fields, stored, nextId, holdMs, prepared)
	);
}

/** What a new row needs that is read or sealed before its transaction opens. */
interface PreparedInsert {
	context: { template?: TemplateVersion };
	/** Row fields that differ from the mutation's, sealed (a visit's answers with their flags). */
	rowFields: Record<string, unknown>;
}

const NOTHING_PREPARED: PreparedInsert = { context: {}, rowFields: {} };

/**
 * For a visit with answers: the template version it answers (shipped, or pinned by a round on
 * this device), its answers checked against it like the server checks them (a ValidationError
 * names the answer), and the answers as the row keeps them, flagged by the version's rules and
 * sealed (docs/check-templates.md).
 */
async function prepareInsert(
	db: GridcareDb,
	table: SyncTable,
	fields: Record<string, unknown>
): Promise<PreparedInsert> {
	if (table !== 'visits') return NOTHING_PREPARED;
	const f = fields as InsertFields<'visits'>;
	if (f.templateId === undefined || f.templateVersion === undefined) return NOTHING_PREPARED;
	const template = knownTemplate(f.templateId, f.templateVersion, await db.rounds.toArray());
	// A version this device does not hold is checked by the server alone.
	if (!template) return NOTHING_PREPARED;
	const members = await db.residents.where('householdId').equals(f.householdId).primaryKeys();
	const [issue] = validateAnswers(template.questions, f.answers ?? [], new Set(members));
	if (issue) throw new ValidationError(issue.path, issue.message);
	const row = rowFromInsert('visits', '', f, { now: db.now(), template });
	return {
		context: { template },
		rowFields: await db.sealFields('visits', { answers: row.answers })
	};
}

/** One new row (stored with its sealed fields) and its outbox entry; call inside writeLocally. */
async function insertRow<T extends SyncTable>(
	db: GridcareDb,
	table: T,
	fields: InsertFields<T>,
	stored: Record<string, unknown>,
	nextId: () => string,
	holdMs?: number,
	prepared: PreparedInsert = NOTHING_PREPARED
): Promise<RowOf[T]> {
	const rowId = nextId();
	const row = rowFromInsert(table, rowId, fields, {
		gridId: await gridIdOfParent(db, table, fields as Record<string, unknown>),
		now: db.now(),
		...prepared.context
	});
	await db.rows(table).add(withStoredFields(table, row as AnyRow, stored, prepared.rowFields));
	await enqueue(db, { id: nextId(), table, op: 'insert', rowId, fields: stored }, holdMs);
	return row;
}

/**
 * A check-in and the incident it raises (a kiosk's help request), saved and queued in one
 * transaction: both or neither. A new incident always starts as "reported".
 */
export async function recordCheckinWithIncident(
	db: GridcareDb,
	checkin: CheckinInput,
	incident: IncidentInput
): Promise<{ checkin: CheckinRow; incident: IncidentRow }> {
	const checkinFields = validate(INSERT_FIELDS.checkins, checkin) as InsertFields<'checkins'>;
	const incidentFields = validate(INSERT_FIELDS.incidents, {
		...incident,
		status: 'reported'
	}) as InsertFields<'incidents'>;
	const storedCheckin = await db.sealFields('checkins', checkinFields as Record<string, unknown>);
	const storedIncident = await db.sealFields(
		'incidents',
		incidentFields as Record<string, unknown>
	);
	return writeLocally(db, async (nextId) => ({
		checkin: await insertRow(db, 'checkins', checkinFields, storedCheckin, nextId),
		incident: await insertRow(db, 'incidents', incidentFields, storedIncident, nextId)
	}));
}

async function updateLocally<T extends UpdatableTable>(
	db: GridcareDb,
	table: T,
	id: string,
	changes: unknown,
	check?: (row: RowOf[T], fields: UpdateFields<T>) => void
): Promise<RowOf[T]> {
	const fields = validateUpdate(table, changes);
	const mutationFields = await db.sealFields(table, fields as Record<string, unknown>);
	const stored = await writeLocally(db, async (nextId) => {
		const rows = db.rows(table);
		const row = await rows.get(id);
		if (!row) throw new ValidationError('rowId', `rowId: no such row in ${table}`);
		check?.(row as unknown as RowOf[T], fields);
		const next = applyLocalEdit(row, rowFieldsOfUpdate(table, mutationFields));
		await rows.put(next);
		await enqueue(db, {
			id: nextId(),
			table,
			op: 'update',
			rowId: id,
			// The version this edit was made on. Unknown while the row's insert is in flight: the
			// engine fills it in from the insert's result before sending.
			...(row.version === undefined ? {} : { baseVersion: row.version }),
			fields: mutationFields
		});
		return next;
	});
	return (await db.openRow(stored)) as unknown as RowOf[T];
}

/**
 * A new row as stored: its sensitive fields replaced by the sealed values of its mutation, or by
 * `rowFields` where the row keeps more than the mutation sends.
 */
function withStoredFields(
	table: SyncTable,
	row: AnyRow,
	stored: Record<string, unknown>,
	rowFields: Record<string, unknown> = {}
): AnyRow {
	const out: AnyRow = { ...row };
	for (const name of SEALED_FIELDS[table]) {
		const value = rowFields[name] ?? stored[name];
		if (isSealed(value)) out[name] = value;
	}
	return out;
}

function isUpdatable(table: SyncTable): table is UpdatableTable {
	return table === 'households' || table === 'residents' || table === 'incidents';
}

/** The grid of a new row's parent, when the parent is cached (the server sets it anyway). */
async function gridIdOfParent(
	db: GridcareDb,
	table: SyncTable,
	fields: Record<string, unknown>
): Promise<string | undefined> {
	if (table === 'residents' || table === 'visits') {
		const householdId = fields.householdId;
		return typeof householdId === 'string'
			? (await db.households.get(householdId))?.gridId
			: undefined;
	}
	if (table === 'checkins') {
		const residentId = fields.residentId;
		return typeof residentId === 'string'
			? (await db.residents.get(residentId))?.gridId
			: undefined;
	}
	return undefined;
}
