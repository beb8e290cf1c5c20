// The sync engine: pushes the outbox, pulls changes by cursor, and decides when to do so.
//
// A sync pass pushes every pending entry in batches (folded first, see outbox.ts), then pulls
// pages until the server has no more, then settles local edits (pull.ts). Passes never overlap,
// within a tab (one promise) or across tabs (a Web Lock where the browser has one).
//
// Triggers: a committed local write (debounced), the browser's `online` event, start(), a timer
// while the app is open, the end of an entry's undo hold (outbox.ts), and syncNow() from a button
// or the service worker's wake-up. After a
// network or server failure the next try waits a random delay in [0, min(cap, base * 2^n)]
// ("full jitter"), so tablets that lost the network together do not come back in step; a success
// resets n. A 401 stops everything but a manual sync until a person signs in again; the outbox
// is kept either way.
//
// A full disk (a pulled page or the outbox's own bookkeeping did not fit, quota.ts) stops the
// pass like any failure, with `storageFull` set, and keeps what was stored before it: the pages
// written with their cursor, and the outbox untouched. Pulls then wait, since each try would
// download a page only to fail to store it: automatic passes push only, until a person taps
// sync, a local change is saved (so there is room again), or the browser reports more free space
// than when it failed. The next pull goes on from the saved cursor (docs/field-performance.md,
// "Storage"). All clocks, timers, randomness and I/O are injected: there is no module state.
import type { GridcareDb } from '$lib/db/db';
import { isQuotaError } from '$lib/db/quota';
import type { SyncTable } from '$lib/shared/enums';
import { discardRejected, retryRejected } from '$lib/db/repositories';
import {
	applyPushResults,
	DEFAULT_BATCH_SIZE,
	foldOutbox,
	nextHoldEnd,
	outboxCounts,
	releaseHolds,
	takeBatch
} from './outbox';
import { DEFAULT_PULL_CHUNK, pullAll, settleLocalEdits, type PullAllOptions } from './pull';
import { OfflineError, RevokedError, UnauthorizedError, type SyncTransport } from './transport';

export type SyncState = 'idle' | 'syncing' | 'offline' | 'error' | 'signed_out';

export interface SyncStatus {
	/** Local changes not yet acknowledged by the server. */
	pending: number;
	/** Changes the server refused, waiting for a person. */
	rejected: number;
	/** Epoch milliseconds of the last complete push and pull. */
	lastSyncAt: number | null;
	state: SyncState;
	lastError: string | null;
	/** Epoch milliseconds of the next automatic try after a failure. */
	nextRetryAt: number | null;
	/** The device's storage is full: the last pass could not store what it received. */
	storageFull: boolean;
}

export interface Timers {
	setTimeout(run: () => void, ms: number): unknown;
	clearTimeout(handle: unknown): void;
	setInterval(run: () => void, ms: number): unknown;
	clearInterval(handle: unknown): void;
}

/** Where the engine hears that the network came back. */
export interface NetworkEvents {
	onOnline(listener: () => void): () => void;
}

/** Runs a sync pass exclusively. */
export type SyncLock = <T>(run: () => Promise<T>) => Promise<T>;

/** What a pull runner is told besides the database and transport it works with. */
export type PullRequest = Omit<PullAllOptions, 'db' | 'transport'>;

/**
 * Pulls every page after the saved cursor into the database (pull.ts `pullAll`). The default
 * runs in this thread; the browser runs it in a Web Worker (pull-worker-client.ts).
 */
export type PullRunner = (request: PullRequest) => Promise<void>;

