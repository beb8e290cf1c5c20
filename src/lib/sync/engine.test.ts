import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { GridcareDb } from '$lib/db/db';
import { addHousehold, recordVisit, updateHousehold } from '$lib/db/repositories';
import type { Mutation } from '$lib/shared/schemas';
import {
	backoffDelay,
	REVOKED,
	SyncEngine,
	type NetworkEvents,
	type SyncEngineOptions,
	type SyncStatus
} from './engine';
import { applyPulledPage, loadCursor } from './pull';
import { FakeSyncServer, ManualTimers, openTestDb } from './test-support';
import {
	OfflineError,
	RevokedError,
	ServerError,
	UnauthorizedError,
	type SyncTransport
} from './transport';

const GRID = '0196f1d2-0000-7000-8000-000000000001';
const USER = 'worker-a1';

/** A controllable `online` event source. */
class FakeNetwork implements NetworkEvents {
	readonly #listeners = new Set<() => void>();
	onOnline(listener: () => void) {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}
	comeOnline() {
		for (const listener of this.#listeners) listener();
	}
}

interface Rig {
	db: GridcareDb;
	server: FakeSyncServer;
	timers: ManualTimers;
	network: FakeNetwork;
	engine: SyncEngine;
	/** Replace what the transport does (defaults to the fake server). */
	transport: { current: SyncTransport };
	statuses: SyncStatus[];
}

const rigs: Rig[] = [];
afterEach(() => {
	for (const rig of rigs.splice(0)) {
		rig.engine.stop();
		rig.db.close();
	}
});

function rig(options: Partial<SyncEngineOptions> = {}): Rig {
	const timers = new ManualTimers();
	const db = openTestDb({ now: () => timers.now });
	const server = new FakeSyncServer();
	const network = new FakeNetwork();
	const transport = { current: server.transport };
	const engine = new SyncEngine({
		db,
		transport: {
			push: (deviceId, mutations) => transport.current.push(deviceId, mutations),
			pull: (cursor, limit) => transport.current.pull(cursor, limit)
		},
		deviceId: 'tablet-1',
		userId: USER,
		timers,
		now: () => timers.now,
		random: () => 0.5,
		network,
		...options
	});
	const statuses: SyncStatus[] = [];
	engine.subscribe((s) => statuses.push(s));
	const r = { db, server, timers, network, engine, transport, statuses };
	rigs.push(r);
	return r;
}

/** Let timers fire and the passes they started finish. */
async function advance(r: Rig, ms: number) {
	r.timers.advance(ms);
	await settle(r);
}

async function settle(r: Rig) {
	for (let i = 0; i < 5; i++) {
		await new Promise((resolve) => setTimeout(resolve, 0));
		await r.engine.whenIdle();
	}
}

const failing = (error: Error): SyncTransport => ({
	push: async () => {
		throw error;
	},
	pull: async () => {
		throw error;
	}
});

describe('a sync pass', () => {
	it('pushes the outbox, pulls, and reports idle with nothing pending', async () => {
		const r = rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: '幸福路 1 号' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({
			state: 'idle',
			pending: 0,
			rejected: 0,
			lastError: null,
			lastSyncAt: r.timers.now
		});
		expect(r.server.row('households', h.id)?.fields.address).toBe('幸福路 1 号');
		expect(await r.db.outbox.count()).toBe(0);
		// The applied version became the row's base, and the pull brought the same version back.
		expect((await r.db.households.get(h.id))?.version).toBe(1);
		expect(r.statuses.map((s) => s.state)).toContain('syncing');
	});

	it('only pushes on a device that receives no change log (a kiosk)', async () => {
		const r = rig({ pull: false });
		const h = await addHousehold(r.db, { gridId: GRID, address: '幸福路 2 号' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'idle', pending: 0, lastError: null });
		expect(r.server.row('households', h.id)?.fields.address).toBe('幸福路 2 号');
		expect(r.server.pulls).toEqual([]);
	});

	it('pushes 1,234 pending changes in batches of 500, 500 and 234, in order', async () => {
		const r = rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await r.engine.syncNow();
		r.server.pushes.length = 0;
		for (let i = 0; i < 1234; i++)
			await recordVisit(r.db, {
				householdId: h.id,
				visitedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
				outcome: 'visited',
				checks: []
			});
		const made = (await r.db.outbox.toArray()).map((e) => e.mutation.id);
		await r.engine.syncNow();
		expect(r.server.pushes.map((b) => b.length)).toEqual([500, 500, 234]);
		expect(r.server.pushes.flat().map((m) => m.id)).toEqual(made);
		expect(r.engine.status.pending).toBe(0);
	});

	it('sends the folded form of never-sent edits', async () => {
		const r = rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await updateHousehold(r.db, h.id, { address: 'B' });
		await updateHousehold(r.db, h.id, { tags: ['key_care'] });
		await r.engine.syncNow();
		expect(r.server.pushes).toHaveLength(1);
		expect(r.server.pushes[0]).toMatchObject([
			{ op: 'insert', fields: { address: 'B', tags: ['key_care'] } } satisfies Partial<Mutation>
		]);
	});

	it('pulls page after page until there is no more, saving the cursor', async () => {
		const r = rig({ pullLimit: 2, firstPullLimit: 2 });
		for (let i = 0; i < 5; i++)
			r.server.push([
				{
					id: `0196f1d2-0000-7000-8000-${String(i).padStart(12, '0')}`,
					table: 'households',
					op: 'insert',
					rowId: `0196f1d2-0000-7000-9000-${String(i).padStart(12, '0')}`,
					fields: { gridId: GRID, address: `addr ${i}`, tags: [] }
				}
			]);
		await r.engine.syncNow();
		expect(r.server.pulls).toEqual([null, '2', '4']);
		expect(await r.db.households.count()).toBe(5);
		expect(await loadCursor(r.db, USER)).toBe('5');
		await r.engine.syncNow();
		expect(r.server.pulls.at(-1)).toBe('5');
	});

	it('uses large pages for a first download and the usual size afterwards', async () => {
		const r = rig({ pullLimit: 2, firstPullLimit: 3 });
		for (let i = 0; i < 7; i++)
			r.server.push([
				{
					id: `0196f1d2-0000-7000-8000-${String(i).padStart(12, '0')}`,
					table: 'households',
					op: 'insert',
					rowId: `0196f1d2-0000-7000-9000-${String(i).padStart(12, '0')}`,
					fields: { gridId: GRID, address: `addr ${i}`, tags: [] }
				}
			]);
		const limits: number[] = [];
		r.transport.current = {
			push: (deviceId, mutations) => r.server.transport.push(deviceId, mutations),
			pull: (cursor, limit) => {
				limits.push(limit);
				return r.server.transport.pull(cursor, limit);
			}
		};
		await r.engine.syncNow();
		expect(r.server.pulls).toEqual([null, '3', '6']);
		expect(limits).toEqual([3, 3, 3]);
		expect(await r.db.households.count()).toBe(7);
		expect(await loadCursor(r.db, USER)).toBe('7');
		// Later pulls use the usual page size.
		await r.engine.syncNow();
		expect(limits.at(-1)).toBe(2);
	});

	it('hands the pulls to the runner it is given, and reacts to its failures', async () => {
		const requests: unknown[] = [];
		const r = rig({
			pullLimit: 2,
			firstPullLimit: 3,
			pullChunk: 10,
			pullRunner: async (request) => {
				requests.push(request);
			}
		});
		const status = await r.engine.syncNow();
		expect(status.state).toBe('idle');
		expect(requests).toEqual([{ userId: USER, limit: 2, firstLimit: 3, chunkSize: 10 }]);
		// The runner pulled nothing, and the engine did not pull around it.
		expect(r.server.pulls).toEqual([]);

		const offline = rig({
			pullRunner: async () => {
				throw new OfflineError('tunnel');
			}
		});
		expect((await offline.engine.syncNow()).state).toBe('offline');
		const revoked = rig({
			pullRunner: async () => {
				throw new RevokedError();
			}
		});
		expect(await revoked.engine.syncNow()).toMatchObject({
			state: 'signed_out',
			lastError: REVOKED
		});
	});

	it('a failure in the middle of pulling keeps the rows and cursor of the pages before it', async () => {
		const r = rig({ pullLimit: 2, firstPullLimit: 2 });
		for (let i = 0; i < 5; i++)
			r.server.push([
				{
					id: `0196f1d2-0000-7000-8000-${String(i).padStart(12, '0')}`,
					table: 'households',
					op: 'insert',
					rowId: `0196f1d2-0000-7000-9000-${String(i).padStart(12, '0')}`,
					fields: { gridId: GRID, address: `addr ${i}`, tags: [] }
				}
			]);
		r.server.beforePull = (cursor) => {
			if (cursor === '2') throw new OfflineError('tunnel');
		};
		const status = await r.engine.syncNow();
		expect(status.state).toBe('offline');
		expect(await loadCursor(r.db, USER)).toBe('2');
		expect(await r.db.households.count()).toBe(2);
		r.server.beforePull = null;
		await r.engine.syncNow();
		expect(await r.db.households.count()).toBe(5);
		// The failed request never reached the server; the next pass started from the saved cursor.
		expect(r.server.pulls).toEqual([null, '2', '4']);
	});

	it('keeps a rejected change with its reason and does not send it again by itself', async () => {
		const r = rig();
		r.server.reject = (m) =>
			m.fields.address === 'bad' ? 'fields.address: not in this grid' : undefined;
		await addHousehold(r.db, { gridId: GRID, address: 'bad' });
		await addHousehold(r.db, { gridId: GRID, address: 'good' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'idle', pending: 0, rejected: 1 });
		const [kept] = await r.db.outbox.toArray();
		expect(kept).toMatchObject({ state: 'rejected', reason: 'fields.address: not in this grid' });
		await r.engine.syncNow();
		expect(r.server.pushes.flat().filter((m) => m.id === kept.mutation.id)).toHaveLength(1);
		// A person fixes it; it goes out under a new id.
		await r.engine.retryRejected(kept.seq!, { address: 'fixed' });
		expect(r.engine.status).toMatchObject({ pending: 1, rejected: 0 });
		await r.engine.syncNow();
		expect(r.server.pushes.at(-1)).toMatchObject([{ fields: { address: 'fixed' } }]);
		expect(r.engine.status).toMatchObject({ pending: 0, rejected: 0 });
	});

	it('a person can discard a rejected change', async () => {
		const r = rig();
		r.server.reject = () => 'fields.gridId: no such grid';
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await r.engine.syncNow();
		const [kept] = await r.db.outbox.toArray();
		await r.engine.discardRejected(kept.seq!);
		expect(r.engine.status).toMatchObject({ pending: 0, rejected: 0 });
		expect(await r.db.households.get(h.id)).toBeUndefined();
	});

	it('treats a duplicate as delivered after a lost answer: applied once, outbox emptied', async () => {
		const r = rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		r.server.afterPush = () => {
			r.server.afterPush = null;
			throw new OfflineError('connection reset');
		};
		expect((await r.engine.syncNow()).state).toBe('offline');
		expect(await r.db.outbox.count()).toBe(1);
		// Sent once already: a later edit must not fold into it.
		await updateHousehold(r.db, h.id, { address: 'B' });
		await r.engine.syncNow();
		expect(r.server.pushes.map((b) => b.map((m) => m.op))).toEqual([
			['insert'],
			['insert'],
			['update']
		]);
		expect(await r.db.outbox.count()).toBe(0);
		expect(r.server.row('households', h.id)?.fields.address).toBe('B');
		expect(r.server.log.filter((c) => c.op === 'insert')).toHaveLength(1);
		// The update waited for the insert's version and was based on it.
		expect(r.server.pushes[2][0].baseVersion).toBe(1);
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'B', version: 2 });
	});

