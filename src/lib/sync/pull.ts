// Applying pulled changes to the cached rows.
//
// Changes arrive in server order; folding a row's `fields` in that order gives the row as the
// server holds it. A page is applied in transactions of at most `chunkSize` rows, and the cursor
// is written in the same transaction as the page's last rows, so a crash part-way leaves the old
// cursor and the page is pulled again (re-folding a suffix of the log gives the same rows).
//
// `pullAll` runs the pages as a pipeline: while one page is written, the next one is sealed and
// the one after it is on its way. In the browser it runs in a Web Worker (pull.worker.ts), so
// none of this work holds up the page.
//
// A field that a local change still overrides is not overwritten: the pulled value goes to the
// row's `serverValues`, and the screen keeps showing the local value. Once the outbox no longer
// touches the field and a pull has caught up after the push, the server's value (the merge
// winner, whichever device it came from) is put back: see `settleLocalEdits`.
import { SYNC_TABLES, type SyncTable } from '$lib/shared/enums';
import { templateVersionSchema } from '$lib/shared/templates';
import { UPDATABLE_TABLES, type AnyRow, type GridcareDb, type RoundRow } from '$lib/db/db';
import { restoreServerValues } from '$lib/db/local-rows';
import { isSealed, LockedError, SEALED_FIELDS } from '$lib/db/sealed';
import { touchedFields } from './outbox';
import {
	ScopeChangedError,
	ServerError,
	type PullPage,
	type PulledChange,
	type SyncTransport
} from './transport';

/** Rows per transaction: each strict-durability commit waits for the disk, so few and large. */
export const DEFAULT_PULL_CHUNK = 5000;

/** Changes in the first page of a first download (later pages are as large as allowed). */
export const FIRST_PAGE_LIMIT = 1000;

/** Where the cursor of a user's scope is kept (meta table). */
export const cursorKey = (userId: string) => `sync.cursor.${userId}`;

export async function loadCursor(db: GridcareDb, userId: string): Promise<string | null> {
	const entry = await db.meta.get(cursorKey(userId));
	return typeof entry?.value === 'string' ? entry.value : null;
}

/** Names a pulled change may not set: they are this device's bookkeeping, not server fields. */
const RESERVED_FIELDS = new Set(['version', 'serverValues', 'hasLocalEdits']);

const isKnownTable = (table: string): table is SyncTable =>
	(SYNC_TABLES as readonly string[]).includes(table);
const isKnownOp = (op: string) => op === 'insert' || op === 'update' || op === 'delete';

/** Fold one change into a row; null means the row is deleted. Pure. */
export function foldChange(row: AnyRow | undefined, change: PulledChange): AnyRow | null {
	if (change.op === 'delete') return null;
	const next: AnyRow = row ? { ...row } : { id: change.rowId };
	const serverValues = row?.serverValues ? { ...row.serverValues } : undefined;
	for (const [field, value] of Object.entries(change.fields)) {
		if (RESERVED_FIELDS.has(field)) continue;
		if (serverValues && field in serverValues) serverValues[field] = value;
		else next[field] = value;
	}
	if (serverValues) next.serverValues = serverValues;
	next.version = Math.max(row?.version ?? 0, change.version);
	return next;
}

/**
 * The ids of the rows a table holds, read once before a first download: a pulled change of any
 * other row needs no read before it is written (most of a first download). Kept up to date by
 * `applyPulledPage` as pages are written.
 */
export type KnownRows = Map<SyncTable, Set<string>>;

export async function knownRows(db: GridcareDb): Promise<KnownRows> {
	const known: KnownRows = new Map();
	for (const table of SYNC_TABLES)
		known.set(table, new Set(await db.rows(table).toCollection().primaryKeys()));
	return known;
}

/** Apply a pulled page and then save its cursor (in the transaction of the page's last rows). */
export async function applyPulledPage(
	db: GridcareDb,
	page: PullPage,
	userId: string,
	chunkSize = DEFAULT_PULL_CHUNK,
	known: KnownRows | null = null
): Promise<void> {
	const changes = await sealChanges(db, page.changes);
	await writeSealedPage(db, { ...page, changes }, userId, chunkSize, known);
}

/** Write a page whose changes `sealChanges` has sealed, with its cursor (see applyPulledPage). */
async function writeSealedPage(
	db: GridcareDb,
	page: PullPage,
	userId: string,
	chunkSize: number,
	known: KnownRows | null
): Promise<void> {
	const { changes } = page;
	const chunks: PulledChange[][] = [];
	for (let i = 0; i < changes.length; i += chunkSize) chunks.push(changes.slice(i, i + chunkSize));
	if (chunks.length === 0) chunks.push([]);
	for (const [i, changes] of chunks.entries()) {
		await db.transaction('rw', [...db.syncedTables, db.meta, db.parked, db.rounds], async () => {
			await applyChanges(db, changes, known);
			if (i === chunks.length - 1)
				await db.meta.put({ key: cursorKey(userId), value: page.cursor });
		});
	}
}

