import fc from 'fast-check';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { GridcareDb, type StoredOutboxEntry } from '$lib/db/db';
import {
	addHousehold,
	recordCheckin,
	TooLateToUndoError,
	undoHeldInsert,
	updateHousehold,
	ValidationError
} from '$lib/db/repositories';
import type { Mutation } from '$lib/shared/schemas';
import {
	applyPushResults,
	foldEntries,
	foldOutbox,
	MAX_HOLD_MS,
	nextHoldEnd,
	outboxCounts,
	PushProtocolError,
	releaseHolds,
	takeBatch
} from './outbox';
import { openTestDb, TEST_EPOCH } from './test-support';
import { TEST_GRID as GRID, TestServer } from './test-server';

const ROW_A = '0196f1d2-0000-7000-8000-00000000000a';
const ROW_B = '0196f1d2-0000-7000-8000-00000000000b';
const mid = (n: number) => `0196f1d2-0000-7000-8000-${String(n).padStart(12, '0')}`;

function entry(
	seq: number,
	op: Mutation['op'],
	rowId: string,
	fields: Record<string, unknown>,
	extra: Partial<StoredOutboxEntry> & { baseVersion?: number; table?: Mutation['table'] } = {}
): StoredOutboxEntry {
	const { baseVersion, table = 'households', ...rest } = extra;
	return {
		seq,
		table,
		rowId,
		mutation: {
			id: mid(seq),
			table,
			op,
			rowId,
			fields,
			...(baseVersion === undefined ? {} : { baseVersion })
		},
		state: 'pending',
		createdAt: 0,
		attempts: 0,
		...rest
	};
}