	it('a pulled change does not clobber a pending local edit; after the push the merge winner shows', async () => {
		const r = rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'start' });
		await r.engine.syncNow();
		// Our edit is made first but the push is lost before it reaches the server.
		await updateHousehold(r.db, h.id, { address: 'mine' });
		const other = (id: string, fields: Record<string, unknown>, baseVersion: number): Mutation => ({
			id,
			table: 'households',
			op: 'update',
			rowId: h.id,
			baseVersion,
			fields
		});
		// Another device edits the same field from the same base with a larger id (it wins), and tags.
		r.server.applyFromOtherDevice(
			other('ffffffff-0000-7000-8000-000000000000', { address: 'theirs', tags: ['x'] }, 1)
		);
		r.server.beforePush = () => {
			r.server.beforePush = null;
			throw new OfflineError('lost');
		};
		await r.engine.syncNow();
		// Pull the other device's change directly (as a pass whose push is held back would).
		await applyPulledPage(r.db, r.server.pull('1', 100), USER);
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'mine', tags: ['x'] });
		await r.engine.syncNow();
		expect(r.server.row('households', h.id)?.fields.address).toBe('theirs');
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'theirs', tags: ['x'] });
	});

	it('a winning local edit stays on screen after the pass', async () => {
		const r = rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'start' });
		await r.engine.syncNow();
		r.server.applyFromOtherDevice({
			id: '00000000-0000-7000-8000-000000000000',
			table: 'households',
			op: 'update',
			rowId: h.id,
			baseVersion: 1,
			fields: { address: 'theirs' }
		});
		await updateHousehold(r.db, h.id, { address: 'mine' });
		await r.engine.syncNow();
		expect(r.server.row('households', h.id)?.fields.address).toBe('mine');
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'mine', version: 3 });
		expect((await r.db.households.get(h.id))?.hasLocalEdits).toBeUndefined();
	});
});

