import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { GridcareDb } from '$lib/db/db';
import {
	addHousehold,
	addResident,
	recordCheckin,
	recordVisit,
	undoHeldInsert,
	updateHousehold
} from '$lib/db/repositories';
import type { Mutation } from '$lib/shared/schemas';
import { isQuotaError } from '$lib/db/quota';
import {
	backoffDelay,
	RESUME_ROOM_BYTES,
	REVOKED,
	SyncEngine,
	type NetworkEvents,
	type SyncEngineOptions,
	type SyncStatus
} from './engine';
import { applyPulledPage, loadCursor } from './pull';
import { FakeDisk, ManualTimers, openTestDb } from './test-support';
import { OTHER_GRID, TEST_GRID as GRID, TestServer, type Connection } from './test-server';
import { OfflineError, RevokedError, ServerError, type SyncTransport } from './transport';

const USER = 'worker-a1';
const DEVICE = 'tablet-1';

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
	/** The real server, on the rig's clock. */
	server: TestServer;
	/** The device's link to it (a worker of GRID signed in on DEVICE). */
	link: Connection;
	timers: ManualTimers;
	network: FakeNetwork;
	engine: SyncEngine;
	/** Replace what the transport does (defaults to the link). */
	transport: { current: SyncTransport };
	statuses: SyncStatus[];
}

const rigs: Rig[] = [];
afterEach(async () => {
	for (const rig of rigs.splice(0)) {
		rig.engine.stop();
		rig.db.close();
		await rig.server.close();
	}
});

