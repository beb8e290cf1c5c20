import { afterEach, describe, expect, it } from 'vitest';
import type { GridcareDb } from '$lib/db/db';
import { updateHousehold } from '$lib/db/repositories';
import { newDataKey } from '$lib/privacy/crypto';
import { shippedTemplate } from '$lib/shared/templates';
import { FieldCipher, isSealed, LockedError } from '$lib/db/sealed';
import {
	applyPulledPage,
	DEFAULT_PULL_CHUNK,
	foldChange,
	knownRows,
	loadCursor,
	pullAll,
	settleLocalEdits
} from './pull';
import { openTestDb } from './test-support';
import { TestServer, type Connection } from './test-server';
import { OfflineError, type PulledChange, type SyncTransport } from './transport';

const GRID = '0196f1d2-0000-7000-8000-000000000001';
const H1 = '0196f1d2-0000-7000-8000-0000000000a1';
const H2 = '0196f1d2-0000-7000-8000-0000000000a2';
const USER = 'user-1';

const insert = (rowId: string, version: number, address: string): PulledChange => ({
	table: 'households',
	op: 'insert',
	rowId,
	fields: { id: rowId, gridId: GRID, address, tags: [], lat: null, lng: null, memberCount: 0 },
	version
});
const update = (rowId: string, version: number, fields: Record<string, unknown>): PulledChange => ({
	table: 'households',
	op: 'update',
	rowId,
	fields,
	version
});

let db: GridcareDb;
let server: TestServer | null = null;
afterEach(async () => {
	db?.close();
	await server?.close();
	server = null;
});