describe('folding superseded updates', () => {
	it('folds an insert and the updates after it into one insert with the latest values', () => {
		const { entries, removed, changed } = foldEntries([
			entry(1, 'insert', ROW_A, { gridId: GRID, address: 'a1', tags: [] }),
			entry(2, 'update', ROW_A, { address: 'a2' }),
			entry(3, 'insert', ROW_B, { gridId: GRID, address: 'b1' }),
			entry(4, 'update', ROW_A, { address: 'a3', tags: ['x'] })
		]);
		expect(removed).toEqual([2, 4]);
		expect(entries.map((e) => e.seq)).toEqual([1, 3]);
		expect(entries[0].mutation).toEqual({
			id: mid(1),
			table: 'households',
			op: 'insert',
			rowId: ROW_A,
			fields: { gridId: GRID, address: 'a3', tags: ['x'] }
		});
		expect(changed.map((e) => e.seq)).toEqual([1]);
	});

	it('folds two unsent updates of one base into one, under the later id', () => {
		const { entries, removed } = foldEntries([
			entry(1, 'update', ROW_A, { address: 'x', tags: ['t'] }, { baseVersion: 5 }),
			entry(2, 'update', ROW_A, { address: 'y' }, { baseVersion: 5 })
		]);
		expect(removed).toEqual([2]);
		expect(entries).toHaveLength(1);
		expect(entries[0].mutation).toMatchObject({
			id: mid(2),
			baseVersion: 5,
			fields: { address: 'y', tags: ['t'] }
		});
	});

	it('never folds into or away an entry that has been sent', () => {
		const sentTarget = foldEntries([
			entry(1, 'update', ROW_A, { address: 'x' }, { baseVersion: 5, attempts: 1 }),
			entry(2, 'update', ROW_A, { address: 'y' }, { baseVersion: 5 }),
			entry(3, 'update', ROW_A, { address: 'z' }, { baseVersion: 5 })
		]);
		// 3 folds into 2 (both unsent), nothing folds into 1.
		expect(sentTarget.entries.map((e) => [e.seq, e.mutation.fields.address])).toEqual([
			[1, 'x'],
			[2, 'z']
		]);
		const sentInsert = foldEntries([
			entry(1, 'insert', ROW_A, { gridId: GRID, address: 'x' }, { attempts: 2 }),
			entry(2, 'update', ROW_A, { address: 'y' })
		]);
		expect(sentInsert.removed).toEqual([]);
		const sentLater = foldEntries([
			entry(1, 'update', ROW_A, { address: 'x' }, { baseVersion: 5 }),
			entry(2, 'update', ROW_A, { address: 'y' }, { baseVersion: 5, attempts: 1 })
		]);
		expect(sentLater.removed).toEqual([]);
	});

	it('does not fold across a sent entry or across updates of different bases', () => {
		const { removed } = foldEntries([
			entry(1, 'update', ROW_A, { address: 'x' }, { baseVersion: 5 }),
			entry(2, 'update', ROW_A, { address: 'y' }, { baseVersion: 5, attempts: 1 }),
			entry(3, 'update', ROW_A, { address: 'z' }, { baseVersion: 5 }),
			entry(4, 'update', ROW_A, { address: 'w' }, { baseVersion: 9 })
		]);
		expect(removed).toEqual([]);
	});

	it('keeps each incident status step on its own (the server checks every step)', () => {
		const incident = (seq: number, fields: Record<string, unknown>) =>
			entry(seq, 'update', ROW_A, fields, { baseVersion: 3, table: 'incidents' });
		const { removed } = foldEntries([
			incident(1, { status: 'accepted' }),
			incident(2, { status: 'dispatched' }),
			incident(3, { description: 'more detail' })
		]);
		expect(removed).toEqual([]);
	});

	it('leaves its input untouched', () => {
		const input = [
			entry(1, 'insert', ROW_A, { gridId: GRID, address: 'a' }),
			entry(2, 'update', ROW_A, { address: 'b' })
		];
		const copy = structuredClone(input);
		foldEntries(input);
		expect(input).toEqual(copy);
	});

	it('folding then pushing gives the server the same rows as pushing every edit in order', async () => {
		const edit = fc.record({
			row: fc.constantFrom(0, 1),
			field: fc.constantFrom('address', 'tags'),
			value: fc.nat(50),
			sent: fc.boolean(),
			bumpBase: fc.boolean()
		});
		const server = await TestServer.open();
		try {
			const link = await server.connect();
			// A base is a version the device has seen, never ahead of the row's (the server refuses
			// that): the log starts past every base the runs draw.
			await server.seedHouseholds(30);
			let run = 0;
			await fc.assert(
				fc.asyncProperty(fc.array(edit, { maxLength: 25 }), async (edits) => {
					run += 1;
					/** The same edits on rows and under mutation ids of their own, for each push. */
					const entriesOf = (push: number) => {
						const tag = `${String(run).padStart(4, '0')}-7${push}00`;
						const rows = [0, 1].map((i) => `0196f1d2-${tag}-9000-${String(i).padStart(12, '0')}`);
						const id = (seq: number) => `0196f1d2-${tag}-8000-${String(seq).padStart(12, '0')}`;
						const at = (e: StoredOutboxEntry) => ({
							...e,
							mutation: { ...e.mutation, id: id(e.seq!) }
						});
						const entries: StoredOutboxEntry[] = rows.map((rowId, i) =>
							at(entry(i + 1, 'insert', rowId, { gridId: GRID, address: `start${i}`, tags: [] }))
						);
						const base = [0, 0];
						edits.forEach((e, i) => {
							// Device-made bases only grow (a pull or a push result moved the row on).
							if (e.bumpBase) base[e.row] += 1;
							const value = e.field === 'address' ? `v${e.value}` : [`t${e.value}`];
							entries.push(
								at(
									entry(
										i + 3,
										'update',
										rows[e.row],
										{ [e.field]: value },
										{ baseVersion: base[e.row], attempts: e.sent ? 1 : 0 }
									)
								)
							);
						});
						return { rows, entries };
					};
					const unfolded = entriesOf(0);
					const folded = entriesOf(1);
					const result = foldEntries(folded.entries);
					const answers = [
						...(await link.push(unfolded.entries.map((e) => e.mutation))),
						...(await link.push(result.entries.map((e) => e.mutation)))
					];
					expect(answers.filter((a) => a.status !== 'applied')).toEqual([]);
					for (const i of [0, 1]) {
						const [a, b] = await Promise.all([
							server.household(unfolded.rows[i]),
							server.household(folded.rows[i])
						]);
						expect({ address: b?.address, tags: b?.tags }).toEqual({
							address: a?.address,
							tags: a?.tags
						});
					}
					expect(result.entries.length + result.removed.length).toBe(folded.entries.length);
				}),
				// Each run is two pushes to the real server.
				{ numRuns: 50 }
			);
		} finally {
			await server.close();
		}
	}, 30_000);
});

