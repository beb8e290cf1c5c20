// The device's IndexedDB database (docs/architecture.md, "On the device"): the cached scope as
// pulled from the server, the outbox of local changes not yet acknowledged, and a few sync
// bookkeeping values.
//
// Durability: Dexie 4.4 takes no per-transaction options; the IndexedDB durability hint is the
// database option `chromeTransactionDurability`, applied to every transaction it opens. We set it
// to 'strict' so an outbox entry is on disk before the write reports success (Chromium defaults
// to 'relaxed', which can lose the last commits on a power cut).
import { Dexie, type EntityTable, type Table } from 'dexie';
import type {
	CheckinChannel,
	CheckinStatus,
	IncidentCategory,
	IncidentStatus,
	Severity,
	Sex,
	SyncTable,
	VisitOutcome
} from '$lib/shared/enums';
import type { Mutation, ResidentCheck } from '$lib/shared/schemas';
import type { StoredAnswer, TemplateVersion } from '$lib/shared/templates';
import type { CareTag, DueReason } from '$lib/domain/care';
import { FieldCipher, isSealed, LockedError, SEALED_FIELDS } from './sealed';

// Row shapes are type aliases, not interfaces, so that they fit the generic AnyRow below.

/** Bookkeeping every synced row carries besides the fields the server sends. */
export type SyncedRow = {
	id: string;
	/** The row's server version: the base of the next local update. Absent until the server has the row. */
	version?: number;
	/**
	 * Server values of fields that a local edit overrides on screen. Pulls write here instead of
	 * over the local value; once the edit is delivered and a pull has caught up, they come back.
	 */
	serverValues?: Record<string, unknown>;
	/** 1 while `serverValues` is non-empty; absent otherwise, so the index lists only edited rows. */
	hasLocalEdits?: 1;
};

export type HouseholdRow = SyncedRow & {
	gridId: string;
	address: string;
	tags: string[];
	lat: number | null;
	lng: number | null;
	/** Maintained by the server; absent on a household created on this device until pulled. */
	memberCount?: number;
	/**
	 * Care tiers (docs/care-tiers.md), worked out by the server and absent until pulled: the day
	 * of the last visit that found someone home, the day the next visit is due and why, and the
	 * tag whose visit frequency applies.
	 */
	lastVisitedOn?: string | null;
	dueOn?: string | null;
	dueReason?: DueReason | null;
	careTag?: CareTag | null;
};

export type ResidentRow = SyncedRow & {
	householdId: string;
	gridId?: string;
	name: string;
	/** The full ID number never comes back from the server; this device keeps only the masked form. */
	idNumberMasked: string | null;
	phone: string | null;
	birthYear: number | null;
	sex: Sex | null;
	/** 与户主关系 (户主, 配偶, 子女 …). Absent on rows cached before the field existed. */
	relation?: string | null;
	/** A landline with its area code, 0771-1234567; sealed at rest like the phone. */
	landline?: string | null;
	/** 备注; sealed at rest. */
	note?: string | null;
	tags: string[];
	dailyCheckIn: boolean;
};

export type VisitRow = SyncedRow & {
	householdId: string;
	gridId?: string;
	workerId?: string;
	/** ISO 8601 in UTC (`toISOString`), so that string order is time order in the index. */
	visitedAt: string;
	day?: string;
	outcome: VisitOutcome;
	checks: ResidentCheck[];
	needs: string[];
	note: string | null;
	abnormal: boolean;
	/** The check template answered (docs/check-templates.md); null or absent for fixed checks. */
	templateId?: string | null;
	templateVersion?: number | null;
	/** The answers with their abnormal flags; sealed at rest like `checks`. */
	answers?: StoredAnswer[];
};

export type CheckinRow = SyncedRow & {
	residentId: string;
	gridId?: string;
	/** ISO 8601 in UTC. */
	at: string;
	day?: string;
	status: CheckinStatus;
	channel: CheckinChannel;
	needs: string[];
	assistedBy?: string | null;
	recordedBy?: string;
};

