// One batch of writes to the synced tables, inside one transaction (docs/architecture.md, "The
// write path"). Callers state row operations only (insert, patch with a merge key, delete, an
// incident move, an escalation, an erasure, a purge of health details, a new round); each is
// checked against the rules (rules.ts) before its first write, and everything else it implies
// (effects.ts) is derived here: change log and versions, field history, ID-number protection,
// member counts, incident history and, when the batch settles, the roll-up figures.
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import type { IncidentStatus, SyncTable } from '../../src/lib/shared/enums';
import type { INSERT_FIELDS, UpdatableTable } from '../../src/lib/shared/schemas';
import { dueAt } from '../../src/lib/domain/incident';
import { isAbnormalVisit, type StoredCheck } from '../../src/lib/domain/visit';
import { dayInZone } from '../../src/lib/domain/day';
import { storedAnswers, validateAnswers } from '../../src/lib/shared/templates';
import type { StoredAnswer } from '../../src/lib/shared/templates';
import type { IdProtection } from '../privacy/ids';
import type { AppliedChange } from '../rollup/maintain';
import type { DayClock } from '../rollup/snapshots';
import type { RoundRow, RowReader, SyncRows } from '../store/rows';
import type { PrefetchRefs, SyncTx } from '../store/sync-types';
import { mergeEdit } from '../sync/merge';
import { historyOf, idNumberColumns, MemberCounts, recordChange, recordInsert } from './effects';
import { refuse } from './refusal';
import { CareDue } from './care';
import {
	checkinAssistant,
	incidentChange,
	requireDeletable,
	requireErasable,
	requireMovable,
	requireWritable,
	type Actor,
	type Grid,
	type IncidentMove
} from './rules';

/** The fields of a new row of each table, as the shared insert schemas parse them. */
export type InsertFields = { [T in SyncTable]: z.infer<(typeof INSERT_FIELDS)[T]> };

/** Fields a resident keeps after erasure, as devices receive them. */
const ERASED = {
	name: '',
	idNumberMasked: null,
	phone: null,
	birthYear: null,
	sex: null,
	relation: null,
	landline: null,
	note: null,
	tags: [] as string[],
	dailyCheckIn: false
};

export interface BatchOptions extends DayClock {
	/** Incremental roll-up maintenance (GRIDCARE_ROLLUP); on unless false. */
	rollup?: boolean;
	/** Households' due days kept up to date (docs/care-tiers.md); on unless false (benchmarks). */
	care?: boolean;
	/** Told how long each settling of the roll-up figures took, in seconds (metrics). */
	observeRollup?: (seconds: number) => void;
}

export class WriteBatch implements RowReader {
	/** Changes the roll-up must account for when the batch settles. */
	private applied: AppliedChange[] = [];
	private readonly members = new MemberCounts();
	/** Households whose next visit's due day the batch's rows may move (docs/care-tiers.md). */
	private readonly care = new CareDue();
	/** ID hashes the batch wrote: the duplicate registrations to look for once it commits. */
	readonly idHashes = new Set<string>();
	/** Communities whose figures the batch changed. */
	readonly communities = new Set<string>();
	/**
	 * Communities a household moved from or to: their grids' figures are recomputed when the
	 * batch settles (server/rollup/recompute.ts, recomputeGrids).
	 */
	private readonly recompute = new Set<string>();

	constructor(
		private readonly tx: SyncTx,
		readonly actor: Actor,
		private readonly ids: IdProtection,
		private readonly options: BatchOptions
	) {}

	get now(): Date {
		return this.options.now;
	}

	// ---- reading -----------------------------------------------------------------------------

	/** Read in bulk the rows, grids and users the batch will refer to; call first. */
	prefetch(refs: PrefetchRefs): Promise<void> {
		return this.tx.prefetch(refs);
	}

	getRow<T extends SyncTable>(table: T, rowId: string): Promise<SyncRows[T] | null> {
		return this.tx.getRow(table, rowId);
	}

