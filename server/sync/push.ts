// Applying a pushed batch (architecture.md §4): validate every mutation, check its scope, apply
// the batch in one transaction, record mutation ids so a replay is answered `duplicate`, append
// every change to the change log, and answer one result per mutation, in order. A rejected
// mutation leaves no trace: every check runs before its first write. Should the database refuse
// a value the checks let through, the batch is applied again mutation by mutation, each in its
// own savepoint, and only the mutations it refuses are rejected.
import type { z } from 'zod';
import type { IncidentCategory, IncidentStatus, SyncTable } from '../../src/lib/shared/enums';
import {
	describeIssue,
	INSERT_FIELDS,
	INSTANT_FIELDS,
	instantSchema,
	UPDATE_FIELDS,
	type UpdatableTable,
	type PushMutation as Mutation
} from '../../src/lib/shared/schemas';
import { maskIdNumber } from '../../src/lib/shared/mask';
import {
	assigneeAfter,
	contentEditDenial,
	dueAt,
	INCIDENT_CONTENT_FIELDS,
	moveDenial
} from '../../src/lib/domain/incident';
import { isAbnormalVisit } from '../../src/lib/domain/visit';
import { dayInZone } from '../../src/lib/domain/day';
import type { Store, UserRow } from '../store/types';
import type { IdProtection } from '../privacy/ids';
import { offlineAuditEntry } from '../privacy/offline-audit';
import type { NewAuditEntry } from '../store/types';
import type { SyncRows, SyncTx } from '../store/sync-types';
import { maintainRollup } from '../rollup/maintain';
import { valueRefusal } from '../store/refusals';
import { mergeEdit } from './merge';
import { writeDenial } from './scope';

export type PushResult =
	| { id: string; status: 'applied'; version?: number }
	| { id: string; status: 'duplicate' }
	| { id: string; status: 'rejected'; reason: string };

export interface PushContext {
	user: UserRow;
	deviceId: string;
	timeZone: string;
	now: Date;
	/** Users the batch names (a kiosk's `assistedBy`, a dispatch's `assigneeId`), by id. */
	named?: Map<string, UserRow>;
	/** The signed-in session's device: its last sync time is written with the batch. */
	syncedDevice?: string;
	/** Incremental roll-up maintenance (GRIDCARE_ROLLUP); on unless false. */
	rollup?: boolean;
	/**
	 * Called once the batch has committed with the communities whose figures it changed (not
	 * called when none did): where prompt alert evaluation is asked for. Must not throw or wait.
	 */
	figuresChanged?: (communityCodes: string[]) => void;
}

/** Roles that may check a resident in on their behalf at a kiosk. */
const ASSISTING_ROLES: ReadonlySet<UserRow['role']> = new Set([
	'volunteer',
	'grid_worker',
	'community_head'
]);

class Rejection extends Error {}
const reject = (reason: string): never => {
	throw new Rejection(reason);
};

function parse<S extends z.ZodType>(schema: S, fields: unknown): z.infer<S> {
	const result = schema.safeParse(fields);
	if (!result.success) {
		const { message } = describeIssue(result.error);
		reject(`fields.${message}`);
	}
	return result.data as z.infer<S>;
}

/** What applying a batch carries besides the caller: ID protection and the ID hashes it wrote. */
interface ApplyContext extends PushContext {
	ids: IdProtection;
	idHashes: Set<string>;
	/** Entries of `audit` mutations, appended once the batch has committed. */
	audits: NewAuditEntry[];
	/** Communities whose figures the batch changed. */
	changedCommunities: string[];
}

export async function applyPushBatch(
	store: Store,
	pushContext: PushContext,
	mutations: Mutation[]
): Promise<PushResult[]> {
	const ctx: ApplyContext = {
		...pushContext,
		ids: await store.idProtection(),
		named: await usersNamed(store, mutations),
		idHashes: new Set(),
		audits: [],
		changedCommunities: []
	};
	let results: PushResult[];
	try {
		results = await applyInTransaction(store, ctx, mutations, 'batch');
	} catch (error) {
		// A value the database refused: nothing was written; find which mutations it was.
		if (!valueRefusal(error)) throw error;
		Object.assign(ctx, { idHashes: new Set(), audits: [], changedCommunities: [] });
		results = await applyInTransaction(store, ctx, mutations, 'one by one');
	}
	if (ctx.changedCommunities.length) pushContext.figuresChanged?.(ctx.changedCommunities);
	for (const entry of ctx.audits) await store.appendAudit(entry);
	// The same ID number in another household raises a flag to each community head concerned.
	await store.flagDuplicates([...ctx.idHashes], ctx.now);
	return results;
}