export interface PullAllOptions {
	db: GridcareDb;
	transport: SyncTransport;
	/** The pull cursor is kept per user. */
	userId: string;
	/** Page size once the device has a cursor. */
	limit: number;
	/** Page size of a first download (no cursor yet): fewer round trips for the bulk of data. */
	firstLimit: number;
	/** Size of a first download's first page; defaults to FIRST_PAGE_LIMIT. */
	firstPageLimit?: number;
	chunkSize?: number;
	/**
	 * Called once a page is stored with its cursor (the download's progress counts what the
	 * device holds, not what arrived: a page that did not fit is not counted).
	 */
	onStored?: (page: PullPage) => void;
}

/**
 * Pull every page after the saved cursor into the database; when the server answers that the
 * user's scope changed since the cursor was issued, download the scope again from scratch
 * (`restartScope`) and pull from the beginning.
 */
export async function pullAll(options: PullAllOptions): Promise<void> {
	try {
		await pullPages(options);
	} catch (error) {
		if (!(error instanceof ScopeChangedError)) throw error;
		await restartScope(options.db, options.userId);
		await pullPages(options);
	}
}

/**
 * Forget the downloaded scope (docs/architecture.md, "When a user's scope changes"): the cursor
 * goes, and so does every pulled row except those the outbox still refers to and those with
 * local changes not yet delivered. The download that follows brings the rows of the new scope
 * (into the kept rows, where local values keep winning until their push is answered); rows of
 * grids no longer in scope are not brought back.
 */
export async function restartScope(db: GridcareDb, userId: string): Promise<void> {
	await db.transaction('rw', [...db.syncedTables, db.meta, db.outbox], async () => {
		const pending = new Set<string>();
		await db.outbox.each((entry) => void pending.add(`${entry.table}:${entry.rowId}`));
		for (const table of SYNC_TABLES) {
			const rows = db.rows(table);
			const gone: string[] = [];
			await rows.each((row) => {
				const local = row.version === undefined || Boolean(row.hasLocalEdits);
				if (!local && !pending.has(`${table}:${row.id}`)) gone.push(row.id);
			});
			await rows.bulkDelete(gone);
		}
		await db.meta.delete(cursorKey(userId));
	});
}

/**
 * Pull every page after the saved cursor into the database. Pages are written one after the
 * other, each with its cursor, but the work around them overlaps: as soon as a page arrives the
 * next one is asked for, and the page is sealed while the one before it is still being written.
 * At most one page is being written, one sealed and one on its way; a failure anywhere leaves
 * the rows and cursor of the pages written before it.
 */
async function pullPages(options: PullAllOptions): Promise<void> {
	const {
		db,
		transport,
		userId,
		chunkSize = DEFAULT_PULL_CHUNK,
		firstPageLimit = FIRST_PAGE_LIMIT
	} = options;
	let cursor = await loadCursor(db, userId);
	const limit = cursor === null ? options.firstLimit : options.limit;
	// A first download brings mostly rows this device does not hold: no need to read them first.
	const known = cursor === null ? await knownRows(db) : null;
	// A first download leaves user timings for tools and benchmarks: where its time went.
	const time = timing(known !== null);
	// A small first page: writing, and the progress on screen, start sooner.
	let next = transport.pull(cursor, cursor === null ? Math.min(limit, firstPageLimit) : limit);
	let writing: Promise<void> = Promise.resolve();
	try {
		for (let n = 1; ; n++) {
			const page = await next;
			if (page.hasMore && page.cursor === cursor)
				throw new ServerError(200, 'pull: the cursor did not advance');
			if (page.hasMore) {
				next = transport.pull(page.cursor, limit);
				// Awaited in the next round; a failure while this page is handled must not go unhandled.
				next.catch(() => undefined);
			}
			const sealed = time(`seal ${n}`, () => sealChanges(db, page.changes));
			sealed.catch(() => undefined);
			// The page before this one is stored before this one's transaction opens.
			await writing;
			writing = sealed
				.then((changes) =>
					time(`write ${n}`, () =>
						writeSealedPage(db, { ...page, changes }, userId, chunkSize, known)
					)
				)
				.then(() => options.onStored?.(page));
			writing.catch(() => undefined);
			if (!page.hasMore) break;
			cursor = page.cursor;
		}
	} finally {
		// Whatever failed, the write under way finishes (or fails) before the caller goes on.
		await writing.catch(() => undefined);
	}
	await writing;
}

