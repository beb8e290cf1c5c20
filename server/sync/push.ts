// Applying a pushed batch (docs/architecture.md, "How a change travels"): parse each mutation's
// fields with the shared schemas into an operation of the write path, which checks it against the
// rules, merges it and logs it, all in one transaction; mutation ids are recorded so that a replay
// is answered `duplicate`, and the answer is one result per mutation, in order. A rejected
// mutation leaves no trace: every check runs before its first write. Should the database refuse
// a value the checks let through, the batch is applied again mutation by mutation, each in its
// own savepoint, and only the mutations it refuses are rejected.
import type { z } from 'zod';
import {
	describeIssue,
	INSERT_FIELDS,
	INSTANT_FIELDS,
	instantSchema,
	UPDATE_FIELDS,
	type UpdatableTable,
	type PushMutation as Mutation,
	type PushResult
} from '../../src/lib/shared/schemas';
import type { SyncTable } from '../../src/lib/shared/enums';
import type { Store, UserRow } from '../store/types';
import { offlineAuditEntry } from '../privacy/offline-audit';
import type { NewAuditEntry } from '../store/types';
import { valueRefusal } from '../store/refusals';
import { refuse, write, WriteRefusal, type WriteBatch } from '../write';

/** One result per mutation, as the app reads it (the shared `pushResultSchema`). */
export type { PushResult };

export interface PushContext {
	user: UserRow;
	deviceId: string;
	timeZone: string;
	now: Date;
	/** The signed-in session's device: its last sync time is written with the batch. */
	syncedDevice?: string;
	/** Incremental roll-up maintenance (GRIDCARE_ROLLUP); on unless false. */
	rollup?: boolean;
	/** Households' due days kept up to date (docs/care-tiers.md); on unless false (benchmarks). */
	care?: boolean;
	/**
	 * Called once the batch has committed with the communities whose figures it changed (not
	 * called when none did): where prompt alert evaluation is asked for. Must not throw or wait.
	 */
	figuresChanged?: (communityCodes: string[]) => void;
	/** Told how long the batch's roll-up maintenance took, in seconds (metrics). */
	observeRollup?: (seconds: number) => void;
}

function parse<S extends z.ZodType>(schema: S, fields: unknown): z.infer<S> {
	const result = schema.safeParse(fields);
	if (!result.success) {
		const { message } = describeIssue(result.error);
		refuse(`fields.${message}`);
	}
	return result.data as z.infer<S>;
}

export async function applyPushBatch(
	store: Store,
	ctx: PushContext,
	mutations: Mutation[]
): Promise<PushResult[]> {
	let outcome: { results: PushResult[]; audits: NewAuditEntry[] };
	let communities: string[];
	try {
		({ result: outcome, communities } = await applyInTransaction(store, ctx, mutations, 'batch'));
	} catch (error) {
		// A value the database refused: nothing was written; find which mutations it was.
		if (!valueRefusal(error)) throw error;
		({ result: outcome, communities } = await applyInTransaction(
			store,
			ctx,
			mutations,
			'one by one'
		));
	}
	if (communities.length) ctx.figuresChanged?.(communities);
	for (const entry of outcome.audits) await store.appendAudit(entry);
	return outcome.results;
}

/**
 * Apply a batch through the write path, in one transaction. `batch`: every mutation's writes are
 * settled together at the end, the fast way. `one by one`: each mutation is applied and settled
 * in its own savepoint, and one whose writes the database refuses is rejected (used after a
 * `batch` attempt failed so).
 */