export interface SyncEngineOptions {
	db: GridcareDb;
	transport: SyncTransport;
	deviceId: string;
	/** The signed-in user: the pull cursor is kept per user. */
	userId: string;
	now?: () => number;
	/** Uniform in [0, 1). */
	random?: () => number;
	timers?: Timers;
	/** Null: no online events (tests, workers). Defaults to the window's. */
	network?: NetworkEvents | null;
	lock?: SyncLock;
	batchSize?: number;
	pullLimit?: number;
	/** Page size of a first download (no cursor yet): fewer round trips for the bulk of data. */
	firstPullLimit?: number;
	pullChunk?: number;
	/** False for a device that only sends (a kiosk): its role receives no change log. */
	pull?: boolean;
	/** Where the pulls run; defaults to `pullAll` here, on `db` and `transport`. */
	pullRunner?: PullRunner;
	debounceMs?: number;
	periodMs?: number;
	backoffBaseMs?: number;
	backoffCapMs?: number;
	/** Bytes the browser would still store for the app; null when it cannot say. */
	freeSpace?: () => Promise<number | null>;
}

export const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

/** Full-jitter back-off: the delay before try `failures + 1`. */
export function backoffDelay(
	failures: number,
	random: () => number,
	baseMs = BACKOFF_BASE_MS,
	capMs = BACKOFF_CAP_MS
): number {
	const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(failures, 30));
	return Math.floor(random() * ceiling);
}

/** More free space than at a storage failure that lets pulls go on by themselves: a few pages. */
export const RESUME_ROOM_BYTES = 4 * 1024 * 1024;

/** What the browser says it would still store (quota minus usage). */
async function browserFreeSpace(): Promise<number | null> {
	const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
	if (!storage?.estimate) return null;
	const { usage, quota } = await storage.estimate();
	return usage === undefined || quota === undefined ? null : quota - usage;
}

/** The page size of a first download (the pull route allows up to 5,000). */
export const FIRST_PULL_LIMIT = 5000;

/** `lastError` of a signed-out status when the server revoked this device. */
export const REVOKED = 'revoked';

/** How long after a hold's end its push starts (a timer may fire a little early). */
const HOLD_SLACK_MS = 50;

/** Push passes stop after this many when held-back updates keep appearing (see takeBatch). */
const MAX_PUSH_PASSES = 5;

const systemTimers: Timers = {
	setTimeout: (run, ms) => globalThis.setTimeout(run, ms),
	clearTimeout: (handle) =>
		globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
	setInterval: (run, ms) => globalThis.setInterval(run, ms),
	clearInterval: (handle) =>
		globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>)
};

function windowNetwork(): NetworkEvents | null {
	if (typeof window === 'undefined') return null;
	return {
		onOnline(listener) {
			window.addEventListener('online', listener);
			return () => window.removeEventListener('online', listener);
		}
	};
}

function webLock(name: string): SyncLock {
	const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
	if (!locks) return (run) => run();
	return async <T>(run: () => Promise<T>) => {
		let result: { value: T } | undefined;
		await locks.request(name, async () => {
			result = { value: await run() };
		});
		return result!.value;
	};
}

type Listener = (status: SyncStatus) => void;
type TimerName = 'retry' | 'debounce' | 'period' | 'hold';

export class SyncEngine {
	readonly #db: GridcareDb;
	readonly #transport: SyncTransport;
	readonly #deviceId: string;
	readonly #userId: string;
	readonly #now: () => number;
	readonly #random: () => number;
	readonly #timers: Timers;
	readonly #network: NetworkEvents | null;
	readonly #lock: SyncLock;
	readonly #batchSize: number;
	readonly #pullLimit: number;
	readonly #firstPullLimit: number;
	readonly #pullChunk: number;
	readonly #pull: boolean;
	readonly #pullRunner: PullRunner;
	readonly #debounceMs: number;
	readonly #periodMs: number;
	readonly #backoffBaseMs: number;
	readonly #backoffCapMs: number;
	readonly #freeSpace: () => Promise<number | null>;

