// The sync client (Dexie, the sync engine, the pull worker's client) is loaded when someone
// signs in or a stored session opens the app, never with the sign-in page alone: that page must
// stay small on a slow link (docs/field-performance.md, "Caching and budgets"). Screens of
// signed-in users import `syncClient` directly; code that runs before anyone signs in loads it
// through here.
type SyncModule = typeof import('./sync.svelte');

let loading: Promise<SyncModule> | null = null;

export function loadSync(): Promise<SyncModule> {
	loading ??= import('./sync.svelte').catch((error: unknown) => {
		// Offline before the code was ever cached: the next call tries again.
		loading = null;
		throw error;
	});
	return loading;
}
