// The last answer of every supervision request, kept on the device (IndexedDB via idb-keyval),
// one entry per request path and user, so that a supervisor with no network still sees the
// last figures with the time they were fetched. Personal data is not kept here: the screens
// cache roll-up figures, grid summaries, rounds, alerts and settings, never incident details.
import { createStore, del, get, keys, set, type UseStore } from 'idb-keyval';

export interface Snapshot<T> {
	data: T;
	/** ISO 8601: when the server sent it. */
	savedAt: string;
}

const PREFIX = 'sv:';

/** A snapshot store in its own IndexedDB database, apart from the session and the grid data. */
export class SnapshotCache {
	#store: UseStore | null = null;

	constructor(
		private readonly dbName = 'gridcare-supervise',
		private readonly storeName = 'snapshots'
	) {}

	get #db(): UseStore {
		this.#store ??= createStore(this.dbName, this.storeName);
		return this.#store;
	}

	static key(userId: string, path: string): string {
		return `${PREFIX}${userId}:${path}`;
	}

	async read<T>(userId: string, path: string): Promise<Snapshot<T> | undefined> {
		return get<Snapshot<T>>(SnapshotCache.key(userId, path), this.#db);
	}

	async write<T>(userId: string, path: string, data: T, savedAt = new Date()): Promise<void> {
		await set(SnapshotCache.key(userId, path), { data, savedAt: savedAt.toISOString() }, this.#db);
	}

	/** Drop the snapshots of every other user of this device (a shared office desktop). */
	async forgetOthers(userId: string): Promise<number> {
		const mine = `${PREFIX}${userId}:`;
		const stale = (await keys(this.#db)).filter(
			(key) => typeof key === 'string' && key.startsWith(PREFIX) && !key.startsWith(mine)
		);
		await Promise.all(stale.map((key) => del(key, this.#db)));
		return stale.length;
	}
}

export const snapshots = new SnapshotCache();

/** The current time in ISO 8601 (the time a snapshot was fetched). */
export const isoNow = (): string => new Date().toISOString();