describe('applying pulled changes', () => {
	it('folds fields in server order, removes deleted rows, and saves the cursor', async () => {
		db = openTestDb();
		await applyPulledPage(
			db,
			{
				changes: [
					insert(H1, 1, 'one'),
					insert(H2, 2, 'two'),
					update(H1, 3, { address: 'one b', memberCount: 2 }),
					update(H1, 4, { tags: ['key_care'] }),
					{ table: 'households', op: 'delete', rowId: H2, fields: {}, version: 5 }
				],
				cursor: 'c5',
				hasMore: false
			},
			USER
		);
		expect(await db.households.toArray()).toEqual([
			{
				id: H1,
				gridId: GRID,
				address: 'one b',
				tags: ['key_care'],
				lat: null,
				lng: null,
				memberCount: 2,
				version: 4
			}
		]);
		expect(await loadCursor(db, USER)).toBe('c5');
		expect(await loadCursor(db, 'someone-else')).toBeNull();
	});

	it('applies a page in transactions of at most the chunk size, the cursor with the last one', async () => {
		db = openTestDb();
		const changes = Array.from({ length: 25 }, (_, i) =>
			insert(`0196f1d2-0000-7000-8000-${String(i).padStart(12, '0')}`, i + 1, `addr ${i}`)
		);
		let transactions = 0;
		const original = db.transaction.bind(db);
		db.transaction = ((...args: Parameters<typeof original>) => {
			transactions += 1;
			return original(...args);
		}) as typeof db.transaction;
		await applyPulledPage(db, { changes, cursor: 'c25', hasMore: false }, USER, 10);
		expect(transactions).toBe(3);
		expect(await db.households.count()).toBe(25);
		expect(await loadCursor(db, USER)).toBe('c25');
	});

	it('a failure part-way through a page leaves the previous cursor', async () => {
		db = openTestDb();
		await applyPulledPage(
			db,
			{ changes: [insert(H1, 1, 'one')], cursor: 'c1', hasMore: true },
			USER
		);
		let created = 0;
		db.households.hook('creating', () => {
			created += 1;
			if (created === 12) throw new Error('crash');
		});
		const changes = Array.from({ length: 15 }, (_, i) =>
			insert(`0196f1d2-0000-7000-8000-${String(i + 100).padStart(12, '0')}`, i + 2, `addr ${i}`)
		);
		await expect(
			applyPulledPage(db, { changes, cursor: 'c16', hasMore: false }, USER, 10)
		).rejects.toThrow('crash');
		expect(await loadCursor(db, USER)).toBe('c1');
		// The first chunk committed; pulling the page again from c1 re-folds it harmlessly.
		expect(await db.households.count()).toBe(11);
	});

	it('keeps changes of tables this app version does not know, instead of dropping them', async () => {
		db = openTestDb();
		const future = { table: 'pets', op: 'insert', rowId: H1, fields: { name: '旺财' }, version: 1 };
		await applyPulledPage(
			db,
			{ changes: [future, insert(H2, 2, 'two')], cursor: 'c2', hasMore: false },
			USER
		);
		expect((await db.parked.toArray()).map((p) => p.change)).toEqual([future]);
		expect(await db.households.count()).toBe(1);
	});

	it('stores pulled check rounds in their table instead of parking them', async () => {
		db = openTestDb();
		const R = '0196f1d2-0000-7000-8000-0000000000r1';
		const fields = {
			id: R,
			divisionCode: '450103001001',
			name: '六月排查',
			startDate: '2025-06-01',
			dueDate: '2025-06-20'
		};
		await applyPulledPage(
			db,
			{
				changes: [{ table: 'rounds', op: 'insert', rowId: R, fields, version: 3 }],
				cursor: 'c3',
				hasMore: false
			},
			USER
		);
		expect(await db.rounds.toArray()).toEqual([fields]);
		expect(await db.parked.count()).toBe(0);
		expect(await loadCursor(db, USER)).toBe('c3');
	});

	it('keeps the template version a pulled round pins, and drops one it cannot read', async () => {
		db = openTestDb();
		const flood = shippedTemplate('00000000-0000-4000-8000-000000000003')!;
		const round = (n: number, template: unknown) => ({
			id: `0196f1d2-0000-7000-8000-0000000000${n}1`,
			divisionCode: '450103001',
			name: `第 ${n} 轮`,
			startDate: '2025-06-01',
			dueDate: '2025-06-20',
			template
		});
		const changes = [round(1, flood), round(2, { id: 'x', questions: 'none' })].map(
			(fields, i) => ({
				table: 'rounds',
				op: 'insert',
				rowId: fields.id,
				fields,
				version: 10 + i
			})
		);
		await applyPulledPage(db, { changes, cursor: 'c4', hasMore: false }, USER);
		const [first, second] = await db.rounds.orderBy('id').toArray();
		expect(first.template).toEqual(flood);
		expect(second).not.toHaveProperty('template');
		expect(second.name).toBe('第 2 轮');
	});

	it('ignores pulled fields that would overwrite local bookkeeping', () => {
		const row = foldChange(
			undefined,
			update(H1, 9, { address: 'x', version: 1000, hasLocalEdits: 1 })
		);
		expect(row).toEqual({ id: H1, address: 'x', version: 9 });
	});
});

describe('a pulled change and a pending local edit', () => {
	async function seed() {
		db = openTestDb();
		await applyPulledPage(
			db,
			{ changes: [insert(H1, 1, 'server 1')], cursor: 'c1', hasMore: false },
			USER
		);
	}

	it('does not overwrite the field the local edit changed, but takes the others', async () => {
		await seed();
		await updateHousehold(db, H1, { address: 'mine' });
		await applyPulledPage(
			db,
			{
				changes: [update(H1, 2, { address: 'theirs', tags: ['disabled'] })],
				cursor: 'c2',
				hasMore: false
			},
			USER
		);
		const row = await db.households.get(H1);
		expect(row).toMatchObject({
			address: 'mine',
			tags: ['disabled'],
			version: 2,
			serverValues: { address: 'theirs' }
		});
		// Still queued: settling keeps the local value on screen.
		expect(await settleLocalEdits(db)).toBe(0);
		expect((await db.households.get(H1))?.address).toBe('mine');
	});

	it('shows the server value again once the edit has been delivered and a pull caught up', async () => {
		await seed();
		await updateHousehold(db, H1, { address: 'mine' });
		await applyPulledPage(
			db,
			{ changes: [update(H1, 2, { address: 'theirs' })], cursor: 'c2', hasMore: false },
			USER
		);
		// Delivered, and the server's merge kept the other device's value (nothing new to pull).
		await db.outbox.clear();
		expect(await settleLocalEdits(db)).toBe(1);
		const row = await db.households.get(H1);
		expect(row?.address).toBe('theirs');
		expect(row?.serverValues).toBeUndefined();
		expect(row?.hasLocalEdits).toBeUndefined();
		expect(await db.households.where('hasLocalEdits').equals(1).count()).toBe(0);
	});

	it('a delivered edit that won comes back through the pull and stays', async () => {
		await seed();
		await updateHousehold(db, H1, { address: 'mine' });
		await db.outbox.clear();
		await applyPulledPage(
			db,
			{ changes: [update(H1, 3, { address: 'mine' })], cursor: 'c3', hasMore: false },
			USER
		);
		await settleLocalEdits(db);
		expect(await db.households.get(H1)).toMatchObject({ address: 'mine', version: 3 });
	});
});

