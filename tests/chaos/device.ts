// A simulated tablet for the chaos harness (docs/chaos.md): the app's own Dexie database on
// fake-indexeddb, its repositories, outbox and sync engine, talking HTTP to the fault proxy.
// The harness adds only what a person and the radio do: operations at a pace, the network gone
// for a while, and reloads (a new engine over the same IndexedDB) in the middle of a sync.
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { GridcareDb, type AnyRow, type StoredOutboxEntry } from '$lib/db/db';
import { addHousehold, recordVisit, reportIncident, updateHousehold } from '$lib/db/repositories';
import { outboxView } from '$lib/db/worker-reads';
import { SYNC_TABLES, type SyncTable } from '$lib/shared/enums';
import type { Mutation } from '$lib/shared/schemas';
import { SyncEngine, type NetworkEvents, type SyncStatus } from '$lib/sync/engine';
import { HttpSyncTransport } from '$lib/sync/http-transport';
import { outboxCounts } from '$lib/sync/outbox';
import { between, byteSource, pick, sleep, stream } from './random';

export const OP_KINDS = ['visit', 'edit', 'household', 'incident', 'future-visit'] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** One operation a person makes on the device, fixed by the seed. */
export interface PlannedOp {
	kind: OpKind;
	/** Picks the household (among those the device holds then) and the value. */
	pick: number;
	field: 'address' | 'tags';
	/** Edit a household this device added rather than one of the grid's shared ones. */
	own: boolean;
	/** Pause before the operation. */
	pauseMs: number;
	/** The device loses the network for this long after the operation (0: it does not). */
	offlineMs: number;
	/** Start a sync after the operation and reload the app this long into it (-1: no reload). */
	reloadAfterMs: number;
}

/** A local change the device recorded: the outbox entry its operation queued. */
export interface Recorded {
	device: string;
	op: number;
	kind: OpKind;
	/** What the server must do with it: a visit dated days ahead is refused. */
	expect: 'applied' | 'rejected';
	marker: string;
	mutation: Mutation;
}

export interface PlanOptions {
	seed: number;
	mutations: number;
	/** Mean pause between operations. */
	paceMs: number;
	/** Chance per operation that the network goes away after it. */
	offlineRate: number;
	/** Chance per operation that the app reloads mid-sync after it. */
	reloadRate: number;
}

const KIND_WEIGHTS: [OpKind, number][] = [
	['visit', 0.34],
	['edit', 0.36],
	['household', 0.1],
	['incident', 0.14],
	['future-visit', 0.06]
];

/** The operations of device `index` under this seed. */
export function planOps(options: PlanOptions, index: number): PlannedOp[] {
	const random = stream(options.seed, 'ops', index);
	return Array.from({ length: options.mutations }, () => {
		let roll = random();
		let kind: OpKind = 'visit';
		for (const [k, weight] of KIND_WEIGHTS) {
			if (roll < weight) {
				kind = k;
				break;
			}
			roll -= weight;
		}
		return {
			kind,
			pick: Math.floor(random() * 1_000_000),
			field: random() < 0.5 ? 'address' : 'tags',
			own: random() < 0.3,
			pauseMs: Math.floor(random() * options.paceMs * 2),
			offlineMs: random() < options.offlineRate ? between(random, 300, 4_000) : 0,
			reloadAfterMs: random() < options.reloadRate ? between(random, 0, 60) : -1
		};
	});
}

export interface DeviceOptions {
	seed: number;
	index: number;
	/** The device id its session was opened for. */
	name: string;
	userId: string;
	token: string;
	grid: string;
	/** The fault proxy's URL. */
	proxyUrl: string;
	clientTimeoutMs: number;
	batchSize: number;
}

export class Device {
	readonly idb = new IDBFactory();
	db!: GridcareDb;
	engine!: SyncEngine;
	online = true;
	reloads = 0;
	offlineSpells = 0;
	/** Every local change recorded, in order. */
	readonly recorded: Recorded[] = [];
	/** Outbox entries that appeared outside any operation (there should be none). */
	readonly stray: Mutation[] = [];
	/** Every mutation the device sent (the first copy of each id), and how often each was sent. */
	readonly sent = new Map<string, { mutation: Mutation; times: number }>();
	/** Households this device added. */
	readonly own: string[] = [];
	#capture: Mutation[] | null = null;
	readonly #listeners = new Set<() => void>();
	readonly #bytes: () => Uint8Array;
	readonly #engineRandom: () => number;

	constructor(readonly options: DeviceOptions) {
		this.#bytes = byteSource(stream(options.seed, 'ids', options.index));
		this.#engineRandom = stream(options.seed, 'engine', options.index);
		this.#open();
	}

	get name(): string {
		return this.options.name;
	}

	/** The app starts (or starts again after a reload) over the device's IndexedDB. */
	#open(): void {
		const db = new GridcareDb({
			name: 'gridcare',
			indexedDB: this.idb,
			IDBKeyRange,
			randomBytes: this.#bytes
		});
		db.outbox.hook('creating', (_key, entry) => {
			const mutation = structuredClone((entry as StoredOutboxEntry).mutation);
			(this.#capture ?? this.stray).push(mutation);
		});
		const network: NetworkEvents = {
			onOnline: (listener) => {
				this.#listeners.add(listener);
				return () => this.#listeners.delete(listener);
			}
		};
		const transport = new HttpSyncTransport({
			getToken: () => this.options.token,
			baseUrl: `${this.options.proxyUrl}/api/v1`,
			timeoutMs: this.options.clientTimeoutMs,
			fetch: (input, init) => this.#fetch(input, init)
		});
		this.db = db;
		this.engine = new SyncEngine({
			db,
			transport,
			deviceId: this.options.name,
			userId: this.options.userId,
			random: this.#engineRandom,
			network,
			// One page per tab: the engine's own promise keeps passes from overlapping.
			lock: (run) => run(),
			batchSize: this.options.batchSize,
			debounceMs: 150,
			periodMs: 5_000,
			backoffBaseMs: 100,
			backoffCapMs: 1_500
		});
		this.engine.start();
	}

