// A device whose user's scope changed (docs/architecture.md, "When a user's scope changes"): the
// server answers its cursor 409 scope_changed, and the device downloads its scope again, dropping
// rows of grids it no longer keeps and keeping its outbox and unsynced changes.
import { afterEach, describe, expect, it } from 'vitest';
import type { GridcareDb } from '$lib/db/db';
import { addHousehold, updateHousehold } from '$lib/db/repositories';
import { loadCursor, pullAll } from './pull';
import { openTestDb } from './test-support';
import { TestServer } from './test-server';
import { ScopeChangedError } from './transport';

let db: GridcareDb;
let server: TestServer | null = null;
afterEach(async () => {
	db?.close();
	await server?.close();
	server = null;
});

const USER = 'scope-user';
const pullOf = (transport: Parameters<typeof pullAll>[0]['transport']) =>
	pullAll({ db, transport, userId: USER, limit: 100, firstLimit: 100 });

/** One household pushed into `grid` by a device of `worker`; returns its id. */
async function householdIn(
	s: TestServer,
	worker: Parameters<TestServer['connect']>[0],
	grid: string
) {
	const rowId = crypto.randomUUID();
	const device = await s.connect(worker);
	const [result] = await device.push([
		{
			id: crypto.randomUUID(),
			table: 'households',
			op: 'insert',
			rowId,
			fields: { gridId: grid, address: `地址 ${rowId.slice(0, 4)}`, tags: [] }
		}
	]);
	expect(result.status).toBe('applied');
	return rowId;
}

describe('a change of scope', () => {
	it('downloads the new scope again, drops the old grid, keeps the outbox and local edits', async () => {
		server = await TestServer.open();
		const first = await server.newGrid();
		const second = await server.newGrid();
		const third = await server.newGrid();
		const kept = await householdIn(server, first.worker, first.grid);
		const edited = await householdIn(server, first.worker, first.grid);
		const dropped = await householdIn(server, first.worker, first.grid);
		const gained = await householdIn(server, second.worker, second.grid);
		// The user keeps the first grid and the third.
		const user = await server.store.createUser({
			username: 'mover',
			role: 'grid_worker',
			scope: [first.grid, third.grid],
			passwordHash: 'x',
			displayName: null
		});
		const device = await server.connect(user);
		db = openTestDb();
		await pullOf(device.transport);
		const ids = async () => (await db.households.toCollection().primaryKeys()).sort();
		expect(await ids()).toEqual([kept, edited, dropped].sort());

		// Unsynced work on the device: a new household and an edit of a pulled one.
		const added = await addHousehold(db, { gridId: third.grid, address: '新登记', tags: [] });
		await updateHousehold(db, edited, { address: '本机改过的地址' });
		const outboxBefore = await db.outbox.toArray();

		// The first grid's household `dropped` moves out of reach: the user now keeps the second
		// grid and the third.
		server.setScope(user, [second.grid, third.grid]);
		const cursor = await loadCursor(db, USER);
		await expect(device.transport.pull(cursor, 100)).rejects.toBeInstanceOf(ScopeChangedError);

		await pullOf(device.transport);
		// The new grid's household arrived; the old grid's went, except the one with a local edit.
		expect(await ids()).toEqual([added.id, edited, gained].sort());
		expect((await db.households.get(edited))?.address).toBe('本机改过的地址');
		expect(await db.outbox.toArray()).toEqual(outboxBefore);
		// The first download of the new scope started from no cursor, and left one that pulls on.
		expect(device.pulls.filter((c) => c === null)).toHaveLength(2);
		const after = await loadCursor(db, USER);
		expect(after).not.toBe(cursor);
		await pullOf(device.transport);
		expect(await ids()).toEqual([added.id, edited, gained].sort());
	});

	it('leaves a device whose scope did not change pulling on from its cursor', async () => {
		server = await TestServer.open();
		const { grid, worker } = await server.newGrid();
		const device = await server.connect(worker);
		db = openTestDb();
		await householdIn(server, worker, grid);
		await pullOf(device.transport);
		const later = await householdIn(server, worker, grid);
		await pullOf(device.transport);
		expect(device.pulls.filter((c) => c === null)).toHaveLength(1);
		expect(await db.households.get(later)).toBeDefined();
	});
});