function applyInTransaction(
	store: Store,
	ctx: PushContext,
	mutations: Mutation[],
	mode: 'batch' | 'one by one'
) {
	const instant = instantSchema(() => ctx.now);
	// Entries of `audit` mutations, appended once the batch has committed.
	const audits: NewAuditEntry[] = [];
	const apply = async (batch: WriteBatch, m: Mutation): Promise<PushResult> => {
		try {
			const tooFar = instantProblem(instant, m);
			if (tooFar) refuse(tooFar);
			const version = await applyMutation(batch, ctx, m, audits);
			await batch.recordMutation(m.id, ctx.deviceId);
			return { id: m.id, status: 'applied', ...(version ? { version } : {}) };
		} catch (error) {
			if (!(error instanceof WriteRefusal)) throw error;
			return { id: m.id, status: 'rejected', reason: error.message };
		}
	};
	const options = {
		now: ctx.now,
		timeZone: ctx.timeZone,
		rollup: ctx.rollup,
		care: ctx.care,
		observeRollup: ctx.observeRollup
	};
	return write(store, ctx.user, options, async (batch) => {
		await batch.prefetch(referencedIds(mutations));
		const seen = await batch.appliedMutationIds(mutations.map((m) => m.id));
		const results: PushResult[] = [];
		for (const m of mutations) {
			if (seen.has(m.id)) {
				results.push({ id: m.id, status: 'duplicate' });
				continue;
			}
			let result: PushResult;
			if (mode === 'batch') result = await apply(batch, m);
			else {
				const held = audits.length;
				try {
					result = await batch.savepoint(() => apply(batch, m));
				} catch (error) {
					const refusal = valueRefusal(error);
					if (!refusal) throw error;
					audits.length = held;
					result = { id: m.id, status: 'rejected', reason: refusalReason(m, refusal) };
				}
			}
			if (result.status === 'applied') seen.add(m.id);
			results.push(result);
		}
		if (ctx.syncedDevice) batch.recordDeviceSync(ctx.user.id, ctx.syncedDevice, ctx.now);
		return { results, audits };
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
	visits: ['note', 'needs', 'checks', 'answers'],
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

/** Every row, grid and user a batch may read, so they are fetched in a few queries, not one each. */
function referencedIds(mutations: Mutation[]) {
	const refs = {
		households: new Set<string>(),
		residents: new Set<string>(),
		visits: new Set<string>(),
		checkins: new Set<string>(),
		incidents: new Set<string>(),
		grids: new Set<string>(),
		// Check-ins' `assistedBy`, incident dispatches' `assigneeId`.
		users: new Set<string>()
	};
	const text = (v: unknown) => (typeof v === 'string' ? [v] : []);
	for (const m of mutations) {
		if (m.table !== 'audit') refs[m.table].add(m.rowId);
		const f = m.fields;
		for (const id of text(f.householdId)) refs.households.add(id);
		for (const id of text(f.residentId)) refs.residents.add(id);
		for (const id of text(f.gridId)) refs.grids.add(id);
		if (m.table === 'checkins') for (const id of text(f.assistedBy)) refs.users.add(id);
		if (m.table === 'incidents') for (const id of text(f.assigneeId)) refs.users.add(id);
		// Members named by a visit's checks and answers.
		for (const list of [f.checks, f.answers])
			if (Array.isArray(list))
				for (const entry of list as { residentId?: unknown }[])
					for (const id of text(entry?.residentId)) refs.residents.add(id);
	}
	return refs;
}

/** Apply one mutation; returns the row's new version, if it changed. Refused before any write. */
async function applyMutation(
	batch: WriteBatch,
	ctx: PushContext,
	m: Mutation,
	audits: NewAuditEntry[]
): Promise<number | undefined> {
	if (m.table === 'audit') {
		const entry = await offlineAuditEntry(batch, ctx.user, ctx.deviceId, m);
		if (typeof entry === 'string') return refuse(entry);
		audits.push(entry);
		return undefined;
	}
	const table: SyncTable = m.table;
	if (m.op === 'insert') return batch.insert(table, m.rowId, parse(INSERT_FIELDS[table], m.fields));
	if (table === 'visits' || table === 'checkins')
		refuse(`op: ${table} are immutable; record a new one that corrects it`);
	const updatable = table as UpdatableTable;
	if (m.op === 'delete') return batch.delete(updatable, m.rowId);
	const fields = parse(UPDATE_FIELDS[updatable], m.fields) as Record<string, unknown>;
	if (m.baseVersion === undefined) return refuse('baseVersion: required for an update');
	return batch.patch(updatable, m.rowId, fields, { baseVersion: m.baseVersion, mutationId: m.id });
}