/** Runs a step, recording how long it takes as a user timing ("gridcare pull: write 2"). */
function timing(enabled: boolean) {
	const clock = globalThis.performance;
	if (!enabled || typeof clock?.measure !== 'function')
		return <T>(_name: string, step: () => Promise<T>) => step();
	return async <T>(name: string, step: () => Promise<T>): Promise<T> => {
		const start = clock.now();
		const value = await step();
		clock.measure(`gridcare pull: ${name}`, { start, end: clock.now() });
		return value;
	};
}

/**
 * Pulled changes as they are stored: sensitive values sealed (db.ts). WebCrypto is asynchronous
 * work outside IndexedDB, so it runs before the page's transactions open.
 */
export async function sealChanges(
	db: GridcareDb,
	changes: readonly PulledChange[]
): Promise<PulledChange[]> {
	const sealed = [...changes];
	if (!db.encrypted) return sealed;
	// All values of the page go to WebCrypto at once, each written back into its change's copy.
	const pending: Promise<void>[] = [];
	const cipher = db.cipher;
	for (const [i, change] of changes.entries()) {
		if (!isKnownTable(change.table) || change.op === 'delete') continue;
		const names = SEALED_FIELDS[change.table].filter((name) => {
			const value = change.fields[name];
			return value !== undefined && value !== null && !isSealed(value);
		});
		if (names.length === 0) continue;
		if (!cipher) throw new LockedError();
		const fields = { ...change.fields };
		sealed[i] = { ...change, fields };
		for (const name of names)
			pending.push(cipher.seal(name, fields[name]).then((value) => void (fields[name] = value)));
	}
	await Promise.all(pending);
	return sealed;
}

/** A pulled `rounds` change as its row. */
function roundOf(change: PulledChange): RoundRow {
	const f = change.fields;
	const template = templateVersionSchema.safeParse(f.template);
	return {
		id: change.rowId,
		divisionCode: String(f.divisionCode),
		name: String(f.name),
		startDate: String(f.startDate),
		dueDate: String(f.dueDate),
		// The template version the round pins (docs/check-templates.md); one this app cannot read
		// leaves the round without it, and the form asks the routine questions.
		...(template.success ? { template: template.data } : {})
	};
}

async function applyChanges(
	db: GridcareDb,
	changes: readonly PulledChange[],
	known: KnownRows | null
): Promise<void> {
	const byTable = new Map<SyncTable, PulledChange[]>();
	const unknown: PulledChange[] = [];
	const rounds: PulledChange[] = [];
	for (const change of changes) {
		if (change.table === 'rounds' && (change.op === 'insert' || change.op === 'update'))
			rounds.push(change);
		else if (!isKnownTable(change.table) || !isKnownOp(change.op)) unknown.push(change);
		else {
			const list = byTable.get(change.table) ?? [];
			list.push(change);
			byTable.set(change.table, list);
		}
	}
	if (rounds.length) await db.rounds.bulkPut(rounds.map((change) => roundOf(change)));
	if (unknown.length)
		await db.parked.bulkAdd(unknown.map((change) => ({ change, parkedAt: db.now() })));
	for (const [table, tableChanges] of byTable) {
		const rows = db.rows(table);
		const ids = [...new Set(tableChanges.map((c) => c.rowId))];
		const current = new Map<string, AnyRow | null>();
		const held = known?.get(table);
		// Only rows this device may hold are read; the others are new.
		const toRead = held ? ids.filter((id) => held.has(id)) : ids;
		for (const id of ids) current.set(id, null);
		if (toRead.length)
			(await rows.bulkGet(toRead)).forEach((row, i) => current.set(toRead[i], row ?? null));
		for (const change of tableChanges)
			current.set(change.rowId, foldChange(current.get(change.rowId) ?? undefined, change));
		const kept = [...current.values()].filter((row): row is AnyRow => row !== null);
		const deleted = ids.filter((id) => current.get(id) === null);
		if (kept.length) await rows.bulkPut(kept);
		if (deleted.length) await rows.bulkDelete(deleted);
		if (held) {
			for (const row of kept) held.add(row.id);
			for (const id of deleted) held.delete(id);
		}
	}
}

/**
 * After a complete pull: give back the server's value of every locally edited field that no
 * outbox entry touches any more. Its edit was delivered before this pull started, so the pull has
 * brought whatever the server's merge kept. Returns how many rows changed.
 */
export async function settleLocalEdits(db: GridcareDb): Promise<number> {
	return db.transaction('rw', [db.households, db.residents, db.incidents, db.outbox], async () => {
		let settled = 0;
		for (const table of UPDATABLE_TABLES) {
			const rows = db.rows(table);
			for (const row of await rows.where('hasLocalEdits').equals(1).toArray()) {
				const next = restoreServerValues(row, await touchedFields(db, table, row.id));
				if (
					Object.keys(next.serverValues ?? {}).length === Object.keys(row.serverValues ?? {}).length
				)
					continue;
				await rows.put(next);
				settled += 1;
			}
		}
		return settled;
	});
}