	gridCommunity(gridId: string): Promise<string | null> {
		return this.tx.gridCommunity(gridId);
	}

	// ---- a device's mutations ----------------------------------------------------------------

	appliedMutationIds(ids: string[]): Promise<Set<string>> {
		return this.tx.appliedMutationIds(ids);
	}

	/** Remember a device's mutation as applied: its replay is answered `duplicate`. */
	recordMutation(id: string, deviceId: string): Promise<void> {
		return this.tx.recordMutation({ id, deviceId, userId: this.actor.id });
	}

	/** The user's device synced at `at`; written with the batch. */
	recordDeviceSync(userId: string, deviceId: string, at: Date): void {
		this.tx.recordDeviceSync(userId, deviceId, at);
	}

	// ---- operations --------------------------------------------------------------------------

	/** Insert a row; returns its version. */
	async insert<T extends SyncTable>(
		table: T,
		rowId: string,
		fields: InsertFields[T]
	): Promise<number> {
		if (await this.tx.getRow(table, rowId)) refuse('rowId: a row with this id already exists');
		const version = await this.insertRow(table, rowId, fields);
		this.applied.push({ table, op: 'insert', rowId });
		return version;
	}

	/**
	 * Change fields of a row, merged field by field against concurrent edits by `key` (the base
	 * version the change was made on, then the mutation id). Returns the row's new version, or
	 * undefined when every field lost the merge.
	 */
	async patch(
		table: UpdatableTable,
		rowId: string,
		input: Record<string, unknown>,
		key: { baseVersion: number; mutationId: string }
	): Promise<number | undefined> {
		const { row, grid } = await this.liveForChange(table, rowId);
		// A base the row never had would win every later honest edit of the field.
		if (key.baseVersion > row.version)
			refuse(`baseVersion: ${key.baseVersion} is ahead of the row's version ${row.version}`);
		const fields = { ...input };
		const move =
			table === 'incidents'
				? incidentChange(
						this.actor,
						row as SyncRows['incidents'],
						fields,
						typeof fields.assigneeId === 'string' ? await this.tx.getUser(fields.assigneeId) : null
					)
				: null;
		if (Object.keys(fields).length === 0) refuse('fields: nothing to change');
		return this.merge(table, row, grid, fields, key, move);
	}

	/**
	 * An incident move made online: checked like the same move by push, merged against the
	 * row's present version (so a later pushed edit made on an older version loses to it).
	 */
	async moveIncident(
		id: string,
		change: { to: IncidentStatus; assigneeId?: string; note?: string }
	): Promise<{ version: number; communityCode: string }> {
		const row = await this.tx.getRow('incidents', id);
		if (!row) return refuse('id: no such incident', 'missing');
		const fields: Record<string, unknown> = { status: change.to };
		if (change.assigneeId !== undefined) fields.assigneeId = change.assigneeId;
		if (change.note !== undefined) fields.note = change.note;
		// Keyed like a device's mutation: the row's present version, then a time-ordered id, so
		// an edit a device made earlier on the same version loses to it and a later one wins.
		const version = await this.patch('incidents', id, fields, {
			baseVersion: row.version,
			mutationId: uuidv7()
		});
		// Only an edit a device made on this same version with a later clock can beat it.
		if (version === undefined)
			refuse(
				'fields.status: changed on a device at the same moment; reload and try again',
				'illegal'
			);
		return { version, communityCode: row.communityCode };
	}

	/** Soft-delete a household or a resident; returns the row's new version. */
	async delete(table: UpdatableTable, rowId: string): Promise<number> {
		const { row, grid } = await this.liveForChange(table, rowId);
		requireDeletable(this.actor, table);
		const version = await recordChange(this.tx, table, row, grid, {
			op: 'delete',
			logged: {},
			stored: { deleted: true },
			at: this.now
		});
		if (table === 'residents') await this.residentLeaves(row as SyncRows['residents'], grid);
		this.applied.push({ table, op: 'delete', rowId });
		return version;
	}

