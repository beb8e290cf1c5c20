// Test doubles for the data layer and the sync engine (imported by *.test.ts only): an isolated
// in-memory IndexedDB per database, manual timers with a clock, and an in-memory sync server that
// follows server/sync/push.ts closely (idempotent ids, per-field merge, a change log, paged pulls).
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { mergeEdit, type FieldMeta } from '../../../server/sync/merge';
import { GridcareDb } from '$lib/db/db';
import { maskIdNumber } from '$lib/shared/mask';
import type { Mutation } from '$lib/shared/schemas';
import type { Timers } from './engine';
import {
	OfflineError,
	type PullPage,
	type PulledChange,
	type PushResult,
	type SyncTransport
} from './transport';

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

interface ServerRow {
	table: string;
	fields: Record<string, unknown>;
	version: number;
	meta: FieldMeta;
	deleted: boolean;
}

interface LoggedChange extends PulledChange {
	version: number;
}

type Hook = (mutations: Mutation[]) => void;

/** An in-memory sync server with the contract's semantics, and fault injection around it. */
export class FakeSyncServer {
	readonly rows = new Map<string, ServerRow>();
	readonly log: LoggedChange[] = [];
	readonly applied = new Set<string>();
	/** Every push batch received (after `beforePush` let it through). */
	readonly pushes: Mutation[][] = [];
	readonly pulls: (string | null)[] = [];
	/** Refuse a mutation with a reason, as validation or scope would. */
	reject: (mutation: Mutation) => string | undefined = () => undefined;
	/** Runs before a push reaches the server: throw to lose the request. */
	beforePush: Hook | null = null;
	/** Runs after the server applied a push: throw to lose the answer. */
	afterPush: Hook | null = null;
	/** Runs before a pull is answered: throw to fail it. */
	beforePull: ((cursor: string | null) => void) | null = null;

	row(table: string, rowId: string): ServerRow | undefined {
		return this.rows.get(`${table}:${rowId}`);
	}

	push(mutations: Mutation[]): PushResult[] {
		this.pushes.push(mutations);
		return mutations.map((m) => this.#applyOne(m));
	}

	pull(cursor: string | null, limit: number): PullPage {
		this.pulls.push(cursor);
		const after = cursor === null ? 0 : Number(cursor);
		const rest = this.log.filter((c) => c.version > after);
		const page = rest.slice(0, limit);
		return {
			changes: page.map((c) => ({ ...c, fields: structuredClone(c.fields) })),
			cursor: String(page.length ? page[page.length - 1].version : after),
			hasMore: rest.length > limit
		};
	}

	/** Another device's update, applied directly (key: its base version and id). */
	applyFromOtherDevice(mutation: Mutation): PushResult {
		return this.#applyOne(mutation);
	}

	get transport(): SyncTransport {
		return {
			push: async (_deviceId, mutations) => {
				const copy = structuredClone(mutations);
				this.beforePush?.(copy);
				const results = this.push(copy);
				this.afterPush?.(copy);
				return results;
			},
			pull: async (cursor, limit) => {
				this.beforePull?.(cursor);
				return this.pull(cursor, limit);
			}
		};
	}

	#applyOne(m: Mutation): PushResult {
		if (this.applied.has(m.id)) return { id: m.id, status: 'duplicate' };
		const reason = this.reject(m) ?? this.#check(m);
		if (reason) return { id: m.id, status: 'rejected', reason };
		this.applied.add(m.id);
		const key = `${m.table}:${m.rowId}`;
		const fields = visibleFields(m.table, m.fields);
		if (m.op === 'insert') {
			const version = this.#logChange(m, { id: m.rowId, ...fields });
			this.rows.set(key, {
				table: m.table,
				fields: { id: m.rowId, ...fields },
				version,
				meta: {},
				deleted: false
			});
			return { id: m.id, status: 'applied', version };
		}
		const row = this.rows.get(key)!;
		if (m.op === 'delete') {
			row.deleted = true;
			row.version = this.#logChange(m, {});
			return { id: m.id, status: 'applied', version: row.version };
		}
		const merged = mergeEdit(row.meta, fields, [m.baseVersion!, m.id]);
		row.meta = merged.meta;
		if (Object.keys(merged.won).length === 0) return { id: m.id, status: 'applied' };
		Object.assign(row.fields, merged.won);
		row.version = this.#logChange(m, merged.won);
		return { id: m.id, status: 'applied', version: row.version };
	}

	#check(m: Mutation): string | undefined {
		const row = this.rows.get(`${m.table}:${m.rowId}`);
		if (m.op === 'insert') return row ? 'rowId: a row with this id already exists' : undefined;
		if (m.table === 'visits' || m.table === 'checkins') return `op: ${m.table} are immutable`;
		if (!row) return 'rowId: no such row';
		if (row.deleted) return 'rowId: the row has been deleted';
		if (m.op === 'update' && m.baseVersion === undefined)
			return 'baseVersion: required for an update';
		return undefined;
	}

	#logChange(m: Mutation, fields: Record<string, unknown>): number {
		const version = this.log.length + 1;
		this.log.push({
			table: m.table,
			op: m.op,
			rowId: m.rowId,
			fields: structuredClone(fields),
			version
		});
		return version;
	}
}

/** The server keeps a full ID number to itself; the log carries the masked form. */
function visibleFields(table: string, fields: Record<string, unknown>): Record<string, unknown> {
	if (table !== 'residents' || typeof fields.idNumber !== 'string') return { ...fields };
	const { idNumber, ...rest } = fields;
	return { ...rest, idNumberMasked: maskIdNumber(idNumber) };
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