describe('a first download with the rows the device holds known up front', () => {
	it('writes new rows without reading them, and folds later changes into rows it holds', async () => {
		const db = openTestDb();
		const local = '0196f1d2-0000-7000-9000-00000000aaaa';
		await db.households.put({
			id: local,
			gridId: 'g1',
			address: 'local',
			tags: [],
			lat: null,
			lng: null,
			serverValues: { address: 'old' },
			hasLocalEdits: 1
		});
		const known = await knownRows(db);
		expect([...known.get('households')!]).toEqual([local]);
		const fresh = '0196f1d2-0000-7000-9000-00000000bbbb';
		const change = (
			rowId: string,
			op: string,
			fields: Record<string, unknown>,
			version: number
		) => ({
			table: 'households',
			op,
			rowId,
			fields,
			version
		});
		await applyPulledPage(
			db,
			{
				changes: [
					change(fresh, 'insert', { gridId: 'g1', address: 'a', tags: [] }, 1),
					change(local, 'insert', { gridId: 'g1', address: 'server', tags: [] }, 2)
				],
				cursor: '2',
				hasMore: true
			},
			'u1',
			DEFAULT_PULL_CHUNK,
			known
		);
		// The next page updates the row the previous page created: it is read and folded.
		await applyPulledPage(
			db,
			{ changes: [change(fresh, 'update', { address: 'b' }, 3)], cursor: '3', hasMore: false },
			'u1',
			DEFAULT_PULL_CHUNK,
			known
		);
		expect(await db.households.get(fresh)).toMatchObject({ address: 'b', tags: [], version: 3 });
		// The locally edited row kept its local value; the server's went aside.
		expect(await db.households.get(local)).toMatchObject({
			address: 'local',
			serverValues: { address: 'server' },
			version: 2
		});
		expect(known.get('households')!.has(fresh)).toBe(true);
		db.close();
	});
});

/** A server holding `count` new households, one change each; the link of a worker's device. */
async function serverWith(count: number): Promise<Connection> {
	server = await TestServer.open();
	await server.seedHouseholds(count);
	return server.connect();
}