/**
 * Apply a batch in one transaction. `batch`: every mutation's writes are flushed together at the
 * end, the fast way. `one by one`: each mutation is applied and flushed in its own savepoint, and
 * one whose writes the database refuses is rejected (used after a `batch` attempt failed so).
 */
function applyInTransaction(
	store: Store,
	ctx: ApplyContext,
	mutations: Mutation[],
	mode: 'batch' | 'one by one'
): Promise<PushResult[]> {
	const instant = instantSchema(() => ctx.now);
	const apply = async (tx: SyncTx, m: Mutation): Promise<PushResult> => {
		try {
			const tooFar = instantProblem(instant, m);
			if (tooFar) reject(tooFar);
			const version = await applyMutation(tx, ctx, m);
			await tx.recordMutation({ id: m.id, deviceId: ctx.deviceId, userId: ctx.user.id });
			return { id: m.id, status: 'applied', ...(version ? { version } : {}) };
		} catch (error) {
			if (!(error instanceof Rejection)) throw error;
			return { id: m.id, status: 'rejected', reason: error.message };
		}
	};
	// Roll-up figures change in the same transaction, computed before the flush (see maintain.ts).
	const maintain = async (tx: SyncTx, applied: Mutation[]) =>
		ctx.rollup === false
			? []
			: (
					await maintainRollup(
						tx,
						applied.filter((m): m is Mutation & { table: SyncTable } => m.table !== 'audit'),
						{ now: ctx.now, timeZone: ctx.timeZone }
					)
				).communities;
	return store.syncTransaction(async (tx) => {
		await tx.prefetch(referencedIds(mutations));
		const seen = await tx.appliedMutationIds(mutations.map((m) => m.id));
		const results: PushResult[] = [];
		const communities = new Set<string>();
		for (const m of mutations) {
			if (seen.has(m.id)) {
				results.push({ id: m.id, status: 'duplicate' });
				continue;
			}
			let result: PushResult;
			if (mode === 'batch') result = await apply(tx, m);
			else {
				const audits = ctx.audits.length;
				const idHashes = new Set(ctx.idHashes);
				try {
					const [applied, changed] = await tx.savepoint(async () => {
						const r = await apply(tx, m);
						return [r, r.status === 'applied' ? await maintain(tx, [m]) : []] as const;
					});
					result = applied;
					for (const code of changed) communities.add(code);
				} catch (error) {
					const refusal = valueRefusal(error);
					if (!refusal) throw error;
					ctx.audits.length = audits;
					ctx.idHashes = idHashes;
					result = { id: m.id, status: 'rejected', reason: refusalReason(m, refusal) };
				}
			}
			if (result.status === 'applied') seen.add(m.id);
			results.push(result);
		}
		if (mode === 'batch')
			for (const code of await maintain(
				tx,
				mutations.filter((_, i) => results[i].status === 'applied')
			))
				communities.add(code);
		ctx.changedCommunities = [...communities];
		if (ctx.syncedDevice) tx.recordDeviceSync(ctx.user.id, ctx.syncedDevice, ctx.now);
		await tx.flush();
		return results;
	});
}

/** Why an insert's instant is past the receiver's now + 24 h (the shared schema's bound), or null. */
function instantProblem(schema: ReturnType<typeof instantSchema>, m: Mutation): string | null {
	const field = m.op === 'insert' ? INSTANT_FIELDS[m.table as keyof typeof INSTANT_FIELDS] : null;
	const value = field ? m.fields[field] : undefined;
	// Anything but a string is left to the insert's own schema, which names the problem.
	if (typeof value !== 'string') return null;
	const result = schema.safeParse(value);
	return result.success ? null : `fields.${field}: ${result.error.issues[0].message}`;
}

/** The text fields a mutation of each table may carry: where a refused value can be. */
const TEXT_FIELDS: Record<Mutation['table'], readonly string[]> = {
	households: ['address', 'tags'],
	residents: ['name', 'tags'],
	visits: ['note', 'needs', 'checks'],
	checkins: ['needs'],
	incidents: ['description', 'note'],
	audit: []
};

const camelCase = (column: string) =>
	column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * "households.address: the database refused this value". The field is the column the database
 * named when it names one of the mutation's table; else the mutation's only text field; else
 * `fields` (the database did not say which of several it was).
 */
