// The outbox on the way out: shrink it, cut it into batches, and record what the server said.
//
// Folding (as Dexie Cloud's listClientChanges does): consecutive pending changes of one row that
// were never sent merge into one mutation, keeping the latest value of each field. An insert
// absorbs the updates that follow it; an update absorbs later updates made from the same base
// version and takes the later mutation id, so the merged edit sorts where the last edit would.
// An entry that has been sent at least once is never folded into or away: the server may already
// have applied it, and its id is what makes a resend harmless. Incident status changes are never
// folded, since the server checks each step of the closed loop on its own.
//
// Holding: an entry may carry `holdUntil`, a short window after it was made in which a person can
// still undo it (a one-tap check-in). Until then it is not sent, nor anything after it of the same
// row; once the window has passed it goes out like any other entry. The hold lives in the entry,
// so closing the app during the window loses nothing: the next sync sends it.
import { Dexie } from 'dexie';
import type { GridcareDb, OutboxEntry, StoredOutboxEntry } from '$lib/db/db';
import { rowFieldNames } from '$lib/db/local-rows';
import type { PushResult } from './transport';

export const DEFAULT_BATCH_SIZE = 500;

/**
 * The longest an entry may be held. A hold that ends further ahead than this was set under a
 * clock that has since gone back: it is ignored rather than keeping the entry from the server.
 */
export const MAX_HOLD_MS = 60_000;

/** Whether an entry is still held back from sending at `now` (epoch milliseconds). */
export function isHeld(entry: OutboxEntry, now: number): boolean {
	const until = entry.holdUntil;
	return until !== undefined && until > now && until - now <= MAX_HOLD_MS;
}

/** When the earliest hold still running ends (epoch milliseconds), or null if none runs. */
export async function nextHoldEnd(db: GridcareDb): Promise<number | null> {
	const now = db.now();
	const running = await db.outbox
		.where('holdUntil')
		.between(now, now + MAX_HOLD_MS, false, true)
		.first();
	return running?.holdUntil ?? null;
}

/** End every hold now (a sign-out delivers everything): returns how many entries were held. */
export async function releaseHolds(db: GridcareDb): Promise<number> {
	const now = db.now();
	return db.outbox
		.where('holdUntil')
		.above(now)
		.modify((entry: OutboxEntry) => {
			delete entry.holdUntil;
		});
}

const rowKey = (entry: OutboxEntry) => `${entry.table}:${entry.rowId}`;

const changesIncidentStatus = (entry: OutboxEntry) =>
	entry.table === 'incidents' &&
	entry.mutation.op === 'update' &&
	'status' in entry.mutation.fields;

const neverSent = (entry: OutboxEntry) => entry.state === 'pending' && entry.attempts === 0;

function canAbsorbLater(entry: OutboxEntry): boolean {
	return (
		neverSent(entry) &&
		(entry.mutation.op === 'insert' || entry.mutation.op === 'update') &&
		!changesIncidentStatus(entry)
	);
}

function canFoldInto(target: OutboxEntry, later: OutboxEntry): boolean {
	if (!neverSent(later) || later.mutation.op !== 'update' || changesIncidentStatus(later))
		return false;
	return (
		target.mutation.op === 'insert' || target.mutation.baseVersion === later.mutation.baseVersion
	);
}

export interface FoldResult {
	/** The entries left, in their original order, with folded fields merged in. */
	entries: StoredOutboxEntry[];
	/** Entries whose mutation changed (to be written back). */
	changed: StoredOutboxEntry[];
	/** Seqs of entries merged into an earlier one (to be deleted). */
	removed: number[];
}

/** Fold superseded updates of pending entries (given in seq order). Pure; inputs are not mutated. */
export function foldEntries(entries: readonly StoredOutboxEntry[]): FoldResult {
	const targets = new Map<string, StoredOutboxEntry>();
	const kept: StoredOutboxEntry[] = [];
	const changed = new Set<StoredOutboxEntry>();
	const removed: number[] = [];
	for (const entry of entries) {
		const key = rowKey(entry);
		const target = targets.get(key);
		if (target && canFoldInto(target, entry)) {
			target.mutation = {
				...target.mutation,
				// An insert keeps its id (its key plays no part in merging); an update takes the later one.
				id: target.mutation.op === 'update' ? entry.mutation.id : target.mutation.id,
				fields: { ...target.mutation.fields, ...entry.mutation.fields }
			};
			changed.add(target);
			removed.push(entry.seq);
			continue;
		}
		const copy: StoredOutboxEntry = {
			...entry,
			mutation: { ...entry.mutation, fields: { ...entry.mutation.fields } }
		};
		kept.push(copy);
		// Whatever this entry is, nothing after it may fold across it into an earlier entry.
		if (canAbsorbLater(copy)) targets.set(key, copy);
		else targets.delete(key);
	}
	return { entries: kept, changed: [...changed], removed };
}

/** Pending entries in the order they were made. */
export async function pendingEntries(db: GridcareDb): Promise<StoredOutboxEntry[]> {
	return (await db.outbox.where('state').equals('pending').toArray()) as StoredOutboxEntry[];
}

/** Fold the pending outbox in place; returns how many entries were merged away. */
export async function foldOutbox(db: GridcareDb): Promise<number> {
	return db.transaction('rw', db.outbox, async () => {
		const { changed, removed } = foldEntries(await pendingEntries(db));
		if (changed.length) await db.outbox.bulkPut(changed);
		if (removed.length) await db.outbox.bulkDelete(removed);
		return removed.length;
	});
}