	/**
	 * Erase a resident who moved out: the row keeps its id (history still points somewhere), every
	 * personal field is emptied, the ID number and its hash go, and devices receive a delete.
	 * Returns false when there is no such resident.
	 */
	async erase(residentId: string): Promise<boolean> {
		const row = await this.tx.getRow('residents', residentId);
		if (!row) return false;
		const grid = await this.gridOf(row.gridId);
		requireErasable(this.actor, grid);
		const wasDeleted = row.deleted;
		await recordChange(this.tx, 'residents', row, grid, {
			op: 'delete',
			logged: ERASED,
			stored: { ...ERASED, idNumber: null, idHash: null, deleted: true },
			at: this.now
		});
		if (!wasDeleted) await this.residentLeaves(row, grid);
		this.applied.push({ table: 'residents', op: 'delete', rowId: residentId });
		return true;
	}

	/**
	 * Raise an open incident's escalation to `target` (the server's escalation job): no status
	 * change, a history entry "escalated:<code>". False when the incident is gone or closed.
	 */
	async escalate(incidentId: string, target: string): Promise<boolean> {
		if (this.actor.role !== 'system') refuse('escalatedTo: set by the escalation job only');
		const row = await this.tx.getRow('incidents', incidentId);
		if (!row || row.status === 'closed') return false;
		const grid = { id: row.gridId, communityCode: row.communityCode };
		await this.tx.addIncidentTransition({
			incidentId: row.id,
			fromStatus: row.status,
			toStatus: row.status,
			actorId: this.actor.id,
			note: `escalated:${target}`
		});
		await this.merge(
			'incidents',
			row,
			grid,
			{ escalatedTo: target },
			{ baseVersion: row.version, mutationId: uuidv7() },
			null,
			false
		);
		this.applied.push({ table: 'incidents', op: 'update', rowId: incidentId });
		return true;
	}

	/**
	 * Replace a visit's health details by what retention keeps of them: `{ residentId, abnormal }`
	 * per check and, when the visit answered a template, `{ residentId?, key, abnormal? }` per
	 * answer (docs/check-templates.md); one logged change of both, the one change a visit may
	 * have after it is recorded. Figures do not move: a purged check or answer keeps its flag.
	 */
	async purgeHealthDetails(
		visitId: string,
		kept: { checks: (StoredCheck & { residentId: string })[]; answers: StoredAnswer[] }
	): Promise<void> {
		if (this.actor.role !== 'system') refuse('checks: health details are purged by retention only');
		const row = await this.tx.getRow('visits', visitId);
		if (!row) return;
		const grid = await this.gridOf(row.gridId);
		// A visit without answers changes its checks alone, as before templates.
		const fields =
			row.answers.length > 0
				? { checks: kept.checks, answers: kept.answers }
				: { checks: kept.checks };
		await this.tx.logChange({
			tableName: 'visits',
			rowId: visitId,
			op: 'update',
			fields,
			gridId: grid.id,
			communityCode: grid.communityCode
		});
		await this.tx.updateRow('visits', visitId, fields as Partial<SyncRows['visits']>);
	}

	/**
	 * A new check round: stored, its figures added from the visits already recorded, and logged
	 * to every grid of its division so worker devices receive it. Returns the communities (with
	 * grids) it covers.
	 */
	async publishRound(round: RoundRow): Promise<string[]> {
		await this.tx.insertRound(round);
		const grids = await this.tx.gridsUnder(round.divisionCode);
		// A round with a template carries the version it pins, so devices build its visit form
		// offline (docs/check-templates.md).
		const template =
			round.templateId && round.templateVersion
				? await this.tx.templateVersion(round.templateId, round.templateVersion)
				: null;
		if (round.templateId && !template) refuse('templateId: no such template version', 'missing');
		const fields = {
			id: round.id,
			divisionCode: round.divisionCode,
			name: round.name,
			startDate: round.startDate,
			dueDate: round.dueDate,
			...(template ? { template } : {})
		};
		for (const g of grids)
			await this.tx.logChange({
				// Rounds travel in the change log beside the synced tables; devices keep them apart.
				tableName: 'rounds' as SyncTable,
				rowId: round.id,
				op: 'insert',
				fields,
				gridId: g.id,
				communityCode: g.communityCode
			});
		return [...new Set(grids.map((g) => g.communityCode))];
	}