describe('the outbox in the database', () => {
	let db: GridcareDb;
	afterEach(() => db?.close());

	it('folds in place and sends in batches in order, marking entries as sent first', async () => {
		db = openTestDb();
		const h = await addHousehold(db, { gridId: GRID, address: 'A' });
		await updateHousehold(db, h.id, { address: 'B' });
		await addHousehold(db, { gridId: GRID, address: 'C' });
		expect(await foldOutbox(db)).toBe(1);
		const held = new Set<string>();
		const first = await takeBatch(db, 0, 1, held);
		expect(first.entries.map((e) => [e.seq, e.attempts, e.mutation.fields.address])).toEqual([
			[1, 1, 'B']
		]);
		const second = await takeBatch(db, first.lastSeq, 1, held);
		expect(second.entries.map((e) => e.seq)).toEqual([3]);
		expect((await takeBatch(db, second.lastSeq, 1, held)).entries).toEqual([]);
		expect((await db.outbox.get(1))?.attempts).toBe(1);
	});

	it('holds an update back until its row insert has a version, then bases it on that version', async () => {
		db = openTestDb();
		const h = await addHousehold(db, { gridId: GRID, address: 'A' });
		const held = new Set<string>();
		const insert = await takeBatch(db, 0, 10, held);
		await updateHousehold(db, h.id, { address: 'B' });
		const waiting = await takeBatch(db, insert.lastSeq, 10, held);
		expect(waiting.entries).toEqual([]);
		expect(held).toEqual(new Set([`households:${h.id}`]));
		await applyPushResults(db, insert.entries, [
			{ id: insert.entries[0].mutation.id, status: 'applied', version: 41 }
		]);
		expect((await db.households.get(h.id))?.version).toBe(41);
		const next = await takeBatch(db, 0, 10, new Set());
		expect(next.entries.map((e) => e.mutation.baseVersion)).toEqual([41]);
	});

	it('records results: applied and duplicate leave, rejected stays with its reason', async () => {
		db = openTestDb();
		for (const address of ['A', 'B', 'C']) await addHousehold(db, { gridId: GRID, address });
		const rows = await db.households.toArray();
		await db.households.update(rows[2].id, { version: 99 });
		const batch = await takeBatch(db, 0, 10, new Set());
		const [a, b, c] = batch.entries.map((e) => e.mutation.id);
		const outcome = await applyPushResults(db, batch.entries, [
			{ id: a, status: 'applied', version: 12 },
			{ id: b, status: 'rejected', reason: 'fields.gridId: no such grid' },
			{ id: c, status: 'applied', version: 13 }
		]);
		expect(outcome).toEqual({ delivered: 2, rejected: 1 });
		const left = await db.outbox.toArray();
		expect(left).toMatchObject([
			{ state: 'rejected', reason: 'fields.gridId: no such grid', mutation: { id: b } }
		]);
		expect((await db.households.get(rows[0].id))?.version).toBe(12);
		// A version is only ever raised.
		expect((await db.households.get(rows[2].id))?.version).toBe(99);
		expect(await outboxCounts(db)).toEqual({ pending: 0, rejected: 1 });
		// Rejected entries are not sent again on their own.
		expect((await takeBatch(db, 0, 10, new Set())).entries).toEqual([]);
	});

	it('treats a duplicate as delivered', async () => {
		db = openTestDb();
		await addHousehold(db, { gridId: GRID, address: 'A' });
		const batch = await takeBatch(db, 0, 10, new Set());
		await applyPushResults(db, batch.entries, [
			{ id: batch.entries[0].mutation.id, status: 'duplicate' }
		]);
		expect(await db.outbox.count()).toBe(0);
	});

	it('refuses results that do not match the batch, recording nothing', async () => {
		db = openTestDb();
		await addHousehold(db, { gridId: GRID, address: 'A' });
		await addHousehold(db, { gridId: GRID, address: 'B' });
		const batch = await takeBatch(db, 0, 10, new Set());
		const [a, b] = batch.entries.map((e) => e.mutation.id);
		await expect(
			applyPushResults(db, batch.entries, [{ id: a, status: 'applied' }])
		).rejects.toBeInstanceOf(PushProtocolError);
		await expect(
			applyPushResults(db, batch.entries, [
				{ id: b, status: 'applied' },
				{ id: a, status: 'applied' }
			])
		).rejects.toBeInstanceOf(PushProtocolError);
		expect(await db.outbox.count()).toBe(2);
	});
});

