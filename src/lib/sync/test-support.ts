// Test doubles for the data layer and the sync engine (imported by *.test.ts only): an isolated
// in-memory IndexedDB per database, which can be given a disk that fills up, manual timers with a
// clock, and a transport with no network. The server the engine's tests talk to is the real one
// (test-server.ts).
import { serialize } from 'node:v8';
import {
	IDBFactory,
	IDBKeyRange,
	IDBObjectStore as FDBObjectStore,
	IDBTransaction as FDBTransaction
} from 'fake-indexeddb';
import { GridcareDb } from '$lib/db/db';
import type { Timers } from './engine';
import { OfflineError, type SyncTransport } from './transport';

/** Where the tests' clocks start (ManualTimers, openTestDb, the test server). */
export const TEST_EPOCH = 1_750_000_000_000;

let dbCounter = 0;

/**
 * The disk under a fake IndexedDB, with room for `free` more bytes (null: unlimited). Like
 * Chromium, a read-write transaction is weighed when it commits, by the structured-clone size of
 * every value it puts or adds (deletes weigh nothing): one that does not fit is aborted with a
 * `QuotaExceededError`, so it writes nothing, and Dexie rejects with an `AbortError` whose
 * `inner` is that error. Writes that fit use up the room.
 */
export class FakeDisk {
	free: number | null;
	/** Transactions refused so far. */
	refused = 0;

	constructor(free: number | null = null) {
		this.free = free;
	}

	/** No room left at all. */
	fill(): void {
		this.free = 0;
	}

	/** Room again, as much as anyone needs. */
	clear(): void {
		this.free = null;
	}

	/** Whether a transaction writing `bytes` fits; if it does, the room it takes is used. */
	take(bytes: number): boolean {
		if (this.free === null || bytes === 0) return true;
		if (bytes > this.free) {
			this.refused += 1;
			return false;
		}
		this.free -= bytes;
		return true;
	}
}

const DISK = Symbol('disk');
const WRITTEN = Symbol('written');
type Weighed = { [WRITTEN]?: number; db: { _rawDatabase: { [DISK]?: FakeDisk } } };

/** fake-indexeddb's internals that the disk hooks into (stable in its 6.x line). */
interface TransactionInternals {
	_state: string;
	error: unknown;
	_requests: { request: { readyState: string } }[];
	_start(): void;
	_abort(name: string | null): void;
}

let diskHooked = false;

function hookDisk(): void {
	if (diskHooked) return;
	diskHooked = true;
	const store = FDBObjectStore.prototype as unknown as Record<
		'put' | 'add',
		(...a: unknown[]) => unknown
	>;
	for (const method of ['put', 'add'] as const) {
		const original = store[method];
		store[method] = function (this: { transaction: Weighed }, ...args: unknown[]) {
			const request = original.apply(this, args);
			const transaction = this.transaction;
			if (transaction.db._rawDatabase[DISK])
				transaction[WRITTEN] = (transaction[WRITTEN] ?? 0) + serialize(args[0]).length;
			return request;
		};
	}
	const transaction = FDBTransaction.prototype as unknown as TransactionInternals;
	const start = transaction._start;
	transaction._start = function (this: TransactionInternals & Weighed) {
		const disk = this.db._rawDatabase[DISK];
		const committing =
			this._state !== 'finished' &&
			!this.error &&
			this._requests.every(({ request }) => request.readyState === 'done');
		// The moment fake-indexeddb would fire `complete`: weigh what the transaction wrote.
		if (disk && committing && !disk.take(this[WRITTEN] ?? 0)) {
			this._abort('QuotaExceededError');
			return;
		}
		start.call(this);
	};
}

/** An IndexedDB whose databases live on `disk` (shared by every connection opened through it). */
export function indexedDbOn(disk: FakeDisk): IDBFactory {
	hookDisk();
	const factory = new IDBFactory();
	const open = factory.open.bind(factory);
	factory.open = (name: string, version?: number) => {
		const request = open(name, version);
		const mark = () => {
			(request.result as unknown as Weighed['db'])._rawDatabase[DISK] = disk;
		};
		request.addEventListener('upgradeneeded', mark);
		request.addEventListener('success', mark);
		return request;
	};
	return factory;
}

/**
 * A fresh database on its own fake IndexedDB (on `disk` when given); ids are deterministic when
 * `seed` is given.
 */
export function openTestDb(
	options: { now?: () => number; seed?: number; encrypted?: boolean; disk?: FakeDisk } = {}
): GridcareDb {
	dbCounter += 1;
	let state = options.seed ?? dbCounter * 7919;
	const randomBytes = () => {
		const bytes = new Uint8Array(16);
		for (let i = 0; i < 16; i++) {
			// xorshift32: reproducible randomness for ids.
			state ^= state << 13;
			state ^= state >>> 17;
			state ^= state << 5;
			bytes[i] = state & 0xff;
		}
		return bytes;
	};
	return new GridcareDb({
		name: `gridcare-test-${dbCounter}`,
		indexedDB: options.disk ? indexedDbOn(options.disk) : new IDBFactory(),
		IDBKeyRange,
		now: options.now ?? (() => TEST_EPOCH),
		randomBytes,
		encrypted: options.encrypted
	});
}

interface Task {
	at: number;
	run: () => void;
	every: number | null;
}

/** Timers that fire only when the test advances the clock. */
export class ManualTimers implements Timers {
	now = TEST_EPOCH;
	readonly #tasks = new Map<number, Task>();
	#nextId = 1;
	/** Every delay passed to setTimeout, in order. */
	readonly timeouts: number[] = [];

	setTimeout(run: () => void, ms: number): number {
		this.timeouts.push(ms);
		return this.#add({ at: this.now + ms, run, every: null });
	}

	setInterval(run: () => void, ms: number): number {
		return this.#add({ at: this.now + ms, run, every: ms });
	}

	clearTimeout(handle: unknown): void {
		this.#tasks.delete(handle as number);
	}

	clearInterval(handle: unknown): void {
		this.#tasks.delete(handle as number);
	}

	/** Pending one-shot delays (from now). */
	pendingTimeouts(): number[] {
		return [...this.#tasks.values()].filter((t) => t.every === null).map((t) => t.at - this.now);
	}

	/** Move the clock forward, running what falls due in time order. */
	advance(ms: number): void {
		const end = this.now + ms;
		for (;;) {
			const due = [...this.#tasks.entries()]
				.filter(([, t]) => t.at <= end)
				.sort((a, b) => a[1].at - b[1].at)[0];
			if (!due) break;
			const [id, task] = due;
			this.now = Math.max(this.now, task.at);
			if (task.every === null) this.#tasks.delete(id);
			else task.at += task.every;
			task.run();
		}
		this.now = end;
	}

	#add(task: Task): number {
		const id = this.#nextId++;
		this.#tasks.set(id, task);
		return id;
	}
}

/** A transport whose every call fails as if there were no network. */
export const offlineTransport: SyncTransport = {
	push: async () => {
		throw new OfflineError('no network');
	},
	pull: async () => {
		throw new OfflineError('no network');
	}
};