	/**
	 * Move a live household to another grid (docs/administration.md, "Moving households and
	 * changing scopes"), with its residents, its open incidents and its visits. The old grid's
	 * devices receive deletes of all of them; the new grid's devices (and the community heads')
	 * receive full inserts of the household, its residents, its open incidents and its visits of
	 * the last `visitDays` days. Closed incidents stay where they happened. Returns false when the
	 * household is already in `toGridId`.
	 */
	async moveHousehold(householdId: string, toGridId: string, visitDays: number): Promise<boolean> {
		const row = await this.tx.getRow('households', householdId);
		if (!row || row.deleted)
			return refuse(`householdIds: no such household ${householdId}`, 'missing');
		if (row.gridId === toGridId) return false;
		const communityCode = await this.tx.gridCommunity(toGridId);
		if (!communityCode) return refuse('toGridId: no such grid', 'missing');
		const to = { id: toGridId, communityCode };
		const from = await this.gridOf(row.gridId);
		requireMovable(this.actor, from, to);
		const { residents, incidents, visits } = await this.tx.householdRows(householdId);
		const live = residents.filter((r) => !r.deleted);
		const open = incidents.filter((i) => i.status !== 'closed');
		const since = this.now.getTime() - visitDays * 86_400_000;
		const gone = (table: SyncTable, rowId: string) =>
			this.tx.logChange({ tableName: table, rowId, op: 'delete', fields: {}, ...gridOf(from) });
		await gone('households', row.id);
		for (const r of live) await gone('residents', r.id);
		for (const i of open) await gone('incidents', i.id);
		for (const v of visits) await gone('visits', v.id);
		const arrive = (table: SyncTable, fields: Record<string, unknown> & { id: string }) =>
			this.tx.logChange({
				tableName: table,
				rowId: fields.id,
				op: 'insert',
				fields,
				...gridOf(to)
			});
		const moved = { gridId: to.id };
		const household = await arrive('households', loggedOf('households', { ...row, ...moved }));
		await this.tx.updateRow('households', row.id, {
			...moved,
			version: household,
			updatedAt: this.now
		});
		for (const r of residents) {
			const version = r.deleted
				? r.version
				: await arrive('residents', loggedOf('residents', { ...r, ...moved }));
			await this.tx.updateRow('residents', r.id, { ...moved, version });
		}
		for (const i of open) {
			const at = { ...moved, communityCode: to.communityCode };
			const version = await arrive('incidents', loggedOf('incidents', { ...i, ...at }));
			await this.tx.updateRow('incidents', i.id, { ...at, version });
		}
		for (const v of visits) {
			if (v.visitedAt.getTime() >= since)
				await arrive('visits', loggedOf('visits', { ...v, ...moved }));
			await this.tx.updateRow('visits', v.id, moved);
		}
		this.recompute.add(from.communityCode).add(to.communityCode);
		this.communities.add(from.communityCode).add(to.communityCode);
		// Another community may visit at other frequencies.
		this.care.refresh(householdId);
		return true;
	}

	/**
	 * Work out again the due day of every live household of a community (its visit frequencies
	 * changed; docs/care-tiers.md), or of some households (their due day was never worked out).
	 */
	refreshCare(target: { communityCode: string } | { householdIds: string[] }): void {
		if (this.actor.role !== 'system') refuse('dueOn: worked out by the server only');
		if ('communityCode' in target) this.care.refreshCommunity(target.communityCode);
		else for (const id of target.householdIds) this.care.refresh(id);
	}

