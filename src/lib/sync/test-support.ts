// Test doubles for the data layer and the sync engine (imported by *.test.ts only): an isolated
// in-memory IndexedDB per database, manual timers with a clock, and a transport with no network.
// The server the engine's tests talk to is the real one (test-server.ts).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { GridcareDb } from '$lib/db/db';
import type { Timers } from './engine';
import { OfflineError, type SyncTransport } from './transport';

/** Where the tests' clocks start (ManualTimers, openTestDb, the test server). */
export const TEST_EPOCH = 1_750_000_000_000;

let dbCounter = 0;

/** A fresh database on its own fake IndexedDB; ids are deterministic when `seed` is given. */
export function openTestDb(
	options: { now?: () => number; seed?: number; encrypted?: boolean } = {}
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
		indexedDB: new IDBFactory(),
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