function refusalReason(m: Mutation, refusal: { table: string | null; column: string | null }) {
	const present = TEXT_FIELDS[m.table].filter((f) => m.fields[f] !== undefined);
	const field =
		refusal.column && refusal.table === m.table
			? camelCase(refusal.column)
			: present.length === 1
				? present[0]
				: 'fields';
	return `${m.table}.${field}: the database refused this value`;
}

/** The users a batch names: check-ins' `assistedBy`, incident dispatches' `assigneeId`. */
async function usersNamed(store: Store, mutations: Mutation[]): Promise<Map<string, UserRow>> {
	const ids = new Set<string>();
	for (const m of mutations) {
		if (m.table === 'checkins' && typeof m.fields.assistedBy === 'string')
			ids.add(m.fields.assistedBy);
		if (m.table === 'incidents' && typeof m.fields.assigneeId === 'string')
			ids.add(m.fields.assigneeId);
	}
	const users = new Map<string, UserRow>();
	for (const id of ids) {
		const user = /^[0-9a-f-]{36}$/i.test(id) ? await store.getUser(id) : null;
		if (user) users.set(id, user);
	}
	return users;
}

/**
 * Who assisted a check-in: for a person's own device the pusher; on a kiosk the volunteer or
 * worker who signed in on it, who must be allowed to record check-ins in the resident's grid.
 */
function assistantOf(
	ctx: PushContext,
	f: { channel: string; assistedBy?: string },
	grid: Grid
): string | null {
	// The channel says who recorded it: a kiosk by itself, a worker on their own device, or a
	// helper; a device cannot claim another's channel.
	if (f.channel === 'kiosk' && ctx.user.role !== 'kiosk')
		reject('fields.channel: only a kiosk records a "kiosk" check-in');
	if (f.channel === 'worker' && (ctx.user.role === 'kiosk' || ctx.user.role === 'volunteer'))
		reject(
			`fields.channel: a ${ctx.user.role} records "${ctx.user.role === 'kiosk' ? 'kiosk' : 'assisted'}" check-ins`
		);
	if (f.channel !== 'assisted') {
		if (f.assistedBy) reject('fields.assistedBy: only an "assisted" check-in names a helper');
		return null;
	}
	if (ctx.user.role !== 'kiosk') {
		if (f.assistedBy && f.assistedBy !== ctx.user.id)
			reject('fields.assistedBy: only a kiosk records a check-in assisted by someone else');
		return ctx.user.id;
	}
	if (!f.assistedBy) return reject('fields.assistedBy: required for an assisted check-in');
	const helper = ctx.named?.get(f.assistedBy);
	if (
		!helper ||
		helper.disabled ||
		!ASSISTING_ROLES.has(helper.role) ||
		writeDenial(helper, grid, 'checkins') !== null
	)
		reject(
			"fields.assistedBy: not a volunteer of this resident's community or a worker of the resident's grid"
		);
	return f.assistedBy;
}

/** Every row and grid a batch may read, so they are fetched in a few queries, not one each. */
function referencedIds(mutations: Mutation[]) {
	const refs = {
		households: new Set<string>(),
		residents: new Set<string>(),
		visits: new Set<string>(),
		checkins: new Set<string>(),
		incidents: new Set<string>(),
		grids: new Set<string>()
	};
	const text = (v: unknown) => (typeof v === 'string' ? [v] : []);
	for (const m of mutations) {
		if (m.table !== 'audit') refs[m.table].add(m.rowId);
		const f = m.fields;
		for (const id of text(f.householdId)) refs.households.add(id);
		for (const id of text(f.residentId)) refs.residents.add(id);
		for (const id of text(f.gridId)) refs.grids.add(id);
		if (Array.isArray(f.checks))
			for (const check of f.checks as { residentId?: unknown }[])
				for (const id of text(check?.residentId)) refs.residents.add(id);
	}
	return refs;
}

/** Apply one mutation; returns the row's new version, if it changed. Throws Rejection before any write. */
async function applyMutation(
	tx: SyncTx,
	ctx: ApplyContext,
	m: Mutation
): Promise<number | undefined> {
	if (m.table === 'audit') {
		const entry = await offlineAuditEntry(tx, ctx.user, ctx.deviceId, m);
		if (typeof entry === 'string') return reject(entry);
		ctx.audits.push(entry);
		return undefined;
	}
	if (m.op === 'insert') {
		if (await tx.getRow(m.table, m.rowId)) reject('rowId: a row with this id already exists');
		return insert(tx, ctx, m);
	}
	if (m.table === 'visits' || m.table === 'checkins')
		reject(`op: ${m.table} are immutable; record a new one that corrects it`);
	const table = m.table as UpdatableTable;
	const row = await tx.getRow(table, m.rowId);
	if (!row) return reject('rowId: no such row');
	const grid = await gridOf(tx, row.gridId);
	denyUnlessWritable(ctx.user, grid, table);
	if ('deleted' in row && row.deleted) reject('rowId: the row has been deleted');
	if (m.op === 'delete') return remove(tx, ctx, table, row, grid);
	return update(tx, ctx, m, table, row, grid);
}