async function rig(options: Partial<SyncEngineOptions> = {}, disk?: FakeDisk): Promise<Rig> {
	const timers = new ManualTimers();
	const db = openTestDb({ now: () => timers.now, disk });
	const server = await TestServer.open({ now: () => timers.now });
	const link = await server.connect('worker', DEVICE);
	const network = new FakeNetwork();
	const transport = { current: link.transport };
	const engine = new SyncEngine({
		db,
		transport: {
			push: (deviceId, mutations) => transport.current.push(deviceId, mutations),
			pull: (cursor, limit) => transport.current.pull(cursor, limit)
		},
		deviceId: DEVICE,
		userId: USER,
		timers,
		now: () => timers.now,
		random: () => 0.5,
		network,
		// Node has no StorageManager: the free space is unknown unless a test says it.
		freeSpace: async () => null,
		...options
	});
	const statuses: SyncStatus[] = [];
	engine.subscribe((s) => statuses.push(s));
	const r = { db, server, link, timers, network, engine, transport, statuses };
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

/** Another device's edit of a household. */
const other = (
	rowId: string,
	id: string,
	baseVersion: number,
	fields: Record<string, unknown>
): Mutation => ({ id, table: 'households', op: 'update', rowId, baseVersion, fields });

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
		const r = await rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: '幸福路 1 号' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({
			state: 'idle',
			pending: 0,
			rejected: 0,
			lastError: null,
			lastSyncAt: r.timers.now
		});
		const held = await r.server.household(h.id);
		expect(held?.address).toBe('幸福路 1 号');
		expect(await r.db.outbox.count()).toBe(0);
		// The applied version became the row's base, and the pull brought the same version back.
		expect((await r.db.households.get(h.id))?.version).toBe(held?.version);
		expect(r.statuses.map((s) => s.state)).toContain('syncing');
	});

	it('only pushes on a device that receives no change log (a kiosk)', async () => {
		const r = await rig({ pull: false });
		const h = await addHousehold(r.db, { gridId: GRID, address: '幸福路 2 号' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'idle', pending: 0, lastError: null });
		expect((await r.server.household(h.id))?.address).toBe('幸福路 2 号');
		expect(r.link.pulls).toEqual([]);
	});

	it('pushes 1,234 pending changes in batches of 500, 500 and 234, in order', async () => {
		const r = await rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await r.engine.syncNow();
		r.link.pushes.length = 0;
		for (let i = 0; i < 1234; i++)
			await recordVisit(r.db, {
				householdId: h.id,
				visitedAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
				outcome: 'visited',
				checks: []
			});
		const made = (await r.db.outbox.toArray()).map((e) => e.mutation.id);
		await r.engine.syncNow();
		expect(r.link.pushes.map((b) => b.length)).toEqual([500, 500, 234]);
		expect(r.link.pushes.flat().map((m) => m.id)).toEqual(made);
		expect(r.engine.status.pending).toBe(0);
	}, 20_000);

	it('sends the folded form of never-sent edits', async () => {
		const r = await rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await updateHousehold(r.db, h.id, { address: 'B' });
		await updateHousehold(r.db, h.id, { tags: ['key_care'] });
		await r.engine.syncNow();
		expect(r.link.pushes).toHaveLength(1);
		expect(r.link.pushes[0]).toMatchObject([
			{ op: 'insert', fields: { address: 'B', tags: ['key_care'] } } satisfies Partial<Mutation>
		]);
	});

	it('pulls page after page until there is no more, saving the cursor', async () => {
		const r = await rig({ pullLimit: 2, firstPullLimit: 2 });
		await r.server.seedHouseholds(5);
		await r.engine.syncNow();
		// Five changes in pages of two, from the beginning.
		expect(r.link.pulls).toHaveLength(3);
		expect(r.link.pulls[0]).toBeNull();
		expect(await r.db.households.count()).toBe(5);
		const saved = await loadCursor(r.db, USER);
		expect(saved).not.toBeNull();
		await r.engine.syncNow();
		expect(r.link.pulls.at(-1)).toBe(saved);
	});

	it('uses large pages for a first download and the usual size afterwards', async () => {
		const r = await rig({ pullLimit: 2, firstPullLimit: 3 });
		await r.server.seedHouseholds(7);
		const limits: number[] = [];
		r.transport.current = {
			push: (deviceId, mutations) => r.link.transport.push(deviceId, mutations),
			pull: (cursor, limit) => {
				limits.push(limit);
				return r.link.transport.pull(cursor, limit);
			}
		};
		await r.engine.syncNow();
		expect(limits).toEqual([3, 3, 3]);
		expect(await r.db.households.count()).toBe(7);
		// Later pulls use the usual page size.
		await r.engine.syncNow();
		expect(limits.at(-1)).toBe(2);
	});

	it('hands the pulls to the runner it is given, and reacts to its failures', async () => {
		const requests: unknown[] = [];
		const r = await rig({
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
		expect(r.link.pulls).toEqual([]);

		const offline = await rig({
			pullRunner: async () => {
				throw new OfflineError('tunnel');
			}
		});
		expect((await offline.engine.syncNow()).state).toBe('offline');
		const revoked = await rig({
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
		const r = await rig({ pullLimit: 2, firstPullLimit: 2 });
		await r.server.seedHouseholds(5);
		// The second page's request fails.
		r.link.beforePull = (cursor) => {
			if (cursor !== null) throw new OfflineError('tunnel');
		};
		const status = await r.engine.syncNow();
		expect(status.state).toBe('offline');
		const saved = await loadCursor(r.db, USER);
		expect(saved).not.toBeNull();
		expect(await r.db.households.count()).toBe(2);
		r.link.beforePull = null;
		await r.engine.syncNow();
		expect(await r.db.households.count()).toBe(5);
		// The failed request never reached the server; the next pass started from the saved cursor.
		expect(r.link.pulls).toHaveLength(3);
		expect(r.link.pulls[1]).toBe(saved);
	});

	it('keeps a rejected change with its reason and does not send it again by itself', async () => {
		const r = await rig();
		// A grid of the community that this worker does not keep.
		const h = await addHousehold(r.db, { gridId: OTHER_GRID, address: '幸福路 9 号' });
		await addHousehold(r.db, { gridId: GRID, address: 'good' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'idle', pending: 0, rejected: 1 });
		const [kept] = await r.db.outbox.toArray();
		expect(kept).toMatchObject({ state: 'rejected', reason: 'gridId: grid is outside your scope' });
		expect(await r.server.household(h.id)).toBeUndefined();
		await r.engine.syncNow();
		expect(r.link.pushes.flat().filter((m) => m.id === kept.mutation.id)).toHaveLength(1);
		// A person fixes it; it goes out under a new id.
		await r.engine.retryRejected(kept.seq!, { gridId: GRID });
		expect(r.engine.status).toMatchObject({ pending: 1, rejected: 0 });
		await r.engine.syncNow();
		expect(r.link.pushes.at(-1)).toMatchObject([{ fields: { gridId: GRID } }]);
		expect(r.engine.status).toMatchObject({ pending: 0, rejected: 0 });
		expect(await r.server.household(h.id)).toMatchObject({ gridId: GRID, address: '幸福路 9 号' });
	});

	it('a person can discard a rejected change', async () => {
		const r = await rig();
		// A grid the server does not know.
		const h = await addHousehold(r.db, { gridId: crypto.randomUUID(), address: 'A' });
		await r.engine.syncNow();
		const [kept] = await r.db.outbox.toArray();
		expect(kept).toMatchObject({ state: 'rejected', reason: 'fields.gridId: no such grid' });
		await r.engine.discardRejected(kept.seq!);
		expect(r.engine.status).toMatchObject({ pending: 0, rejected: 0 });
		expect(await r.db.households.get(h.id)).toBeUndefined();
	});

	it('treats a duplicate as delivered after a lost answer: applied once, outbox emptied', async () => {
		const r = await rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		r.link.afterPush = () => {
			r.link.afterPush = null;
			throw new OfflineError('connection reset');
		};
		expect((await r.engine.syncNow()).state).toBe('offline');
		expect(await r.db.outbox.count()).toBe(1);
		// Sent once already: a later edit must not fold into it.
		await updateHousehold(r.db, h.id, { address: 'B' });
		await r.engine.syncNow();
		expect(r.link.pushes.map((b) => b.map((m) => m.op))).toEqual([
			['insert'],
			['insert'],
			['update']
		]);
		expect(await r.db.outbox.count()).toBe(0);
		const held = await r.server.household(h.id);
		expect(held?.address).toBe('B');
		const inserts = (await r.server.changeLog()).filter((c) => c.op === 'insert');
		expect(inserts).toHaveLength(1);
		// The update waited for the insert's version and was based on it.
		expect(r.link.pushes[2][0].baseVersion).toBe(inserts[0].seq);
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'B', version: held?.version });
	});

	it('a pulled change does not clobber a pending local edit; after the push the merge winner shows', async () => {
		const r = await rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'start' });
		await r.engine.syncNow();
		const base = (await r.db.households.get(h.id))!.version!;
		// Our edit is made first but the push is lost before it reaches the server.
		await updateHousehold(r.db, h.id, { address: 'mine' });
		// A colleague's device edits the same field from the same base with a larger id (it wins),
		// and tags.
		const colleague = await r.server.connect('colleague');
		await colleague.push([
			other(h.id, 'ffffffff-0000-7000-8000-000000000000', base, { address: 'theirs', tags: ['x'] })
		]);
		r.link.beforePush = () => {
			r.link.beforePush = null;
			throw new OfflineError('lost');
		};
		await r.engine.syncNow();
		// Pull the other device's change directly (as a pass whose push is held back would).
		await applyPulledPage(r.db, await r.link.pull(await loadCursor(r.db, USER), 100), USER);
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'mine', tags: ['x'] });
		await r.engine.syncNow();
		expect((await r.server.household(h.id))?.address).toBe('theirs');
		expect(await r.db.households.get(h.id)).toMatchObject({ address: 'theirs', tags: ['x'] });
	});

	it('a winning local edit stays on screen after the pass', async () => {
		const r = await rig();
		const h = await addHousehold(r.db, { gridId: GRID, address: 'start' });
		await r.engine.syncNow();
		const base = (await r.db.households.get(h.id))!.version!;
		// A colleague's device edits the field from the same base with a smaller id (it loses).
		const colleague = await r.server.connect('colleague');
		await colleague.push([
			other(h.id, '00000000-0000-7000-8000-000000000000', base, { address: 'theirs' })
		]);
		await updateHousehold(r.db, h.id, { address: 'mine' });
		await r.engine.syncNow();
		const held = await r.server.household(h.id);
		expect(held?.address).toBe('mine');
		expect(await r.db.households.get(h.id)).toMatchObject({
			address: 'mine',
			version: held?.version
		});
		expect((await r.db.households.get(h.id))?.hasLocalEdits).toBeUndefined();
	});
});