	async #fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
		if (!this.online) throw new TypeError('fetch failed: the device is offline');
		const url = String(input);
		if (init?.method === 'POST' && url.endsWith('/sync/push') && typeof init.body === 'string') {
			const { mutations } = JSON.parse(init.body) as { mutations: Mutation[] };
			for (const mutation of mutations) {
				const seen = this.sent.get(mutation.id);
				if (seen) seen.times += 1;
				else this.sent.set(mutation.id, { mutation, times: 1 });
			}
		}
		return fetch(input, {
			...init,
			headers: { ...(init?.headers as Record<string, string>), 'x-chaos-device': this.name }
		});
	}

	/** A reload: this page's engine and database go; a new one opens over the same IndexedDB. */
	async reload(): Promise<void> {
		this.engine.stop();
		this.db.close();
		this.reloads += 1;
		this.#open();
	}

	/**
	 * The network heals: online again, and the app starts afresh with the app's own request
	 * timeout (30 s, http-transport.ts), so that an overloaded server's slow answers are waited
	 * for rather than resent until nothing gets through.
	 */
	async heal(timeoutMs = 30_000): Promise<void> {
		this.options.clientTimeoutMs = timeoutMs;
		this.engine.stop();
		this.db.close();
		this.#open();
		this.setOnline(true);
	}

	setOnline(online: boolean): void {
		this.online = online;
		if (online) for (const listener of [...this.#listeners]) listener();
	}

	/** Households the device holds, by id (the order a seed's pick is taken from). */
	async #households(): Promise<string[]> {
		const ids = (await this.db.households.toCollection().primaryKeys()) as string[];
		return ids.sort();
	}

	/** Run one planned operation; returns the changes it recorded. */
	async perform(op: PlannedOp, n: number, shared: readonly string[]): Promise<Recorded[]> {
		const marker = `c${this.options.seed}-d${this.options.index}-o${n}`;
		const grid = this.options.grid;
		const households = await this.#households();
		const household = households[op.pick % households.length];
		this.#capture = [];
		try {
			switch (op.kind) {
				case 'household': {
					const row = await addHousehold(this.db, {
						gridId: grid,
						address: `户 ${marker}`,
						tags: []
					});
					this.own.push(row.id);
					break;
				}
				case 'edit': {
					const pool = op.own && this.own.length ? this.own : shared;
					const target = pool[op.pick % pool.length];
					await updateHousehold(
						this.db,
						target,
						op.field === 'address' ? { address: `改 ${marker}` } : { tags: [marker] }
					);
					break;
				}
				case 'visit':
				case 'future-visit': {
					// A visit from the last hours, or one dated three days ahead (a device clock gone wrong).
					const offset =
						op.kind === 'visit' ? -(op.pick % 3_600_000) : 3 * 86_400_000 + (op.pick % 60_000);
					await recordVisit(this.db, {
						householdId: household,
						visitedAt: new Date(Date.now() + offset).toISOString(),
						outcome: 'visited',
						checks: [],
						note: `访 ${marker}`
					});
					break;
				}
				case 'incident':
					await reportIncident(this.db, {
						gridId: grid,
						householdId: household,
						category: pick(stream(op.pick), ['safety', 'environment', 'dispute', 'other'] as const),
						severity: 'low',
						description: `事 ${marker}`
					});
					break;
			}
			const made = this.#capture;
			const expect = op.kind === 'future-visit' ? 'rejected' : 'applied';
			const recorded = made.map((mutation) => ({
				device: this.name,
				op: n,
				kind: op.kind,
				expect,
				marker,
				mutation
			})) satisfies Recorded[];
			this.recorded.push(...recorded);
			return recorded;
		} finally {
			this.#capture = null;
		}
	}

	/** A sync and, `ms` into it, a reload. */
	async reloadMidSync(ms: number): Promise<void> {
		void this.engine.syncNow();
		await sleep(ms);
		await this.reload();
	}

	/** The network is good: sync until nothing is left to send. */
	async deliver(maxPasses = 30): Promise<SyncStatus> {
		let status = this.engine.status;
		for (let i = 0; i < maxPasses; i++) {
			await this.engine.whenIdle();
			status = await this.engine.syncNow();
			const { pending } = await outboxCounts(this.db);
			if (pending === 0 && status.state === 'idle') return status;
			await sleep(100);
		}
		return status;
	}

	/** Rows of every synced table, by table and id. */
	async rows(): Promise<Map<SyncTable, Map<string, AnyRow>>> {
		const tables = new Map<SyncTable, Map<string, AnyRow>>();
		for (const table of SYNC_TABLES)
			tables.set(
				table,
				new Map((await this.db.rows(table).toArray()).map((row) => [row.id, row as AnyRow]))
			);
		return tables;
	}

	/** What /worker/outbox shows: the refused changes with their reasons, and those still waiting. */
	outbox() {
		return outboxView(this.db);
	}
}