	// ---- settling ----------------------------------------------------------------------------

	/**
	 * Derive what the operations so far imply for the whole batch (member counts, roll-up
	 * figures) and write everything. Called by the write path at the end, and at the end of
	 * each savepoint.
	 */
	async settle(): Promise<void> {
		// Member counts are not figures: nothing for the roll-up there.
		await this.members.settle(this.tx);
		// Due days are: the households whose due day moved are counted again.
		if (this.options.care !== false)
			this.applied.push(...(await this.care.settle(this.tx, this.applied, this.options)));
		let figureMs = 0;
		if (this.options.rollup !== false && this.applied.length) {
			const started = performance.now();
			const change = await this.tx.maintainFigures(this.applied, this.options);
			for (const code of change.communities) this.communities.add(code);
			figureMs += performance.now() - started;
		}
		this.applied = [];
		await this.tx.flush();
		if (this.recompute.size && this.options.rollup !== false) {
			const started = performance.now();
			await this.tx.recomputeFigures([...this.recompute].sort(), this.options);
			this.recompute.clear();
			figureMs += performance.now() - started;
		}
		if (figureMs > 0) this.options.observeRollup?.(figureMs / 1000);
	}

	/**
	 * Run `fn` in a savepoint and settle what it did: if the database refuses any of it, the
	 * database and the batch return to where they were, and the error is thrown on.
	 */
	async savepoint<T>(fn: () => Promise<T>): Promise<T> {
		await this.settle();
		const restoreMembers = this.members.mark();
		const idHashes = new Set(this.idHashes);
		const communities = new Set(this.communities);
		try {
			return await this.tx.savepoint(async () => {
				const result = await fn();
				await this.settle();
				return result;
			});
		} catch (error) {
			restoreMembers();
			this.care.clear();
			this.applied = [];
			this.recompute.clear();
			this.idHashes.clear();
			for (const h of idHashes) this.idHashes.add(h);
			this.communities.clear();
			for (const c of communities) this.communities.add(c);
			throw error;
		}
	}

	// ---- the parts ---------------------------------------------------------------------------

	private async gridOf(gridId: string): Promise<Grid> {
		const grid = await this.tx.grid(gridId);
		if (!grid) return refuse('fields.gridId: no such grid');
		return { id: gridId, communityCode: grid.communityCode, retired: grid.retired };
	}

	/**
	 * A visit's answers as stored, checked against the template version it names (shipped, or
	 * made in a division above the household's community): each answer fits its question, names
	 * a member of the household when the question is asked per resident, and carries the abnormal
	 * flag its question's rule gives (docs/check-templates.md). No template: no answers.
	 */
	private async templateAnswers(
		f: InsertFields['visits'],
		householdId: string,
		communityCode: string
	): Promise<StoredAnswer[]> {
		if (f.templateId === undefined || f.templateVersion === undefined) return [];
		const template = await this.tx.templateVersion(f.templateId, f.templateVersion);
		if (!template)
			refuse(
				`fields.templateVersion: no version ${f.templateVersion} of template ${f.templateId}`,
				'missing'
			);
		if (template.divisionCode !== null && !communityCode.startsWith(template.divisionCode))
			refuse('fields.templateId: the template belongs to another division');
		const answers = f.answers ?? [];
		const members = new Set<string>();
		for (const residentId of new Set(answers.flatMap((a) => a.residentId ?? []))) {
			const resident = await this.tx.getRow('residents', residentId);
			if (resident && resident.householdId === householdId) members.add(residentId);
		}
		const issues = validateAnswers(template.questions, answers, members);
		if (issues.length) refuse(`fields.${issues[0].message}`);
		return storedAnswers(template.questions, answers);
	}