interface Grid {
	id: string;
	communityCode: string;
}

async function gridOf(tx: SyncTx, gridId: string): Promise<Grid> {
	const communityCode = await tx.gridCommunity(gridId);
	if (!communityCode) return reject('fields.gridId: no such grid');
	return { id: gridId, communityCode };
}

function denyUnlessWritable(
	user: UserRow,
	grid: Grid,
	table: SyncTable,
	newIncident?: IncidentCategory
): void {
	const denial = writeDenial(user, grid, table, newIncident);
	if (denial) reject(denial);
}

async function liveRow<T extends 'households' | 'residents'>(
	tx: SyncTx,
	table: T,
	id: string,
	field: string
) {
	const row = await tx.getRow(table, id);
	if (!row || row.deleted)
		return reject(`fields.${field}: no such ${table === 'households' ? 'household' : 'resident'}`);
	return row;
}

async function insert(tx: SyncTx, ctx: ApplyContext, m: Mutation): Promise<number> {
	const now = ctx.now;
	const log = (grid: Grid, fields: Record<string, unknown>) =>
		tx.logChange({
			tableName: m.table as SyncTable,
			rowId: m.rowId,
			op: 'insert',
			fields,
			gridId: grid.id,
			communityCode: grid.communityCode
		});
	switch (m.table) {
		case 'households': {
			const f = parse(INSERT_FIELDS.households, m.fields);
			const grid = await gridOf(tx, f.gridId);
			denyUnlessWritable(ctx.user, grid, m.table);
			const fields = {
				id: m.rowId,
				gridId: f.gridId,
				address: f.address,
				tags: f.tags ?? [],
				lat: f.lat ?? null,
				lng: f.lng ?? null,
				memberCount: 0
			};
			const version = await log(grid, fields);
			await tx.insertRow('households', {
				...fields,
				version,
				fieldMeta: {},
				deleted: false,
				createdAt: now,
				updatedAt: now
			});
			return version;
		}
		case 'residents': {
			const f = parse(INSERT_FIELDS.residents, m.fields);
			const household = await liveRow(tx, 'households', f.householdId, 'householdId');
			const grid = await gridOf(tx, household.gridId);
			denyUnlessWritable(ctx.user, grid, m.table);
			// The full ID number stays on the server; devices only ever receive the masked form.
			const fields = {
				id: m.rowId,
				householdId: f.householdId,
				gridId: grid.id,
				name: f.name,
				idNumberMasked: f.idNumber ? maskIdNumber(f.idNumber) : null,
				phone: f.phone ?? null,
				birthYear: f.birthYear ?? null,
				sex: f.sex ?? null,
				tags: f.tags ?? [],
				dailyCheckIn: f.dailyCheckIn ?? false
			};
			const version = await log(grid, fields);
			await tx.insertRow('residents', {
				...fields,
				idNumber: f.idNumber ? ctx.ids.seal(f.idNumber) : null,
				idHash: f.idNumber ? ctx.ids.hash(f.idNumber) : null,
				version,
				fieldMeta: {},
				deleted: false,
				createdAt: now,
				updatedAt: now
			});
			await changeMemberCount(tx, household, grid, 1);
			if (f.idNumber) ctx.idHashes.add(ctx.ids.hash(f.idNumber));
			return version;
		}
		case 'visits': {
			const f = parse(INSERT_FIELDS.visits, m.fields);
			const household = await liveRow(tx, 'households', f.householdId, 'householdId');
			const grid = await gridOf(tx, household.gridId);
			denyUnlessWritable(ctx.user, grid, m.table);
			for (const [i, check] of f.checks.entries()) {
				const resident = await tx.getRow('residents', check.residentId);
				if (!resident || resident.householdId !== household.id)
					reject(`fields.checks.${i}.residentId: not a member of this household`);
			}
			const visitedAt = new Date(f.visitedAt);
			const fields = {
				id: m.rowId,
				householdId: household.id,
				gridId: grid.id,
				workerId: ctx.user.id,
				visitedAt: visitedAt.toISOString(),
				day: dayInZone(visitedAt, ctx.timeZone),
				outcome: f.outcome,
				checks: f.checks,
				needs: f.needs ?? [],
				note: f.note ?? null,
				abnormal: isAbnormalVisit(f.checks)
			};
			const version = await log(grid, fields);
			await tx.insertRow('visits', { ...fields, visitedAt, supersedes: null, createdAt: now });
			return version;
		}
		case 'checkins': {
			const f = parse(INSERT_FIELDS.checkins, m.fields);
			const resident = await liveRow(tx, 'residents', f.residentId, 'residentId');
			const grid = await gridOf(tx, resident.gridId);
			denyUnlessWritable(ctx.user, grid, m.table);
			const at = new Date(f.at);
			const fields = {
				id: m.rowId,
				residentId: resident.id,
				gridId: grid.id,
				at: at.toISOString(),
				day: dayInZone(at, ctx.timeZone),
				status: f.status,
				channel: f.channel,
				needs: f.needs ?? [],
				assistedBy: assistantOf(ctx, f, grid),
				recordedBy: ctx.user.id
			};
			const version = await log(grid, fields);
			await tx.insertRow('checkins', { ...fields, at, createdAt: now });
			return version;
		}
		case 'incidents': {
			const f = parse(INSERT_FIELDS.incidents, m.fields);
			const grid = await gridOf(tx, f.gridId);
			denyUnlessWritable(ctx.user, grid, m.table, f.category);
			if (f.status !== 'reported') reject('fields.status: a new incident starts as "reported"');
			if (f.householdId) {
				const household = await liveRow(tx, 'households', f.householdId, 'householdId');
				if (household.gridId !== grid.id)
					reject('fields.householdId: household is not in this grid');
			}
			const fields = {
				id: m.rowId,
				gridId: grid.id,
				communityCode: grid.communityCode,
				householdId: f.householdId ?? null,
				residentId: null,
				category: f.category,
				severity: f.severity,
				description: f.description,
				status: f.status,
				dueAt: dueAt(now, f.severity).toISOString(),
				escalatedTo: null,
				assigneeId: null,
				reportedBy: ctx.user.id,
				rating: null
			};
			const version = await log(grid, fields);
			await tx.insertRow('incidents', {
				...fields,
				dueAt: new Date(fields.dueAt),
				version,
				fieldMeta: {},
				createdAt: now,
				updatedAt: now
			});
			await tx.addIncidentTransition({
				incidentId: m.rowId,
				fromStatus: null,
				toStatus: 'reported',
				actorId: ctx.user.id
			});
			return version;
		}
		case 'audit':
			return reject('table: audit entries are recorded before the synced tables');
	}
}