export interface Batch {
	/** Entries to send, in order, already counted as sent once. */
	entries: StoredOutboxEntry[];
	/** The last seq looked at; the next batch starts after it. */
	lastSeq: number;
}

/**
 * The next pending entries after `afterSeq`, at most `max`, marked as sent before they leave.
 * An update made before this device knew its row's version (the row's insert was in flight) gets
 * the version the insert's result brought; until then it and later changes of its row wait, and
 * their row key is added to `held`. So does an entry still held for an undo (`isHeld`).
 */
export async function takeBatch(
	db: GridcareDb,
	afterSeq: number,
	max: number,
	held: Set<string>
): Promise<Batch> {
	return db.transaction('rw', [db.outbox, ...db.syncedTables], async () => {
		const now = db.now();
		const entries: StoredOutboxEntry[] = [];
		let lastSeq = afterSeq;
		while (entries.length < max) {
			const page = (await db.outbox
				.where('[state+seq]')
				.between(['pending', lastSeq], ['pending', Dexie.maxKey], false, true)
				.limit(max)
				.toArray()) as StoredOutboxEntry[];
			for (const entry of page) {
				if (entries.length >= max) break;
				lastSeq = entry.seq;
				const key = rowKey(entry);
				if (held.has(key)) continue;
				if (isHeld(entry, now)) {
					held.add(key);
					continue;
				}
				if (entry.mutation.op === 'update' && entry.mutation.baseVersion === undefined) {
					const row = await db.rows(entry.table).get(entry.rowId);
					if (row?.version === undefined) {
						held.add(key);
						continue;
					}
					entry.mutation = { ...entry.mutation, baseVersion: row.version };
				}
				entries.push(entry);
			}
			if (page.length < max) break;
		}
		for (const entry of entries) entry.attempts += 1;
		if (entries.length) await db.outbox.bulkPut(entries);
		return { entries, lastSeq };
	});
}

/** The server answered with results that do not match the batch. */
export class PushProtocolError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PushProtocolError';
	}
}

export interface PushOutcome {
	delivered: number;
	rejected: number;
}

/**
 * Record the server's answer to a batch, all in one transaction. Applied and duplicate entries are
 * done and leave the outbox; an applied result's version becomes the row's base for later edits.
 * A rejected entry stays, marked with the reason, until a person discards or fixes it.
 */
export async function applyPushResults(
	db: GridcareDb,
	batch: readonly StoredOutboxEntry[],
	results: readonly PushResult[]
): Promise<PushOutcome> {
	if (results.length !== batch.length)
		throw new PushProtocolError(`push: ${results.length} results for ${batch.length} mutations`);
	results.forEach((result, i) => {
		if (result.id !== batch[i].mutation.id)
			throw new PushProtocolError(
				`push: result ${i} is for ${result.id}, not ${batch[i].mutation.id}`
			);
	});
	return db.transaction('rw', [db.outbox, ...db.syncedTables], async () => {
		const outcome: PushOutcome = { delivered: 0, rejected: 0 };
		for (const [i, result] of results.entries()) {
			const sent = batch[i];
			const current = await db.outbox.get(sent.seq);
			// Gone or replaced meanwhile (a person discarded or retried it): nothing to record.
			if (!current || current.mutation.id !== result.id) continue;
			if (result.status === 'rejected') {
				await db.outbox.update(sent.seq, { state: 'rejected', reason: result.reason });
				outcome.rejected += 1;
				continue;
			}
			await db.outbox.delete(sent.seq);
			outcome.delivered += 1;
			if (result.status === 'applied' && result.version !== undefined)
				await recordVersion(db, sent, result.version);
		}
		return outcome;
	});
}

async function recordVersion(
	db: GridcareDb,
	entry: StoredOutboxEntry,
	version: number
): Promise<void> {
	const rows = db.rows(entry.table);
	const row = await rows.get(entry.rowId);
	if (row && (row.version === undefined || row.version < version))
		await rows.update(entry.rowId, { version });
	if (entry.mutation.op !== 'insert') return;
	// Edits made while the insert was in flight saw exactly the inserted values: this version.
	await db.outbox
		.where('[table+rowId]')
		.equals([entry.table, entry.rowId])
		.modify((later: OutboxEntry) => {
			if (later.mutation.op === 'update' && later.mutation.baseVersion === undefined)
				later.mutation = { ...later.mutation, baseVersion: version };
		});
}

export interface OutboxCounts {
	pending: number;
	rejected: number;
}

/** How many local changes are waiting to reach the server, and how many it refused. */
export async function outboxCounts(db: GridcareDb): Promise<OutboxCounts> {
	const [pending, rejected] = await Promise.all([
		db.outbox.where('state').equals('pending').count(),
		db.outbox.where('state').equals('rejected').count()
	]);
	return { pending, rejected };
}

/** Refused changes, oldest first, for a person to discard or fix. */
export async function rejectedEntries(db: GridcareDb): Promise<StoredOutboxEntry[]> {
	return (await db.outbox.where('state').equals('rejected').toArray()) as StoredOutboxEntry[];
}

/** Row fields still changed by some outbox entry (pending or rejected) of the row. */
export async function touchedFields(
	db: GridcareDb,
	table: OutboxEntry['table'],
	rowId: string
): Promise<Set<string>> {
	const entries = await db.outbox.where('[table+rowId]').equals([table, rowId]).toArray();
	return new Set(entries.flatMap((entry) => rowFieldNames(table, entry.mutation.fields)));
}