	private async liveRow<T extends 'households' | 'residents'>(table: T, id: string, field: string) {
		const row = await this.tx.getRow(table, id);
		if (!row || row.deleted)
			return refuse(
				`fields.${field}: no such ${table === 'households' ? 'household' : 'resident'}`
			);
		return row;
	}

	/** A row to change: it exists, the actor may write its grid, and it is not deleted. */
	private async liveForChange(table: UpdatableTable, rowId: string) {
		const row = await this.tx.getRow(table, rowId);
		if (!row) return refuse('rowId: no such row', 'missing');
		const grid = await this.gridOf(row.gridId);
		requireWritable(this.actor, grid, table);
		if ('deleted' in row && row.deleted) refuse('rowId: the row has been deleted', 'illegal');
		return { row, grid };
	}

	private async residentLeaves(resident: SyncRows['residents'], grid: Grid): Promise<void> {
		const household = await this.tx.getRow('households', resident.householdId);
		if (household && !household.deleted) this.members.add(household.id, grid, -1);
	}

	/** Merge `fields` into a row and write what won, with its history and, for a move, the transition. */
	private async merge(
		table: UpdatableTable,
		row: SyncRows[UpdatableTable],
		grid: Grid,
		fields: Record<string, unknown>,
		key: { baseVersion: number; mutationId: string },
		move: IncidentMove | null,
		history = true
	): Promise<number | undefined> {
		const merged = mergeEdit(row.fieldMeta, fields, [key.baseVersion, key.mutationId]);
		const stored: Record<string, unknown> = { ...merged.won };
		const logged: Record<string, unknown> = { ...merged.won };
		if (table === 'residents' && 'idNumber' in merged.won) {
			const full = merged.won.idNumber as string | null | undefined;
			const id = idNumberColumns(this.ids, full);
			Object.assign(stored, id.stored);
			delete logged.idNumber;
			Object.assign(logged, id.logged);
			if (id.stored.idHash) this.idHashes.add(id.stored.idHash);
		}
		if (history)
			await this.tx.addFieldHistory(
				historyOf(merged, {
					table,
					rowId: row.id,
					actorId: this.actor.id,
					mutationId: key.mutationId
				})
			);
		if (Object.keys(merged.won).length === 0) return undefined;
		if (move && 'status' in merged.won) {
			// The assignee follows the move only when the move itself won the merge.
			if (move.assigneeId !== undefined) {
				stored.assigneeId = move.assigneeId;
				logged.assigneeId = move.assigneeId;
			}
			await this.tx.addIncidentTransition({
				incidentId: row.id,
				fromStatus: (row as SyncRows['incidents']).status,
				toStatus: move.to,
				actorId: this.actor.id,
				...(move.note ? { note: move.note } : {})
			});
		}
		const version = await recordChange(this.tx, table, row, grid, {
			op: 'update',
			logged,
			stored: { ...stored, fieldMeta: merged.meta },
			at: this.now
		});
		this.applied.push({ table, op: 'update', rowId: row.id });
		return version;
	}