describe('holding a new record for an undo', () => {
	const RESIDENT = '0196f1d2-0000-7000-8000-0000000000c1';
	const HOLD_MS = 5_000;
	let db: GridcareDb;
	let now: number;
	afterEach(() => db?.close());

	const checkin = (status: 'fine' | 'unwell' = 'fine') => ({
		residentId: RESIDENT,
		at: new Date(now).toISOString(),
		status,
		channel: 'worker' as const
	});

	function open(name?: string, indexedDB = new IDBFactory()): GridcareDb {
		now = TEST_EPOCH;
		return new GridcareDb({
			...(name ? { name } : { name: `gridcare-hold-${Math.random()}` }),
			indexedDB,
			IDBKeyRange,
			now: () => now
		});
	}

	it('does not send a held entry (nor later changes of its row) until its hold ends', async () => {
		db = open();
		// A household the server already has (delivered, with its version).
		const house = await addHousehold(db, { gridId: GRID, address: 'A' });
		await db.outbox.clear();
		await db.households.update(house.id, { version: 7 });

		const row = await recordCheckin(db, checkin(), { holdMs: HOLD_MS });
		// An edit held the same way: the edit after it waits behind it.
		await updateHousehold(db, house.id, { address: 'B' });
		await db.outbox
			.where('[table+rowId]')
			.equals(['households', house.id])
			.modify({ holdUntil: now + HOLD_MS });
		await updateHousehold(db, house.id, { address: 'C' });
		expect(await db.outbox.toArray()).toMatchObject([
			{ rowId: row.id, holdUntil: now + HOLD_MS },
			{ rowId: house.id, holdUntil: now + HOLD_MS },
			{ rowId: house.id, mutation: { baseVersion: 7 } }
		]);
		expect(await nextHoldEnd(db)).toBe(now + HOLD_MS);

		const held = new Set<string>();
		expect((await takeBatch(db, 0, 10, held)).entries).toEqual([]);
		expect(held).toEqual(new Set([`checkins:${row.id}`, `households:${house.id}`]));
		expect((await db.outbox.toArray()).map((e) => e.attempts)).toEqual([0, 0, 0]);

		now += HOLD_MS - 1;
		expect((await takeBatch(db, 0, 10, new Set())).entries).toEqual([]);
		now += 1;
		expect(await nextHoldEnd(db)).toBeNull();
		const batch = await takeBatch(db, 0, 10, new Set());
		expect(batch.entries.map((e) => [e.rowId, e.mutation.op, e.mutation.fields.address])).toEqual([
			[row.id, 'insert', undefined],
			[house.id, 'update', 'B'],
			[house.id, 'update', 'C']
		]);
	});

	it('takes back a held record: its outbox entry and its local row go', async () => {
		db = open();
		const kept = await recordCheckin(db, checkin('unwell'));
		const row = await recordCheckin(db, checkin(), { holdMs: HOLD_MS });
		expect(await outboxCounts(db)).toEqual({ pending: 2, rejected: 0 });
		now += HOLD_MS - 1;
		await undoHeldInsert(db, 'checkins', row.id);
		expect(await db.checkins.get(row.id)).toBeUndefined();
		expect((await db.outbox.toArray()).map((e) => e.rowId)).toEqual([kept.id]);
		expect(await db.checkins.get(kept.id)).toMatchObject({ status: 'unwell' });
		// Nothing of it is ever sent.
		now += HOLD_MS;
		const batch = await takeBatch(db, 0, 10, new Set());
		expect(batch.entries.map((e) => e.rowId)).toEqual([kept.id]);
	});

	it('refuses to take back a record once its hold has ended or it has been sent', async () => {
		db = open();
		const late = await recordCheckin(db, checkin(), { holdMs: HOLD_MS });
		now += HOLD_MS;
		await expect(undoHeldInsert(db, 'checkins', late.id)).rejects.toBeInstanceOf(
			TooLateToUndoError
		);
		const batch = await takeBatch(db, 0, 10, new Set());
		expect(batch.entries.map((e) => e.rowId)).toEqual([late.id]);
		// Sent, then the clock went back into its window: still too late.
		now -= 1;
		await expect(undoHeldInsert(db, 'checkins', late.id)).rejects.toBeInstanceOf(
			TooLateToUndoError
		);
		// A record that was never held cannot be taken back either.
		const plain = await recordCheckin(db, checkin());
		await expect(undoHeldInsert(db, 'checkins', plain.id)).rejects.toThrow(
			`checkins ${plain.id}: no longer held`
		);
		expect(await db.checkins.count()).toBe(2);
		expect(await db.outbox.count()).toBe(2);
	});

	it('sends a held record normally when the app was closed during its hold', async () => {
		const indexedDB = new IDBFactory();
		const name = 'gridcare-hold-reopened';
		db = open(name, indexedDB);
		const row = await recordCheckin(db, checkin(), { holdMs: HOLD_MS });
		db.close();
		now += 60_000;
		db = new GridcareDb({ name, indexedDB, IDBKeyRange, now: () => now });
		expect(await db.checkins.get(row.id)).toMatchObject({ status: 'fine' });
		const batch = await takeBatch(db, 0, 10, new Set());
		expect(batch.entries.map((e) => e.rowId)).toEqual([row.id]);
	});

	it('ignores a hold set under a clock that has since gone back', async () => {
		db = open();
		const row = await recordCheckin(db, checkin(), { holdMs: HOLD_MS });
		now -= MAX_HOLD_MS;
		expect(await nextHoldEnd(db)).toBeNull();
		const batch = await takeBatch(db, 0, 10, new Set());
		expect(batch.entries.map((e) => e.rowId)).toEqual([row.id]);
	});

	it('releases every hold at once (a sign-out delivers everything)', async () => {
		db = open();
		await recordCheckin(db, checkin(), { holdMs: HOLD_MS });
		await recordCheckin(db, checkin('unwell'), { holdMs: HOLD_MS });
		await recordCheckin(db, checkin());
		expect(await releaseHolds(db)).toBe(2);
		expect(await nextHoldEnd(db)).toBeNull();
		expect((await takeBatch(db, 0, 10, new Set())).entries).toHaveLength(3);
	});

	it('names the field of a hold out of range and writes nothing', async () => {
		db = open();
		for (const holdMs of [0, -1, MAX_HOLD_MS + 1, Number.NaN]) {
			const error = await recordCheckin(db, checkin(), { holdMs }).catch((e: unknown) => e);
			expect(error).toBeInstanceOf(ValidationError);
			expect((error as ValidationError).field).toBe('holdMs');
		}
		expect(await db.outbox.count()).toBe(0);
		expect(await db.checkins.count()).toBe(0);
	});
});
