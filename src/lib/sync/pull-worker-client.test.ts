// The page's PullWorker and the worker's PullWorkerHost together. In the browser a dedicated
// Worker carries the messages (tests/e2e cover that); here an in-process stand-in does, cloning
// every message as postMessage would, with the real host, two Dexie connections to one
// (fake) IndexedDB, the real sealing and the real sync server.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { afterEach, describe, expect, it } from 'vitest';
import { newDataKey } from '$lib/privacy/crypto';
import { GridcareDb } from '$lib/db/db';
import { FieldCipher, isSealed, LockedError } from '$lib/db/sealed';
import { REVOKED, SyncEngine } from './engine';
import { loadCursor, pullAll } from './pull';
import { PullWorker } from './pull-worker-client';
import { PullWorkerHost, type PullWorkerHostOptions } from './pull-worker-host';
import type { PageSummary } from './progress-transport';
import { isQuotaError } from '$lib/db/quota';
import { FakeDisk, indexedDbOn, ManualTimers, TEST_EPOCH } from './test-support';
import { TEST_GRID as GRID, TestServer, type Connection } from './test-server';
import type { PullPage, SyncTransport } from './transport';

const USER = 'worker-a1';
const DEVICE = 'tablet-1';

/** Stands in for `new Worker(...)`: the host runs here, messages are structured clones. */
class InProcessWorker extends EventTarget {
	#terminated = false;
	readonly host: PullWorkerHost;