describe('when to sync', () => {
	it('syncs on start, after local writes (debounced), periodically, and when back online', async () => {
		const r = rig({ debounceMs: 1_000, periodMs: 60_000 });
		r.engine.start();
		await settle(r);
		expect(r.server.pulls).toHaveLength(1);
		for (let i = 0; i < 3; i++) {
			await addHousehold(r.db, { gridId: GRID, address: `A${i}` });
			await advance(r, 300);
		}
		expect(r.server.pushes).toHaveLength(0);
		expect(r.engine.status.pending).toBe(3);
		await advance(r, 1_000);
		expect(r.server.pushes.map((b) => b.length)).toEqual([3]);
		const pulls = r.server.pulls.length;
		await advance(r, 60_000);
		expect(r.server.pulls.length).toBe(pulls + 1);
		r.network.comeOnline();
		await settle(r);
		expect(r.server.pulls.length).toBe(pulls + 2);
	});

	it('backs off with full jitter, growing up to the cap, and resets after a success', async () => {
		const r = rig({ random: () => 0.999 });
		r.transport.current = failing(new OfflineError('no network'));
		r.engine.start();
		await settle(r);
		const delays: number[] = [];
		for (let i = 0; i < 10; i++) {
			const [delay] = r.timers.pendingTimeouts();
			delays.push(delay);
			expect(r.engine.status).toMatchObject({
				state: 'offline',
				nextRetryAt: r.timers.now + delay
			});
			await advance(r, delay);
		}
		expect(delays).toEqual([1998, 3996, 7992, 15984, 31968, 63936, 127872, 255744, 299700, 299700]);
		r.transport.current = r.server.transport;
		await advance(r, r.timers.pendingTimeouts()[0]);
		expect(r.engine.status).toMatchObject({ state: 'idle', nextRetryAt: null });
		r.transport.current = failing(new ServerError(503, 'maintenance'));
		await r.engine.syncNow();
		expect(r.engine.status).toMatchObject({ state: 'error', lastError: 'maintenance' });
		expect(r.timers.pendingTimeouts()).toEqual([1998]);
	});

	it('delays stay within [0, min(cap, base·2^n)] for any random draw', () => {
		fc.assert(
			fc.property(
				fc.nat(40),
				fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
				(n, draw) => {
					const delay = backoffDelay(n, () => draw);
					expect(delay).toBeGreaterThanOrEqual(0);
					expect(delay).toBeLessThanOrEqual(Math.min(300_000, 2_000 * 2 ** n));
					expect(Number.isInteger(delay)).toBe(true);
				}
			)
		);
	});

	it('local writes and the timer wait for the back-off; coming online does not', async () => {
		const r = rig({ random: () => 0.999 });
		r.transport.current = failing(new OfflineError('no network'));
		r.engine.start();
		await settle(r);
		let calls = 0;
		r.transport.current = {
			push: async () => {
				calls += 1;
				throw new OfflineError('no network');
			},
			pull: async () => {
				calls += 1;
				throw new OfflineError('no network');
			}
		};
		await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await advance(r, 1_500);
		expect(calls).toBe(0);
		r.transport.current = r.server.transport;
		r.network.comeOnline();
		await settle(r);
		expect(r.engine.status).toMatchObject({ state: 'idle', pending: 0 });
	});

	it('a 401 stops automatic syncing and asks to sign in again; the outbox is kept', async () => {
		const r = rig();
		r.transport.current = failing(new UnauthorizedError());
		await addHousehold(r.db, { gridId: GRID, address: 'A' });
		r.engine.start();
		await settle(r);
		expect(r.engine.status).toMatchObject({
			state: 'signed_out',
			lastError: 'sign in again',
			pending: 1
		});
		expect(r.timers.pendingTimeouts()).toEqual([]);
		r.transport.current = r.server.transport;
		await addHousehold(r.db, { gridId: GRID, address: 'B' });
		await advance(r, 120_000);
		expect(r.server.pushes).toHaveLength(0);
		expect(await r.db.outbox.count()).toBe(2);
		// Signed in again: start() resumes.
		r.engine.stop();
		r.engine.start();
		await settle(r);
		expect(r.engine.status).toMatchObject({ state: 'idle', pending: 0 });
	});

	it('says when the server revoked this device, so that the app wipes it', async () => {
		const r = rig();
		r.transport.current = failing(new RevokedError());
		await addHousehold(r.db, { gridId: GRID, address: 'A' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'signed_out', lastError: REVOKED, pending: 1 });
		expect(r.timers.pendingTimeouts()).toEqual([]);
	});

	it('never runs two passes at once; a request during a pass runs one more after it', async () => {
		const r = rig();
		let inFlight = 0;
		let most = 0;
		let reached!: () => void;
		const pushReached = new Promise<void>((resolve) => (reached = resolve));
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const real = r.server.transport;
		r.transport.current = {
			push: async (deviceId, mutations) => {
				inFlight += 1;
				most = Math.max(most, inFlight);
				reached();
				await gate;
				inFlight -= 1;
				return real.push(deviceId, mutations);
			},
			pull: (cursor, limit) => real.pull(cursor, limit)
		};
		await addHousehold(r.db, { gridId: GRID, address: 'A' });
		const first = r.engine.syncNow();
		await pushReached;
		await addHousehold(r.db, { gridId: GRID, address: 'B' });
		const second = r.engine.syncNow();
		expect(second).toBe(first);
		release();
		await first;
		expect(most).toBe(1);
		expect(r.server.pushes.map((b) => b.length)).toEqual([1, 1]);
		expect(r.engine.status.pending).toBe(0);
	});
});