/** A household's member count moved by `delta` (never below 0), logged for devices. */
export async function changeMemberCount(
	tx: SyncTx,
	household: SyncRows['households'],
	grid: Grid,
	delta: number
) {
	const memberCount = Math.max(0, household.memberCount + delta);
	const version = await tx.logChange({
		tableName: 'households',
		rowId: household.id,
		op: 'update',
		fields: { memberCount },
		gridId: grid.id,
		communityCode: grid.communityCode
	});
	await tx.updateRow('households', household.id, { memberCount, version });
}

async function remove(
	tx: SyncTx,
	ctx: ApplyContext,
	table: UpdatableTable,
	row: SyncRows[UpdatableTable],
	grid: Grid
): Promise<number> {
	if (table === 'incidents')
		return reject('op: incidents are closed through their status, not deleted');
	// Like erasure online: removing a household or a resident is the community head's decision.
	if (ctx.user.role !== 'community_head')
		return reject(`op: only the community head deletes ${table}`);
	const version = await tx.logChange({
		tableName: table,
		rowId: row.id,
		op: 'delete',
		fields: {},
		gridId: grid.id,
		communityCode: grid.communityCode
	});
	await tx.updateRow(table, row.id, { deleted: true, version, updatedAt: ctx.now });
	if (table === 'residents') {
		const household = await tx.getRow('households', (row as SyncRows['residents']).householdId);
		if (household && !household.deleted) await changeMemberCount(tx, household, grid, -1);
	}
	return version;
}