export type IncidentRow = SyncedRow & {
	gridId: string;
	communityCode?: string;
	householdId: string | null;
	residentId?: string | null;
	category: IncidentCategory;
	severity: Severity;
	description: string;
	status: IncidentStatus;
	/** ISO 8601. */
	dueAt: string;
	escalatedTo?: string | null;
	assigneeId?: string | null;
	reportedBy?: string;
	rating?: number | null;
};

export interface RowOf {
	households: HouseholdRow;
	residents: ResidentRow;
	visits: VisitRow;
	checkins: CheckinRow;
	incidents: IncidentRow;
}

/** A row of any synced table, seen generically (pull folding, result handling). */
export type AnyRow = SyncedRow & { [field: string]: unknown };

export type OutboxState = 'pending' | 'rejected';

export interface OutboxEntry {
	/** Auto-increment: the order in which changes were made on this device. */
	seq?: number;
	/** Copies of `mutation.table` and `mutation.rowId` for the `[table+rowId]` index. */
	table: SyncTable;
	rowId: string;
	mutation: Mutation;
	state: OutboxState;
	/** Why the server rejected it, naming the field. */
	reason?: string;
	/** Epoch milliseconds (device clock; for display only, never for ordering). */
	createdAt: number;
	/** Times sent. Once sent, the server may have applied it, so it is never folded into. */
	attempts: number;
	/**
	 * Epoch milliseconds (device clock) until which the entry is not sent: the window in which a
	 * person may still undo it (see outbox.ts `isHeld`). Absent for most entries.
	 */
	holdUntil?: number;
}

/** An outbox entry as read back from the database: its `seq` is known. */
export type StoredOutboxEntry = OutboxEntry & { seq: number };

export interface MetaEntry {
	key: string;
	value: unknown;
}

/** A pulled change this app version cannot apply (unknown table or op): kept, never dropped. */
export interface ParkedChange {
	id?: number;
	change: {
		table: string;
		op: string;
		rowId: string;
		fields: Record<string, unknown>;
		version: number;
	};
	parkedAt: number;
}

/** A check round covering this device's grids, as pulled; read-only on devices. */
export type RoundRow = {
	id: string;
	divisionCode: string;
	name: string;
	/** YYYY-MM-DD, first day of the round. */
	startDate: string;
	/** YYYY-MM-DD, last day of the round. */
	dueDate: string;
	/** The template version the round pins: the visit form asks its questions. */
	template?: TemplateVersion;
};

export const UPDATABLE_TABLES = ['households', 'residents', 'incidents'] as const;
export type UpdatableTable = (typeof UPDATABLE_TABLES)[number];

export interface GridcareDbOptions {
	/** Database name; tests pass a unique one. */
	name?: string;
	/** An IndexedDB implementation (fake-indexeddb in tests); defaults to the browser's. */
	indexedDB?: IDBFactory;
	IDBKeyRange?: typeof IDBKeyRange;
	/** Epoch milliseconds; injected so tests control time. */
	now?: () => number;
	/** 16 random bytes per call, for ids. */
	randomBytes?: () => Uint8Array;
	/**
	 * Sensitive fields are kept sealed (sealed.ts): writes and reads of them need `cipher`, and
	 * fail with a LockedError without it. Off, values are kept as given (tests of other parts).
	 */
	encrypted?: boolean;
}

type LocalWriteListener = () => void;

export class GridcareDb extends Dexie {
	declare households: EntityTable<HouseholdRow, 'id'>;
	declare residents: EntityTable<ResidentRow, 'id'>;
	declare visits: EntityTable<VisitRow, 'id'>;
	declare checkins: EntityTable<CheckinRow, 'id'>;
	declare incidents: EntityTable<IncidentRow, 'id'>;
	declare outbox: EntityTable<OutboxEntry, 'seq'>;
	declare meta: EntityTable<MetaEntry, 'key'>;
	declare parked: EntityTable<ParkedChange, 'id'>;
	declare rounds: EntityTable<RoundRow, 'id'>;