	private async insertRow<T extends SyncTable>(
		table: T,
		rowId: string,
		input: InsertFields[T]
	): Promise<number> {
		const { actor, now, tx } = this;
		const created = { createdAt: now, updatedAt: now, fieldMeta: {}, deleted: false };
		switch (table) {
			case 'households': {
				const f = input as InsertFields['households'];
				const grid = await this.gridOf(f.gridId);
				requireWritable(actor, grid, table);
				const logged: Logged<'households'> = {
					id: rowId,
					gridId: f.gridId,
					address: f.address,
					tags: f.tags ?? [],
					lat: f.lat ?? null,
					lng: f.lng ?? null,
					// Derived from its residents (effects.ts), never taken from the input.
					memberCount: 0,
					// Worked out when the batch settles (care.ts), never taken from the input.
					lastVisitedOn: null,
					dueOn: null,
					dueReason: null,
					careTag: null
				};
				const version = await recordInsert(tx, 'households', grid, logged, (v) => ({
					...logged,
					...created,
					signalOn: null,
					signalKind: null,
					version: v
				}));
				this.members.householdInserted(rowId, version);
				return version;
			}
			case 'residents': {
				const f = input as InsertFields['residents'];
				const household = await this.liveRow('households', f.householdId, 'householdId');
				const grid = await this.gridOf(household.gridId);
				requireWritable(actor, grid, table);
				const id = idNumberColumns(this.ids, f.idNumber);
				const logged: Logged<'residents'> = {
					id: rowId,
					householdId: f.householdId,
					gridId: grid.id,
					name: f.name,
					...id.logged,
					phone: f.phone ?? null,
					birthYear: f.birthYear ?? null,
					sex: f.sex ?? null,
					relation: f.relation ?? null,
					landline: f.landline ?? null,
					note: f.note ?? null,
					tags: f.tags ?? [],
					dailyCheckIn: f.dailyCheckIn ?? false
				};
				const version = await recordInsert(tx, 'residents', grid, logged, (v) => ({
					...logged,
					...id.stored,
					...created,
					version: v
				}));
				this.members.add(household.id, grid, 1);
				if (id.stored.idHash) this.idHashes.add(id.stored.idHash);
				return version;
			}
			case 'visits': {
				const f = input as InsertFields['visits'];
				if (actor.role === 'system') refuse('table: visits are recorded by people');
				const household = await this.liveRow('households', f.householdId, 'householdId');
				const grid = await this.gridOf(household.gridId);
				requireWritable(actor, grid, table);
				for (const [i, check] of f.checks.entries()) {
					const resident = await tx.getRow('residents', check.residentId);
					if (!resident || resident.householdId !== household.id)
						refuse(`fields.checks.${i}.residentId: not a member of this household`);
				}
				const answers = await this.templateAnswers(f, household.id, grid.communityCode);
				const visitedAt = new Date(f.visitedAt);
				const logged: Logged<'visits'> = {
					id: rowId,
					householdId: household.id,
					gridId: grid.id,
					workerId: actor.id,
					visitedAt: visitedAt.toISOString(),
					day: dayInZone(visitedAt, this.options.timeZone),
					outcome: f.outcome,
					checks: f.checks,
					needs: f.needs ?? [],
					note: f.note ?? null,
					abnormal: isAbnormalVisit(f.checks, answers),
					templateId: f.templateId ?? null,
					templateVersion: f.templateVersion ?? null,
					answers
				};
				return recordInsert(tx, 'visits', grid, logged, () => ({
					...logged,
					visitedAt,
					supersedes: null,
					createdAt: now
				}));
			}
			case 'checkins': {
				const f = input as InsertFields['checkins'];
				if (actor.role === 'system') refuse('table: check-ins are recorded by people');
				const resident = await this.liveRow('residents', f.residentId, 'residentId');
				const grid = await this.gridOf(resident.gridId);
				requireWritable(actor, grid, table);
				const at = new Date(f.at);
				const helper = f.assistedBy ? await tx.getUser(f.assistedBy) : null;
				const logged = {
					id: rowId,
					residentId: resident.id,
					gridId: grid.id,
					at: at.toISOString(),
					day: dayInZone(at, this.options.timeZone),
					status: f.status,
					channel: f.channel,
					needs: f.needs ?? [],
					assistedBy: checkinAssistant(actor, f, grid, helper),
					recordedBy: actor.id
				};
				return recordInsert(tx, 'checkins', grid, logged, () => ({
					...logged,
					at,
					createdAt: now
				}));
			}
			case 'incidents': {
				const f = input as InsertFields['incidents'];
				if (actor.role === 'system') refuse('table: incidents are reported by people');
				const grid = await this.gridOf(f.gridId);
				requireWritable(actor, grid, table, f.category);
				if (f.status !== 'reported') refuse('fields.status: a new incident starts as "reported"');
				if (f.householdId) {
					const household = await this.liveRow('households', f.householdId, 'householdId');
					if (household.gridId !== grid.id)
						refuse('fields.householdId: household is not in this grid');
				}
				if (f.residentId) {
					const resident = await this.liveRow('residents', f.residentId, 'residentId');
					if (resident.gridId !== grid.id)
						refuse('fields.residentId: resident is not in this grid');
					if (f.householdId && resident.householdId !== f.householdId)
						refuse('fields.residentId: not a member of this household');
				}
				const due = dueAt(now, f.severity);
				const logged: Logged<'incidents'> = {
					id: rowId,
					gridId: grid.id,
					communityCode: grid.communityCode,
					householdId: f.householdId ?? null,
					residentId: f.residentId ?? null,
					category: f.category,
					severity: f.severity,
					description: f.description,
					status: f.status,
					dueAt: due.toISOString(),
					escalatedTo: null,
					assigneeId: null,
					reportedBy: actor.id,
					rating: null
				};
				const version = await recordInsert(tx, 'incidents', grid, logged, (v) => ({
					...logged,
					dueAt: due,
					version: v,
					fieldMeta: {},
					createdAt: now,
					updatedAt: now
				}));
				await tx.addIncidentTransition({
					incidentId: rowId,
					fromStatus: null,
					toStatus: 'reported',
					actorId: actor.id
				});
				return version;
			}
		}
		return refuse(`table: ${String(table)} is not a synced table`);
	}
}