	constructor(options: Omit<PullWorkerHostOptions, 'post'>) {
		super();
		this.host = new PullWorkerHost({
			...options,
			post: (message) => {
				const data = structuredClone(message);
				setTimeout(() => {
					if (!this.#terminated) this.dispatchEvent(new MessageEvent('message', { data }));
				});
			}
		});
	}

	postMessage(message: unknown): void {
		if (this.#terminated) return;
		const data = structuredClone(message) as Parameters<PullWorkerHost['handle']>[0];
		setTimeout(() => this.host.handle(data));
	}

	terminate(): void {
		this.#terminated = true;
	}
}

let dbCounter = 0;
const closing: (() => void | Promise<void>)[] = [];
afterEach(async () => {
	for (const close of closing.splice(0)) await close();
});

/** The page's database, and what the worker needs to open its own connection to it. */
async function pageAndWorker(link: Connection, transport?: SyncTransport, disk?: FakeDisk) {
	const indexedDB = disk ? indexedDbOn(disk) : new IDBFactory();
	const name = `gridcare-worker-test-${++dbCounter}`;
	const page = new GridcareDb({ name, indexedDB, IDBKeyRange, encrypted: true });
	page.cipher = new FieldCipher(await newDataKey());
	const workerDbs: GridcareDb[] = [];
	const worker = new InProcessWorker({
		openDatabase: (database) => {
			const db = new GridcareDb({ ...database, indexedDB, IDBKeyRange });
			workerDbs.push(db);
			return db;
		},
		transport: () => transport ?? link.transport
	});
	const summaries: PageSummary[] = [];
	const fallbacks: unknown[] = [];
	const client = new PullWorker({
		database: { name, encrypted: true },
		getKey: () => page.cipher?.key ?? null,
		getToken: () => 'token',
		onPage: (summary) => summaries.push(summary),
		fallback: async (request) => {
			fallbacks.push(request);
			await pullAll({ ...request, db: page, transport: link.transport });
		},
		createWorker: () => worker as unknown as Worker
	});
	closing.push(() => {
		client.terminate();
		page.close();
		for (const db of workerDbs) db.close();
	});
	return { page, worker, workerDbs, client, summaries, fallbacks };
}

function engineFor(page: GridcareDb, link: Connection, client: PullWorker) {
	return new SyncEngine({
		db: page,
		transport: link.transport,
		deviceId: DEVICE,
		userId: USER,
		timers: new ManualTimers(),
		network: null,
		lock: (run) => run(),
		pullLimit: 2,
		firstPullLimit: 2,
		pullRunner: client.run
	});
}

/**
 * A server holding one household with `count` residents with phone numbers, recorded by a
 * colleague in one push (a change each); the link of the worker's device to it.
 */
async function serverWithResidents(
	count: number
): Promise<{ server: TestServer; link: Connection }> {
	const server = await TestServer.open();
	closing.push(() => server.close());
	const household = '0196f1d2-0000-7000-9000-00000000aaaa';
	const colleague = await server.connect('colleague');
	await colleague.push([
		{
			id: '0196f1d2-0000-7000-8000-00000000aaaa',
			table: 'households',
			op: 'insert',
			rowId: household,
			fields: { gridId: GRID, address: '幸福路 8 号', tags: [] }
		},
		...Array.from({ length: count }, (_, i) => ({
			id: `0196f1d2-0000-7000-8000-${String(i).padStart(12, '0')}`,
			table: 'residents' as const,
			op: 'insert' as const,
			rowId: `0196f1d2-0000-7000-9000-${String(i).padStart(12, '0')}`,
			fields: { householdId: household, name: `居民 ${i}`, phone: `1380013800${i}`, tags: [] }
		}))
	]);
	return { server, link: await server.connect('worker', DEVICE) };
}

describe('pulls in the pull worker', () => {
	it('land in the page’s database, sealed, page by page, and the worker forgets the key after', async () => {
		const { link } = await serverWithResidents(4);
		const { page, workerDbs, client, summaries, fallbacks } = await pageAndWorker(link);
		client.open();
		const status = await engineFor(page, link, client).syncNow();
		expect(status).toMatchObject({ state: 'idle', lastError: null });
		expect(fallbacks).toEqual([]);
		// Written by the worker's own connection, read by the page's.
		expect(workerDbs).toHaveLength(1);
		expect(await page.households.count()).toBe(1);
		const residents = (await page.residents.toArray()).sort((a, b) => a.name.localeCompare(b.name));
		expect(residents.map((r) => isSealed(r.phone))).toEqual([true, true, true, true]);
		expect((await page.openRows(residents)).map((r) => r.phone)).toEqual([
			'13800138000',
			'13800138001',
			'13800138002',
			'13800138003'
		]);
		expect(await loadCursor(page, USER)).not.toBeNull();
		// Five changes in pages of two: three summaries, the last saying there is no more.
		expect(summaries.map((s) => [s.changes, s.hasMore])).toEqual([
			[2, true],
			[2, true],
			[1, false]
		]);
		expect(workerDbs[0].cipher).toBeNull();
	});

	it('a failure in the worker reaches the engine as the kind of failure it was', async () => {
		const { server, link } = await serverWithResidents(1);
		await server.store.revokeDeviceSessions(DEVICE, new Date(TEST_EPOCH));
		const { page, client } = await pageAndWorker(link);
		const status = await engineFor(page, link, client).syncNow();
		expect(status).toMatchObject({ state: 'signed_out', lastError: REVOKED });
	});

	it('locking drops the key in the worker at once: the pull under way stores nothing', async () => {
		const { link } = await serverWithResidents(1);
		let release: () => void = () => undefined;
		const released = new Promise<void>((resolve) => (release = resolve));
		let asked: () => void = () => undefined;
		const wasAsked = new Promise<void>((resolve) => (asked = resolve));
		// The server's answer waits until the test lets it go.
		const held: SyncTransport = {
			push: link.transport.push,
			pull: async (cursor, limit): Promise<PullPage> => {
				asked();
				await released;
				return link.pull(cursor, limit);
			}
		};
		const { page, client } = await pageAndWorker(link, held);
		const pulling = client.run({ userId: USER, limit: 10, firstLimit: 10 });
		await wasAsked;
		client.lock();
		// The lock message is delivered before the page is released.
		await new Promise((resolve) => setTimeout(resolve, 10));
		release();
		await expect(pulling).rejects.toBeInstanceOf(LockedError);
		expect(await page.residents.count()).toBe(0);
		expect(await loadCursor(page, USER)).toBeNull();
	});

	it('a worker that cannot start leaves the pulls to the page', async () => {
		const { link } = await serverWithResidents(2);
		const { page, worker, client, fallbacks } = await pageAndWorker(link);
		// What a module worker whose script failed to load does.
		worker.dispatchEvent(new Event('error'));
		const status = await engineFor(page, link, client).syncNow();
		expect(status.state).toBe('idle');
		expect(fallbacks).toHaveLength(1);
		expect(await page.residents.count()).toBe(2);

		const none = new PullWorker({
			database: { name: 'unused', encrypted: false },
			getKey: () => null,
			getToken: () => 'token',
			onPage: () => undefined,
			fallback: async () => void fallbacks.push('no worker'),
			createWorker: () => {
				throw new ReferenceError('Worker is not defined');
			}
		});
		await none.run({ userId: USER, limit: 2, firstLimit: 2 });
		expect(fallbacks.at(-1)).toBe('no worker');
	});
	it('a page that does not fit stops the pull as a full disk; only stored pages are counted', async () => {
		const { link } = await serverWithResidents(5);
		const disk = new FakeDisk();
		let page: GridcareDb | null = null;
		let filled = false;
		// The disk fills up once the first page is stored, before the second arrives.
		const fillingUp: SyncTransport = {
			push: (deviceId, mutations) => link.transport.push(deviceId, mutations),
			pull: async (cursor, limit) => {
				if (cursor !== null && !filled && page) {
					while ((await loadCursor(page, USER)) === null)
						await new Promise((resolve) => setTimeout(resolve, 1));
					disk.fill();
					filled = true;
				}
				return link.transport.pull(cursor, limit);
			}
		};
		const rig = await pageAndWorker(link, fillingUp, disk);
		page = rig.page;
		const engine = engineFor(rig.page, link, rig.client);
		const status = await engine.syncNow();
		expect(status).toMatchObject({ state: 'error', storageFull: true });
		expect(isQuotaError(status.lastError)).toBe(true);
		expect(rig.fallbacks).toEqual([]);
		// The first page is stored and counted; the one that did not fit is neither.
		expect(rig.summaries).toHaveLength(1);
		expect((await page.households.count()) + (await page.residents.count())).toBe(2);
		const cursor = await loadCursor(page, USER);
		expect(cursor).not.toBeNull();

		disk.clear();
		expect(await engine.syncNow({ person: true })).toMatchObject({
			state: 'idle',
			storageFull: false
		});
		expect(rig.summaries).toHaveLength(3);
		expect(await page.residents.count()).toBe(5);
	});
});