describe('when to sync', () => {
	it('syncs on start, after local writes (debounced), periodically, and when back online', async () => {
		const r = await rig({ debounceMs: 1_000, periodMs: 60_000 });
		r.engine.start();
		await settle(r);
		expect(r.link.pulls).toHaveLength(1);
		for (let i = 0; i < 3; i++) {
			await addHousehold(r.db, { gridId: GRID, address: `A${i}` });
			await advance(r, 300);
		}
		expect(r.link.pushes).toHaveLength(0);
		expect(r.engine.status.pending).toBe(3);
		await advance(r, 1_000);
		expect(r.link.pushes.map((b) => b.length)).toEqual([3]);
		const pulls = r.link.pulls.length;
		await advance(r, 60_000);
		expect(r.link.pulls.length).toBe(pulls + 1);
		r.network.comeOnline();
		await settle(r);
		expect(r.link.pulls.length).toBe(pulls + 2);
	});

	it('sends a held check-in once its hold ends, never one taken back in time, and all on flush', async () => {
		const r = await rig({ debounceMs: 1_000 });
		r.engine.start();
		await settle(r);
		const house = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		const resident = await addResident(r.db, { householdId: house.id, name: '王芳' });
		await advance(r, 1_000);
		expect(r.engine.status.pending).toBe(0);
		const sent = () => r.link.pushes.flat().map((m) => m.rowId);
		const checkin = () =>
			recordCheckin(
				r.db,
				{
					residentId: resident.id,
					at: new Date(r.timers.now).toISOString(),
					status: 'fine',
					channel: 'worker'
				},
				{ holdMs: 5_000 }
			);

		// The debounced pass after the write leaves it; the pass at the hold's end sends it.
		const kept = await checkin();
		await advance(r, 1_000);
		expect(sent()).not.toContain(kept.id);
		expect(r.engine.status.pending).toBe(1);
		await advance(r, 3_999);
		expect(sent()).not.toContain(kept.id);
		await advance(r, 100);
		expect(sent()).toContain(kept.id);
		expect(r.engine.status.pending).toBe(0);
		expect(await r.db.checkins.get(kept.id)).toMatchObject({ version: expect.any(Number) });

		// Taken back during its hold: it never leaves.
		const undone = await checkin();
		await advance(r, 2_000);
		await undoHeldInsert(r.db, 'checkins', undone.id);
		await advance(r, 60_000);
		expect(sent()).not.toContain(undone.id);
		expect(r.engine.status.pending).toBe(0);

		// Leaving (a sign-out) ends the hold.
		const leaving = await checkin();
		await r.engine.flush();
		expect(sent()).toContain(leaving.id);
		expect(r.engine.status.pending).toBe(0);
	});

	it('backs off with full jitter, growing up to the cap, and resets after a success', async () => {
		const r = await rig({ random: () => 0.999 });
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
		r.transport.current = r.link.transport;
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
		const r = await rig({ random: () => 0.999 });
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
		r.transport.current = r.link.transport;
		r.network.comeOnline();
		await settle(r);
		expect(r.engine.status).toMatchObject({ state: 'idle', pending: 0 });
	});

	it('a 401 stops automatic syncing and asks to sign in again; the outbox is kept', async () => {
		const r = await rig();
		// The session ended (expired, or signed out elsewhere).
		await r.server.store.endSession(r.link.sessionId, new Date(r.timers.now));
		const a = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		r.engine.start();
		await settle(r);
		expect(r.engine.status).toMatchObject({
			state: 'signed_out',
			lastError: 'sign in again',
			pending: 1
		});
		expect(r.timers.pendingTimeouts()).toEqual([]);
		const b = await addHousehold(r.db, { gridId: GRID, address: 'B' });
		await advance(r, 120_000);
		// The one refused attempt, nothing after it.
		expect(r.link.pushes).toHaveLength(1);
		expect(await r.db.outbox.count()).toBe(2);
		// Signed in again: start() resumes.
		r.transport.current = (await r.server.connect('worker', DEVICE)).transport;
		r.engine.stop();
		r.engine.start();
		await settle(r);
		expect(r.engine.status).toMatchObject({ state: 'idle', pending: 0 });
		expect(await r.server.household(a.id)).toBeDefined();
		expect(await r.server.household(b.id)).toBeDefined();
	});

	it('says when the server revoked this device, so that the app wipes it', async () => {
		const r = await rig();
		await r.server.store.revokeDeviceSessions(DEVICE, new Date(r.timers.now));
		await addHousehold(r.db, { gridId: GRID, address: 'A' });
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'signed_out', lastError: REVOKED, pending: 1 });
		expect(r.timers.pendingTimeouts()).toEqual([]);
	});

	it('never runs two passes at once; a request during a pass runs one more after it', async () => {
		const r = await rig();
		let inFlight = 0;
		let most = 0;
		let reached!: () => void;
		const pushReached = new Promise<void>((resolve) => (reached = resolve));
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		const real = r.link.transport;
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
		expect(r.link.pushes.map((b) => b.length)).toEqual([1, 1]);
		expect(r.engine.status.pending).toBe(0);
	});
});