const gridOf = (grid: Grid) => ({ gridId: grid.id, communityCode: grid.communityCode });

// A row as devices receive it in full: the fields its insert logs. One list per table, used by
// insertRow (which builds a `Logged` row, so the type keeps it to the list) and by a household's
// move (which sends stored rows in full).

/** The fields a new row of each table logs, in order. */
const LOGGED = {
	households: [
		'id',
		'gridId',
		'address',
		'tags',
		'lat',
		'lng',
		'memberCount',
		'lastVisitedOn',
		'dueOn',
		'dueReason',
		'careTag'
	],
	residents: [
		'id',
		'householdId',
		'gridId',
		'name',
		'idNumberMasked',
		'phone',
		'birthYear',
		'sex',
		'relation',
		'landline',
		'note',
		'tags',
		'dailyCheckIn'
	],
	incidents: [
		'id',
		'gridId',
		'communityCode',
		'householdId',
		'residentId',
		'category',
		'severity',
		'description',
		'status',
		'dueAt',
		'escalatedTo',
		'assigneeId',
		'reportedBy',
		'rating'
	],
	visits: [
		'id',
		'householdId',
		'gridId',
		'workerId',
		'visitedAt',
		'day',
		'outcome',
		'checks',
		'needs',
		'note',
		'abnormal',
		'templateId',
		'templateVersion',
		'answers'
	]
} as const satisfies { [T in LoggedTable]: readonly (keyof SyncRows[T])[] };

type LoggedTable = 'households' | 'residents' | 'incidents' | 'visits';

/** A row's logged insert fields; times travel as ISO strings. */
type Logged<T extends LoggedTable> = {
	[K in (typeof LOGGED)[T][number]]: K extends keyof SyncRows[T]
		? SyncRows[T][K] extends Date
			? string
			: SyncRows[T][K]
		: never;
};

/** The logged insert fields of a stored row, as devices receive it in full. */
function loggedOf<T extends LoggedTable>(table: T, row: SyncRows[T]): Logged<T> {
	const out: Record<string, unknown> = {};
	for (const key of LOGGED[table] as readonly (keyof SyncRows[T] & string)[]) {
		const value = row[key];
		out[key] = value instanceof Date ? value.toISOString() : value;
	}
	return out as Logged<T>;
}