	#status: SyncStatus = {
		pending: 0,
		rejected: 0,
		lastSyncAt: null,
		state: 'idle',
		lastError: null,
		nextRetryAt: null,
		storageFull: false
	};
	/** Pulls wait after a storage failure (see the top of this file). */
	#pullsWait = false;
	/** Free space the browser reported when storage failed. */
	#freeAtFailure: number | null = null;
	/** A person asked for a pass that has not started yet: it pulls, whatever failed before. */
	#personAsked = false;
	readonly #listeners = new Set<Listener>();
	#started = false;
	#running: Promise<SyncStatus> | null = null;
	#again = false;
	#failures = 0;
	/** Handles of the scheduled back-off retry, debounced sync and periodic sync. */
	readonly #handles: Record<TimerName, unknown> = {
		retry: null,
		debounce: null,
		period: null,
		hold: null
	};
	#unsubscribe: (() => void)[] = [];

	constructor(options: SyncEngineOptions) {
		this.#db = options.db;
		this.#transport = options.transport;
		this.#deviceId = options.deviceId;
		this.#userId = options.userId;
		this.#now = options.now ?? options.db.now;
		this.#random = options.random ?? Math.random;
		this.#timers = options.timers ?? systemTimers;
		this.#network = options.network === undefined ? windowNetwork() : options.network;
		this.#lock = options.lock ?? webLock(`gridcare-sync:${options.db.name}`);
		this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
		this.#pullLimit = options.pullLimit ?? 1000;
		this.#firstPullLimit = options.firstPullLimit ?? FIRST_PULL_LIMIT;
		this.#pullChunk = options.pullChunk ?? DEFAULT_PULL_CHUNK;
		this.#pull = options.pull ?? true;
		this.#pullRunner =
			options.pullRunner ??
			((request) => pullAll({ ...request, db: options.db, transport: options.transport }));
		this.#debounceMs = options.debounceMs ?? 1_000;
		this.#periodMs = options.periodMs ?? 60_000;
		this.#backoffBaseMs = options.backoffBaseMs ?? BACKOFF_BASE_MS;
		this.#backoffCapMs = options.backoffCapMs ?? BACKOFF_CAP_MS;
		this.#freeSpace = options.freeSpace ?? browserFreeSpace;
	}

	get status(): SyncStatus {
		return this.#status;
	}

	/** Svelte-store compatible: called at once with the current status, then on every change. */
	subscribe(listener: Listener): () => void {
		this.#listeners.add(listener);
		listener(this.#status);
		return () => this.#listeners.delete(listener);
	}

	/** Begin listening for triggers and sync now. Also the way back after a sign-in. */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		if (this.#status.state === 'signed_out') this.#setStatus({ state: 'idle', lastError: null });
		this.#unsubscribe.push(this.#db.onLocalWrite(() => this.#onLocalWrite()));
		if (this.#network) this.#unsubscribe.push(this.#network.onOnline(() => this.#onOnline()));
		this.#handles.period = this.#timers.setInterval(() => this.#trigger(), this.#periodMs);
		void this.syncNow();
	}

	/** Stop all triggers (a pass under way finishes). */
	stop(): void {
		this.#started = false;
		for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
		this.#clearTimer('period');
		this.#clearTimer('debounce');
		this.#clearTimer('retry');
		this.#clearTimer('hold');
	}

	/**
	 * Push and pull now. While a pass runs, another one follows it; never rejects. `person`: a
	 * person asked (the sync button), so pulls go on even after a storage failure.
	 */
	syncNow(options: { person?: boolean } = {}): Promise<SyncStatus> {
		if (options.person) this.#personAsked = true;
		if (this.#running) {
			this.#again = true;
			return this.#running;
		}
		this.#running = this.#runPasses();
		return this.#running;
	}

	/** End every undo hold and push and pull now: a sign-out delivers all it can. */
	async flush(): Promise<SyncStatus> {
		// On a full disk the holds cannot be lifted: those entries stay and are counted as not
		// delivered, so the person decides (sign-out.ts).
		await releaseHolds(this.#db).catch((error: unknown) => {
			if (!isQuotaError(error)) throw error;
		});
		return this.syncNow();
	}

	/** Resolves when no pass is running (tests, and the UI before closing). */
	async whenIdle(): Promise<void> {
		while (this.#running) await this.#running;
	}

	/** Drop a refused change on this device (see repositories.discardRejected). */
	async discardRejected(seq: number): Promise<void> {
		await discardRejected(this.#db, seq);
		await this.#refreshCounts();
	}

	/** Send a refused change again with corrected fields; it goes out with the next (debounced) sync. */
	async retryRejected(seq: number, fixedFields?: Record<string, unknown>): Promise<void> {
		await retryRejected(this.#db, seq, fixedFields);
		await this.#refreshCounts();
	}

	async #runPasses(): Promise<SyncStatus> {
		try {
			do {
				this.#again = false;
				// #pass handles its own failures; this catches a lock that could not be taken.
				await this.#lock(() => this.#pass()).catch((error: unknown) => this.#fail(error));
			} while (this.#again && (this.#status.state === 'idle' || this.#personAsked));
			return this.#status;
		} finally {
			this.#running = null;
		}
	}

	async #pass(): Promise<void> {
		this.#clearTimer('retry');
		this.#setStatus({ state: 'syncing', nextRetryAt: null });
		if (this.#personAsked) this.#pullsWait = false;
		this.#personAsked = false;
		try {
			const pull = this.#pull && (await this.#mayPull());
			const held = await this.#pushAll();
			if (pull) await this.#pullAll();
			// Updates that waited for their row's version (the insert's answer was lost, so only the
			// pull could bring it) can go now.
			if (pull && (await this.#anyRowKnown(held))) await this.#pushAll();
			this.#failures = 0;
			await this.#scheduleHoldEnd();
			const counts = await outboxCounts(this.#db);
			if (this.#pull && !pull) {
				// Delivered what it could; the storage failure still stands until a pull succeeds.
				this.#setStatus({ ...counts, state: 'error', storageFull: true });
				return;
			}
			this.#setStatus({
				...counts,
				state: 'idle',
				lastSyncAt: this.#now(),
				lastError: null,
				storageFull: false
			});
		} catch (error) {
			await this.#fail(error);
		}
	}

	/** Push every sendable entry; returns the rows whose updates were held back (see takeBatch). */
	async #pushAll(): Promise<Set<string>> {
		for (let pass = 1; ; pass++) {
			await foldOutbox(this.#db);
			const held = new Set<string>();
			let delivered = 0;
			let afterSeq = 0;
			for (;;) {
				const batch = await takeBatch(this.#db, afterSeq, this.#batchSize, held);
				if (batch.entries.length === 0) break;
				afterSeq = batch.lastSeq;
				// The outbox keeps sensitive fields sealed; they are opened only to go out.
				const mutations = await Promise.all(
					batch.entries.map(async ({ mutation }) => ({
						...mutation,
						fields: await this.#db.openFields(mutation.fields)
					}))
				);
				const results = await this.#transport.push(this.#deviceId, mutations);
				delivered += (await applyPushResults(this.#db, batch.entries, results)).delivered;
				await this.#refreshCounts();
			}
			// Another pass can send updates whose row's insert was delivered in this one.
			if (held.size === 0 || delivered === 0 || pass >= MAX_PUSH_PASSES) return held;
		}
	}

	/** Whether this pass pulls: always, unless pulls wait after a storage failure. */
	async #mayPull(): Promise<boolean> {
		if (!this.#pullsWait) return true;
		const free = await this.#freeSpace().catch(() => null);
		if (free !== null && this.#freeAtFailure !== null) {
			if (free >= this.#freeAtFailure + RESUME_ROOM_BYTES) this.#pullsWait = false;
		}
		return !this.#pullsWait;
	}

	async #anyRowKnown(rowKeys: Set<string>): Promise<boolean> {
		for (const key of rowKeys) {
			const [table, rowId] = key.split(':') as [SyncTable, string];
			if ((await this.#db.rows(table).get(rowId))?.version !== undefined) return true;
		}
		return false;
	}

	/** Pull pages until the server has no more (see `pullAll`), then settle local edits. */
	async #pullAll(): Promise<void> {
		await this.#pullRunner({
			userId: this.#userId,
			limit: this.#pullLimit,
			firstLimit: this.#firstPullLimit,
			chunkSize: this.#pullChunk
		});
		await settleLocalEdits(this.#db);
	}

	async #fail(error: unknown): Promise<void> {
		const counts = await outboxCounts(this.#db).catch(() => ({}));
		if (error instanceof UnauthorizedError) {
			this.#clearTimer('debounce');
			this.#setStatus({
				...counts,
				state: 'signed_out',
				lastError: error instanceof RevokedError ? REVOKED : 'sign in again'
			});
			return;
		}
		const storageFull = isQuotaError(error);
		if (storageFull) {
			this.#pullsWait = true;
			this.#freeAtFailure = await this.#freeSpace().catch(() => null);
		}
		const delay = backoffDelay(
			this.#failures,
			this.#random,
			this.#backoffBaseMs,
			this.#backoffCapMs
		);
		this.#failures += 1;
		const message = error instanceof Error ? error.message : String(error);
		let nextRetryAt: number | null = null;
		if (this.#started) {
			this.#handles.retry = this.#timers.setTimeout(() => {
				this.#handles.retry = null;
				void this.syncNow();
			}, delay);
			nextRetryAt = this.#now() + delay;
		}
		this.#setStatus({
			...counts,
			state: error instanceof OfflineError ? 'offline' : 'error',
			lastError: message,
			nextRetryAt,
			// Pulls may still wait after an earlier storage failure (a push-only pass went offline).
			storageFull: storageFull || this.#pullsWait
		});
	}

	/** Held entries left behind by this pass go out as soon as their hold ends. */
	async #scheduleHoldEnd(): Promise<void> {
		this.#clearTimer('hold');
		const end = await nextHoldEnd(this.#db);
		if (end === null || !this.#started) return;
		this.#handles.hold = this.#timers.setTimeout(
			() => {
				this.#handles.hold = null;
				this.#trigger();
			},
			Math.max(0, end - this.#db.now()) + HOLD_SLACK_MS
		);
	}

	#onLocalWrite(): void {
		// A change was stored: there is room again, so pulls may try again.
		this.#pullsWait = false;
		void this.#refreshCounts();
		if (this.#status.state !== 'signed_out') this.#scheduleDebounced();
	}

	#onOnline(): void {
		if (this.#status.state === 'signed_out') return;
		// The network is back: whatever the back-off said, try now.
		this.#clearTimer('retry');
		this.#failures = 0;
		void this.syncNow();
	}

	#scheduleDebounced(): void {
		if (!this.#started) return;
		this.#clearTimer('debounce');
		this.#handles.debounce = this.#timers.setTimeout(() => {
			this.#handles.debounce = null;
			this.#trigger();
		}, this.#debounceMs);
	}

	/** Automatic triggers wait for a scheduled back-off retry and stop after a 401. */
	#trigger(): void {
		if (!this.#started || this.#handles.retry !== null || this.#status.state === 'signed_out')
			return;
		void this.syncNow();
	}

	/** Best effort: the counts on screen follow the outbox, but a failed read must not break a pass. */
	async #refreshCounts(): Promise<void> {
		const counts = await outboxCounts(this.#db).catch(() => null);
		if (counts) this.#setStatus(counts);
	}

	#clearTimer(name: TimerName): void {
		const handle = this.#handles[name];
		if (handle === null) return;
		if (name === 'period') this.#timers.clearInterval(handle);
		else this.#timers.clearTimeout(handle);
		this.#handles[name] = null;
	}

	#setStatus(patch: Partial<SyncStatus>): void {
		const next = { ...this.#status, ...patch };
		const keys = Object.keys(next) as (keyof SyncStatus)[];
		if (keys.every((key) => next[key] === this.#status[key])) return;
		this.#status = next;
		for (const listener of this.#listeners) listener(next);
	}
}
