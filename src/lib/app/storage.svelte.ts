// This device's storage for the app: how much is used, how much the browser allows, whether the
// browser promised not to evict it, and what can be freed. Eviction deletes the whole origin,
// outbox included (docs/architecture.md, "On the device"), so persistence is asked for after the
// first download (persistence.ts) and shown in settings; a full disk is told where the worker is
// (docs/field-performance.md, "Storage").
import type { GridcareDb } from '$lib/db/db';
import { pruneSyncedHistory, type Pruned } from '$lib/db/free-space';
import { TILE_CACHE } from '$lib/sw/tiles';
import {
	PERSIST_ASK_KEY,
	persistAskOf,
	shouldAskPersistence,
	type PersistAsk,
	type PersistPermission
} from './persistence';

export { isQuotaError, StorageFullError } from '$lib/db/quota';

export interface StorageEstimateView {
	usage: number;
	quota: number;
}

/** Share of the quota used at which the settings page warns. */
export const NEARLY_FULL = 0.8;

/** What "free up space" removed. */
export interface Freed extends Pruned {
	/** Map tiles dropped from the tile cache. */
	tiles: number;
}

function storageManager(): StorageManager | undefined {
	return typeof navigator === 'undefined' ? undefined : navigator.storage;
}

async function permissionState(): Promise<PersistPermission> {
	try {
		const status = await navigator.permissions?.query({
			name: 'persistent-storage' as PermissionName
		});
		return status?.state ?? null;
	} catch {
		return null;
	}
}

/** Drop the map tiles viewed so far; they come back when viewed again online. */
export async function clearTileCache(): Promise<number> {
	if (typeof caches === 'undefined' || !(await caches.has(TILE_CACHE.name))) return 0;
	const tiles = (await (await caches.open(TILE_CACHE.name)).keys()).length;
	await caches.delete(TILE_CACHE.name);
	return tiles;
}

class DeviceStorage {
	estimate = $state.raw<StorageEstimateView | null>(null);
	/** null: not known (the browser has no Storage API, or not asked yet). */
	persisted = $state<boolean | null>(null);
	/** The browser has no StorageManager at all. */
	unsupported = $state(false);
	/** A change was refused for a full disk since the last one saved (the settings page says what to do). */
	refused = $state(false);

	noteRefused(): void {
		this.refused = true;
	}

	/** A change was saved: there is room again. */
	noteSaved(): void {
		this.refused = false;
	}

	/** Read usage, quota and persistence again. */
	async refresh(): Promise<void> {
		const storage = storageManager();
		if (!storage?.estimate) {
			this.unsupported = true;
			return;
		}
		const [estimate, persisted] = await Promise.all([
			storage.estimate(),
			storage.persisted ? storage.persisted() : Promise.resolve(null)
		]);
		this.estimate = { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 };
		this.persisted = persisted;
	}

	/** Ask the browser to keep this origin's data; returns whether it agreed. */
	async requestPersistence(): Promise<boolean | null> {
		const storage = storageManager();
		if (!storage?.persist) return null;
		try {
			this.persisted = await storage.persist();
		} catch {
			this.persisted = false;
		}
		return this.persisted;
	}

	/**
	 * Ask as a person asked (the settings button), or by itself when persistence.ts says so, and
	 * keep the answer in the user's database. Returns the browser's answer, or null when it was
	 * not asked.
	 */
	async askPersistence(
		db: GridcareDb,
		reason: PersistAsk['reason'],
		now = Date.now()
	): Promise<boolean | null> {
		const storage = storageManager();
		if (!storage?.persist) return null;
		if (reason !== 'person') {
			const [last, persisted, permission] = await Promise.all([
				db.meta.get(PERSIST_ASK_KEY).then((entry) => persistAskOf(entry?.value)),
				storage.persisted ? storage.persisted() : Promise.resolve(null),
				permissionState()
			]);
			if (!shouldAskPersistence(reason, last, { persisted, permission }, now)) {
				this.persisted = persisted;
				return null;
			}
		}
		const granted = (await this.requestPersistence()) === true;
		const record: PersistAsk = { at: now, granted, reason };
		// Bookkeeping: should it fail (a full disk), the next start asks again.
		await db.meta.put({ key: PERSIST_ASK_KEY, value: record }).catch(() => undefined);
		return granted;
	}

	/**
	 * Free what the device can do without (free-space.ts): old synced visits and check-ins, and
	 * the map tile cache. The tiles' space is back at once; the database's once the browser
	 * compacts its files.
	 */
	async free(db: GridcareDb | null, now = Date.now()): Promise<Freed> {
		const [pruned, tiles] = await Promise.all([
			db ? pruneSyncedHistory(db, now) : Promise.resolve({ visits: 0, checkins: 0 }),
			clearTileCache()
		]);
		await this.refresh().catch(() => undefined);
		return { ...pruned, tiles };
	}

	get nearlyFull(): boolean {
		const estimate = this.estimate;
		return (
			estimate !== null && estimate.quota > 0 && estimate.usage / estimate.quota >= NEARLY_FULL
		);
	}
}

export const deviceStorage = new DeviceStorage();