	readonly now: () => number;
	readonly randomBytes: () => Uint8Array;
	readonly encrypted: boolean;
	/** The data key's cipher while the app is unlocked; null while locked. */
	cipher: FieldCipher | null = null;
	readonly #listeners = new Set<LocalWriteListener>();

	constructor(options: GridcareDbOptions = {}) {
		super(options.name ?? 'gridcare', {
			chromeTransactionDurability: 'strict',
			...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
			...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {})
		});
		this.now = options.now ?? (() => Date.now());
		this.randomBytes = options.randomBytes ?? (() => crypto.getRandomValues(new Uint8Array(16)));
		this.encrypted = options.encrypted ?? false;
		// One index per multi-field query; `hasLocalEdits` is sparse (only edited rows carry it).
		this.version(1).stores({
			households: 'id, [gridId+address], hasLocalEdits',
			residents: 'id, householdId, hasLocalEdits',
			visits: 'id, [householdId+visitedAt]',
			checkins: 'id, [residentId+at]',
			incidents: 'id, gridId, hasLocalEdits',
			outbox: '++seq, state, [state+seq], [table+rowId]',
			meta: 'key',
			parked: '++id'
		});
		// The worker's grid screens read a whole grid at once: its residents (search by name) and
		// its visits in time order (coverage this month, the last visit of each household).
		this.version(2).stores({
			residents: 'id, householdId, gridId, hasLocalEdits',
			visits: 'id, [householdId+visitedAt], [gridId+visitedAt]'
		});
		// Check rounds set the period coverage is counted over (calendar.ts); pulled, never pushed.
		this.version(3).stores({
			rounds: 'id, startDate'
		});
		// Entries held back for an undo: the sync engine looks up when the next hold ends.
		this.version(4).stores({
			outbox: '++seq, state, [state+seq], [table+rowId], holdUntil'
		});
	}

	/** The table holding a synced table's rows, seen generically. */
	rows(table: SyncTable): Table<AnyRow, string> {
		return this.table<AnyRow, string>(table);
	}

	get syncedTables(): Table[] {
		return [this.households, this.residents, this.visits, this.checkins, this.incidents];
	}

	/** Whether sealed fields can be written and read now. */
	get unlocked(): boolean {
		return !this.encrypted || this.cipher !== null;
	}

	/** A table's fields as they are stored: sensitive values sealed when this database seals. */
	async sealFields<F extends Record<string, unknown>>(table: SyncTable, fields: F): Promise<F> {
		if (!this.encrypted) return fields;
		if (!this.cipher) {
			if (SEALED_FIELDS[table].some((name) => fields[name] !== undefined && fields[name] !== null))
				throw new LockedError();
			return fields;
		}
		return this.cipher.sealFields(table, fields);
	}

	/** Fields (of a mutation) with their sealed values opened. */
	async openFields<F extends Record<string, unknown>>(fields: F): Promise<F> {
		if (this.cipher) return this.cipher.openFields(fields);
		if (Object.values(fields).some(isSealed)) throw new LockedError();
		return fields;
	}

	/** Rows read from a table, with their sealed values opened for a screen. */
	async openRows<R extends Record<string, unknown>>(rows: R[]): Promise<R[]> {
		const cipher = this.cipher;
		if (cipher) return Promise.all(rows.map((row) => cipher.openRow(row)));
		if (rows.some((row) => Object.values(row).some(isSealed))) throw new LockedError();
		return rows;
	}

	async openRow<R extends Record<string, unknown>>(row: R): Promise<R>;
	async openRow<R extends Record<string, unknown>>(row: R | undefined): Promise<R | undefined>;
	async openRow<R extends Record<string, unknown>>(row: R | undefined): Promise<R | undefined> {
		return row === undefined ? undefined : (await this.openRows([row]))[0];
	}

	/** Listen for committed local changes (the sync engine debounces a push on these). */
	onLocalWrite(listener: LocalWriteListener): () => void {
		this.#listeners.add(listener);
		return () => this.#listeners.delete(listener);
	}

	/** Called after a local change has committed. */
	notifyLocalWrite(): void {
		for (const listener of this.#listeners) listener();
	}
}