async function update(
	tx: SyncTx,
	ctx: ApplyContext,
	m: Mutation,
	table: UpdatableTable,
	row: SyncRows[UpdatableTable],
	grid: Grid
): Promise<number | undefined> {
	const fields = parse(UPDATE_FIELDS[table], m.fields) as Record<string, unknown>;
	if (m.baseVersion === undefined) return reject('baseVersion: required for an update');
	// A base the row never had would win every later honest edit of the field.
	if (m.baseVersion > row.version)
		reject(`baseVersion: ${m.baseVersion} is ahead of the row's version ${row.version}`);
	const move =
		table === 'incidents' ? incidentChange(ctx, row as SyncRows['incidents'], fields) : null;
	if (Object.keys(fields).length === 0) reject('fields: nothing to change');
	const newStatus = move?.to;
	const oldStatus = (row as SyncRows['incidents']).status as IncidentStatus;
	const merged = mergeEdit(row.fieldMeta, fields, [m.baseVersion, m.id]);
	const stored: Record<string, unknown> = { ...merged.won };
	const logged: Record<string, unknown> = { ...merged.won };
	if (table === 'residents' && 'idNumber' in merged.won) {
		const full = merged.won.idNumber as string | undefined;
		stored.idNumber = full ? ctx.ids.seal(full) : null;
		stored.idNumberMasked = full ? maskIdNumber(full) : null;
		stored.idHash = full ? ctx.ids.hash(full) : null;
		if (full) ctx.idHashes.add(ctx.ids.hash(full));
		delete logged.idNumber;
		logged.idNumberMasked = stored.idNumberMasked;
	}
	const history = [
		...Object.entries(merged.won).map(([field, value]) => ({
			field,
			value,
			outcome: 'applied' as const
		})),
		...Object.entries(merged.lost).map(([field, value]) => ({
			field,
			value,
			outcome: 'lost' as const
		}))
	].map((h) => ({
		...h,
		// Full ID numbers never enter the history either.
		value: h.field === 'idNumber' && typeof h.value === 'string' ? maskIdNumber(h.value) : h.value,
		tableName: table,
		rowId: row.id,
		actorId: ctx.user.id,
		mutationId: m.id
	}));
	await tx.addFieldHistory(history);
	if (Object.keys(merged.won).length === 0) return undefined;
	if (newStatus && 'status' in merged.won) {
		// The assignee follows the move only when the move itself won the merge.
		if (move?.assigneeId !== undefined) {
			stored.assigneeId = move.assigneeId;
			logged.assigneeId = move.assigneeId;
		}
		await tx.addIncidentTransition({
			incidentId: row.id,
			fromStatus: oldStatus,
			toStatus: newStatus,
			actorId: ctx.user.id,
			...(move?.note ? { note: move.note } : {})
		});
	}
	const version = await tx.logChange({
		tableName: table,
		rowId: row.id,
		op: 'update',
		fields: logged,
		gridId: grid.id,
		communityCode: grid.communityCode
	});
	await tx.updateRow(table, row.id, {
		...stored,
		fieldMeta: merged.meta,
		version,
		updatedAt: ctx.now
	});
	return version;
}

/**
 * Checks an incident update against the closed loop's rules (src/lib/domain/incident.ts, the
 * same rules as the online transition) and takes the move's parts that are not row fields out of
 * `fields`: the note goes to the history, the assignee follows the move.
 */
function incidentChange(
	ctx: ApplyContext,
	row: SyncRows['incidents'],
	fields: Record<string, unknown>
): { to: IncidentStatus; assigneeId?: string; note?: string } | null {
	const incident = {
		status: row.status as IncidentStatus,
		assigneeId: row.assigneeId,
		reportedBy: row.reportedBy,
		gridId: row.gridId
	};
	const { note, assigneeId } = fields as { note?: string; assigneeId?: string };
	delete fields.note;
	delete fields.assigneeId;
	for (const field of INCIDENT_CONTENT_FIELDS)
		if (field in fields) {
			const denial = contentEditDenial(ctx.user, incident);
			if (denial) reject(`fields.${field}: ${denial}`);
		}
	const to = fields.status as IncidentStatus | undefined;
	if (to === undefined) {
		if (note !== undefined) reject('fields.note: a note goes with a change of status');
		if (assigneeId !== undefined) reject('fields.assigneeId: set only when dispatching');
		return null;
	}
	const change = { to, assigneeId, note };
	const assignee = assigneeId ? (ctx.named?.get(assigneeId) ?? null) : null;
	const denial = moveDenial(ctx.user, incident, change, assignee);
	if (denial) reject(`fields.${denial.field}: ${denial.message}`);
	return { to, assigneeId: assigneeAfter(ctx.user, incident, change), note: note || undefined };
}