describe('on a full disk', () => {
	/**
	 * A worker's tablet whose disk fills up once the first page of the download is stored: the
	 * second page arrives (the third is already asked for, pages overlap) and does not fit.
	 */
	async function fillsUpAfterFirstPage(options: Partial<SyncEngineOptions> = {}) {
		const disk = new FakeDisk();
		const r = await rig({ pullLimit: 2, firstPullLimit: 2, ...options }, disk);
		await r.server.seedHouseholds(5);
		let filled = false;
		r.transport.current = {
			push: (deviceId, mutations) => r.link.transport.push(deviceId, mutations),
			pull: async (cursor, limit) => {
				if (cursor !== null && !filled) {
					while ((await loadCursor(r.db, USER)) === null)
						await new Promise((resolve) => setTimeout(resolve, 1));
					disk.fill();
					filled = true;
				}
				return r.link.transport.pull(cursor, limit);
			}
		};
		return { r, disk };
	}

	it('a page that does not fit stops the download, keeping the pages and cursor before it', async () => {
		const { r, disk } = await fillsUpAfterFirstPage();
		r.engine.start();
		await settle(r);
		expect(r.engine.status).toMatchObject({ state: 'error', storageFull: true });
		expect(isQuotaError(r.engine.status.lastError)).toBe(true);
		expect(disk.refused).toBe(1);
		expect(await r.db.households.count()).toBe(2);
		const saved = await loadCursor(r.db, USER);
		expect(saved).toBe(r.link.pulls[1]);
		const pulled = r.link.pulls.length;

		// Automatic passes (the back-off's retry, the timer) push but no longer pull: each try
		// would download a page only to fail to store it.
		await advance(r, r.timers.pendingTimeouts()[0]);
		await advance(r, 60_000);
		expect(r.link.pulls).toHaveLength(pulled);
		expect(r.engine.status).toMatchObject({ state: 'error', storageFull: true });

		// Space was freed and a person taps sync: the download goes on from the saved cursor.
		disk.clear();
		const status = await r.engine.syncNow({ person: true });
		expect(status).toMatchObject({ state: 'idle', storageFull: false, lastError: null });
		expect(r.link.pulls[pulled]).toBe(saved);
		expect(await r.db.households.count()).toBe(5);
	});

	it('pulls go on by themselves once a change is saved again, and it is delivered', async () => {
		const { r, disk } = await fillsUpAfterFirstPage({ debounceMs: 1_000 });
		r.engine.start();
		await settle(r);
		expect(r.engine.status.storageFull).toBe(true);
		const pulled = r.link.pulls.length;
		// While the disk is full the change is refused whole (repositories), and nothing pulls.
		await expect(addHousehold(r.db, { gridId: GRID, address: '满' })).rejects.toThrow();
		await advance(r, 60_000);
		expect(r.link.pulls).toHaveLength(pulled);
		disk.clear();
		const saved = await addHousehold(r.db, { gridId: GRID, address: '幸福路 9 号' });
		await advance(r, 1_000);
		expect(r.engine.status).toMatchObject({ state: 'idle', storageFull: false, pending: 0 });
		expect(await r.db.households.count()).toBe(6);
		expect((await r.server.household(saved.id))?.address).toBe('幸福路 9 号');
	});

	it('pulls go on by themselves once the browser reports more free space than at the failure', async () => {
		let free = 1_000;
		const { r, disk } = await fillsUpAfterFirstPage({ freeSpace: async () => free });
		r.engine.start();
		await settle(r);
		expect(r.engine.status.storageFull).toBe(true);
		const pulled = r.link.pulls.length;
		disk.clear();
		// A little more is not enough for a page.
		free = 1_000 + RESUME_ROOM_BYTES / 2;
		await advance(r, 60_000);
		expect(r.link.pulls).toHaveLength(pulled);
		// The worker deleted videos from the tablet.
		free = 1_000 + RESUME_ROOM_BYTES;
		await advance(r, 60_000);
		expect(r.engine.status).toMatchObject({ state: 'idle', storageFull: false });
		expect(await r.db.households.count()).toBe(5);
	});

	it('a push whose bookkeeping does not fit sends nothing and leaves the outbox as it was', async () => {
		const disk = new FakeDisk();
		const r = await rig({}, disk);
		const h = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		await updateHousehold(r.db, h.id, { address: 'B' });
		await recordVisit(r.db, {
			householdId: h.id,
			visitedAt: '2025-06-01T01:00:00.000Z',
			outcome: 'visited',
			checks: []
		});
		const before = await r.db.outbox.toArray();
		disk.fill();
		const status = await r.engine.syncNow();
		expect(status).toMatchObject({ state: 'error', storageFull: true, pending: 3 });
		expect(r.link.pushes).toEqual([]);
		expect(await r.db.outbox.toArray()).toEqual(before);
		disk.clear();
		expect(await r.engine.syncNow({ person: true })).toMatchObject({
			state: 'idle',
			pending: 0,
			storageFull: false
		});
		expect((await r.server.household(h.id))?.address).toBe('B');
	});
	it('a sign-out on a full disk keeps a held check-in, counted as not delivered', async () => {
		const disk = new FakeDisk();
		const r = await rig({}, disk);
		const house = await addHousehold(r.db, { gridId: GRID, address: 'A' });
		const resident = await addResident(r.db, { householdId: house.id, name: '王芳' });
		await r.engine.syncNow();
		const held = await recordCheckin(
			r.db,
			{
				residentId: resident.id,
				at: new Date(r.timers.now).toISOString(),
				status: 'fine',
				channel: 'worker'
			},
			{ holdMs: 5_000 }
		);
		disk.fill();
		// The hold cannot be lifted: the check-in stays, so sign-out asks the person first.
		const status = await r.engine.flush();
		expect(status.pending).toBe(1);
		expect((await r.db.outbox.toArray()).map((e) => e.rowId)).toEqual([held.id]);
		expect(r.link.pushes.flat().map((m) => m.rowId)).not.toContain(held.id);
	});
	it('a person who taps sync while a pass only pushes gets a pull right after it', async () => {
		const disk = new FakeDisk();
		const r = await rig({}, disk);
		await addHousehold(r.db, { gridId: GRID, address: 'A' });
		disk.fill();
		r.engine.start();
		await settle(r);
		expect(r.engine.status.storageFull).toBe(true);
		expect(r.link.pulls).toHaveLength(0);
		disk.clear();
		let reached!: () => void;
		const pushReached = new Promise<void>((resolve) => (reached = resolve));
		let release!: () => void;
		const gate = new Promise<void>((resolve) => (release = resolve));
		r.transport.current = {
			push: async (deviceId, mutations) => {
				reached();
				await gate;
				return r.link.transport.push(deviceId, mutations);
			},
			pull: (cursor, limit) => r.link.transport.pull(cursor, limit)
		};
		// The back-off's retry: an automatic pass, which only pushes.
		r.timers.advance(r.timers.pendingTimeouts()[0]);
		await pushReached;
		const asked = r.engine.syncNow({ person: true });
		release();
		expect(await asked).toMatchObject({ state: 'idle', storageFull: false, pending: 0 });
		expect(r.link.pulls).toHaveLength(1);
	});
});
