// This device's storage for the app: how much is used, how much the browser allows, and whether
// the browser promised not to evict it. Eviction deletes the whole origin, outbox included
// (docs/architecture.md, "On the device"), so persistence is asked for after the first download
// and shown in settings.

export interface StorageEstimateView {
	usage: number;
	quota: number;
}

/** A storage failure (IndexedDB quota or a full disk), from an error or an error message. */
export function isQuotaError(error: unknown): boolean {
	if (error === null || error === undefined) return false;
	const name = typeof error === 'object' ? String((error as { name?: unknown }).name ?? '') : '';
	const text = typeof error === 'string' ? error : error instanceof Error ? error.message : '';
	return /QuotaExceeded/i.test(name) || /quota|full disk|disk is full|no space/i.test(text);
}

/** Share of the quota used at which the settings page warns. */
export const NEARLY_FULL = 0.8;

class DeviceStorage {
	estimate = $state.raw<StorageEstimateView | null>(null);
	/** null: not known (the browser has no Storage API, or not asked yet). */
	persisted = $state<boolean | null>(null);
	/** The browser has no StorageManager at all. */
	unsupported = $state(false);

	/** Read usage, quota and persistence again. */
	async refresh(): Promise<void> {
		const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
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
		const storage = typeof navigator === 'undefined' ? undefined : navigator.storage;
		if (!storage?.persist) return null;
		try {
			this.persisted = await storage.persist();
		} catch {
			this.persisted = false;
		}
		return this.persisted;
	}

	get nearlyFull(): boolean {
		const estimate = this.estimate;
		return (
			estimate !== null && estimate.quota > 0 && estimate.usage / estimate.quota >= NEARLY_FULL
		);
	}
}

export const deviceStorage = new DeviceStorage();