describe('pulling every page', () => {
	it('asks for a small first page, then large ones, and stores each page with its cursor', async () => {
		db = openTestDb();
		const link = await serverWith(11);
		const asked: [string | null, number][] = [];
		const answered: string[] = [];
		const transport: SyncTransport = {
			...link.transport,
			pull: async (cursor, limit) => {
				asked.push([cursor, limit]);
				const page = await link.transport.pull(cursor, limit);
				answered.push(page.cursor);
				return page;
			}
		};
		const options = { db, transport, userId: USER, limit: 2, firstLimit: 4, firstPageLimit: 3 };
		await pullAll(options);
		// 3 + 4 + 4 changes, each page from where the one before ended.
		expect(asked).toEqual([
			[null, 3],
			[answered[0], 4],
			[answered[1], 4]
		]);
		expect(await db.households.count()).toBe(11);
		expect(await loadCursor(db, USER)).toBe(answered[2]);
		// Once there is a cursor, pages are of the usual size, from that cursor on.
		await pullAll(options);
		expect(asked.at(-1)).toEqual([answered[2], 2]);
	});

	it('asks for the next page before the current one is stored, but never runs far ahead', async () => {
		db = openTestDb();
		const link = await serverWith(12);
		const storedWhenAsked: Promise<number>[] = [];
		const transport: SyncTransport = {
			...link.transport,
			pull: (cursor, limit) => {
				storedWhenAsked.push(db.households.count());
				return link.transport.pull(cursor, limit);
			}
		};
		await pullAll({ db, transport, userId: USER, limit: 2, firstLimit: 2 });
		const stored = await Promise.all(storedWhenAsked);
		expect(stored).toHaveLength(6);
		// Page 2 is asked for as soon as page 1 arrives, before it is stored…
		expect(stored[1]).toBe(0);
		// …and page k + 1 only once page k - 2 is stored: one page written, one sealed, one asked.
		for (let k = 1; k < stored.length; k++) {
			expect(stored[k]).toBeLessThanOrEqual((k - 1) * 2);
			expect(stored[k]).toBeGreaterThanOrEqual((k - 2) * 2);
		}
		expect(await db.households.count()).toBe(12);
	});

	it('a failed request keeps the pages stored before it, and the next pull goes on from there', async () => {
		db = openTestDb();
		const link = await serverWith(10);
		// The fourth page's request fails.
		link.beforePull = () => {
			if (link.pulls.length === 3) throw new OfflineError('tunnel');
		};
		const options = { db, transport: link.transport, userId: USER, limit: 2, firstLimit: 2 };
		await expect(pullAll(options)).rejects.toBeInstanceOf(OfflineError);
		// The pages that arrived before the failure were all written before pullAll gave up.
		expect(await db.households.count()).toBe(6);
		const saved = await loadCursor(db, USER);
		expect(saved).not.toBeNull();
		link.beforePull = null;
		await pullAll(options);
		// The failed request never reached the server; the second pull began at the saved cursor.
		expect(link.pulls).toHaveLength(5);
		expect(link.pulls[3]).toBe(saved);
		expect(await db.households.count()).toBe(10);
	});

	it('seals the health checks and notes of pulled visits, and stores nothing while locked', async () => {
		db = openTestDb({ encrypted: true });
		const visit = (i: number): PulledChange => ({
			table: 'visits',
			op: 'insert',
			rowId: `0196f1d2-0000-7000-a000-${String(i).padStart(12, '0')}`,
			fields: {
				householdId: H1,
				gridId: GRID,
				visitedAt: `2026-11-2${i}T02:00:00.000Z`,
				outcome: 'visited',
				checks: [{ residentId: 'r1', temperature: 38.6, symptoms: ['咳嗽'] }],
				needs: [],
				note: i === 1 ? null : '老人独居',
				abnormal: true
			},
			version: i
		});
		const transport: SyncTransport = {
			push: async () => [],
			pull: async () => ({ changes: [visit(1), visit(2)], cursor: '2', hasMore: false })
		};
		const options = { db, transport, userId: USER, limit: 10, firstLimit: 10 };
		await expect(pullAll(options)).rejects.toBeInstanceOf(LockedError);
		expect(await db.visits.count()).toBe(0);
		expect(await loadCursor(db, USER)).toBeNull();

		db.cipher = new FieldCipher(await newDataKey());
		await pullAll(options);
		const stored = await db.visits.orderBy('id').toArray();
		expect(stored.map((row) => [isSealed(row.checks), isSealed(row.note)])).toEqual([
			[true, false],
			[true, true]
		]);
		expect(stored[0].note).toBeNull();
		const opened = await db.openRows(stored);
		expect(opened[1]).toMatchObject({
			note: '老人独居',
			checks: [{ residentId: 'r1', temperature: 38.6, symptoms: ['咳嗽'] }]
		});
	});
});
