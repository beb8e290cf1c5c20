// The signed-in user's local data and its sync, for the whole app.
//
// Each user whose device keeps data (a grid worker or community head, who pull their scope; a
// kiosk or a volunteer on it, who only push check-ins) gets a Dexie database of their own,
// `gridcare-<userId>`, which the next person on the tablet never sees. Signing out delivers the
// outbox and then deletes the database; a session that ends otherwise (expired, too many wrong
// PINs) stops the sync engine but keeps it, so changes not yet delivered wait there for the same
// person's next sign-in. Whether the first full download of the user's scope
// has finished, and when the last sync was, are kept in that database too, so a reload with no
// network opens straight onto the cached data.
//
// Triggers are the engine's own (start, local writes, `online`, a timer), plus the manual
// button, plus Background Sync: when a push fails for want of a network the page registers a
// sync tag; the service worker relays the browser's wake-up as a message, answered here.
import { untrack } from 'svelte';
import { Dexie } from 'dexie';
import { GridcareDb } from '$lib/db/db';
import { FieldCipher } from '$lib/db/sealed';
import { outboxCounts } from '$lib/sync/outbox';
import { REVOKED, SyncEngine, type SyncStatus } from '$lib/sync/engine';
import { HttpSyncTransport } from '$lib/sync/http-transport';
import {
	emptyProgress,
	ProgressTransport,
	summarizePage,
	type PullProgress
} from '$lib/sync/progress-transport';
import { pullAll } from '$lib/sync/pull';
import {
	discardSparePullWorker,
	prewarmPullWorker,
	PullWorker
} from '$lib/sync/pull-worker-client';
import { isSyncNowMessage, OUTBOX_SYNC_TAG, type SyncNowAnswer } from '$lib/sw/messages';
import { lock } from '$lib/privacy/lock.svelte';
import { KIOSK_ROLES, syncsGridData } from '$lib/app/roles';
import { getDeviceId, session, type StoredSession } from '$lib/app/session.svelte';
import { endServerSession, signOutWhenDelivered } from '$lib/privacy/sign-out';
import { deviceStorage } from '$lib/app/storage.svelte';
import { loadNode } from '$lib/app/divisions';

const READY_KEY = 'client.initialDownloadAt';
const LAST_SYNC_KEY = 'client.lastSyncAt';

const NO_STATUS: SyncStatus = {
	pending: 0,
	rejected: 0,
	lastSyncAt: null,
	state: 'idle',
	lastError: null,
	nextRetryAt: null,
	storageFull: false
};

/** Background Sync's part of a registration (not in the DOM library). */
interface WithBackgroundSync {
	sync?: { register(tag: string): Promise<void> };
}

/** The database name of a user's local copy. */
export const userDbName = (userId: string) => `gridcare-${userId}`;

class SyncClient {
	/** The signed-in user's database; null while none is open. */
	db = $state.raw<GridcareDb | null>(null);
	/** The user whose database is open or opening. */
	userId = $state.raw<string | null>(null);
	status = $state.raw<SyncStatus>(NO_STATUS);
	/** Epoch ms of the last complete push and pull, kept across reloads. */
	lastSyncAt = $state<number | null>(null);
	/** Epoch ms at which the first full download of the scope finished; null until it has. */
	readyAt = $state<number | null>(null);
	/** What the pulls of the current download brought so far. */
	progress = $state.raw<PullProgress>(emptyProgress());
	/** Opening the database failed (storage blocked, full, or broken). */
	openError = $state.raw<unknown>(null);
	/** The open database's sealed fields can be read and written (the app is unlocked). */
	unlocked = $state(false);

	/** A syncing user is signed in but the database is not open yet. */
	opening = $derived(this.userId !== null && this.db === null && this.openError === null);
	ready = $derived(this.readyAt !== null);

	#engine: SyncEngine | null = null;
	/** Where the open database's pulls run (pull.worker.ts); null for a device that only sends. */
	#pullWorker: PullWorker | null = null;
	#unsubscribe: (() => void) | null = null;
	#generation = 0;
	#attached = false;
	#backgroundSyncAsked = false;
	#onSessionRejected: (() => void) | null = null;

	/** Follow the session from now on: open and sync on sign-in, stop on sign-out. Call once. */
	attach(): void {
		if (this.#attached) return;
		this.#attached = true;
		$effect.root(() => {
			$effect(() => {
				const current = session.current;
				untrack(() => void this.#follow(current));
			});
			// The data key comes and goes with the lock: sync and sealed reads only while unlocked.
			$effect(() => {
				const key = lock.dataKey;
				untrack(() => this.#useKey(key));
			});
		});
		navigator.serviceWorker?.addEventListener('message', (event) => this.#onWorkerMessage(event));
		// The pull worker loads while the server checks the password.
		session.onSigningIn(() => prewarmPullWorker());
		// This client loads with the first sign-in (load.ts): that sign-in is under way already.
		if (session.signingIn) prewarmPullWorker();
	}

	/** Called when the server no longer accepts the session (the engine got a 401). */
	onSessionRejected(handler: () => void): void {
		this.#onSessionRejected = handler;
	}

	/**
	 * Push and pull now. `person`: a person tapped a button (同步, 继续下载), so pulls go on even
	 * after a storage failure (engine.ts).
	 */
	async syncNow(options: { person?: boolean } = {}): Promise<SyncStatus | null> {
		return this.#engine && this.unlocked ? this.#engine.syncNow(options) : null;
	}

	/** Ask the browser to keep this origin's data (the settings button); kept in the database. */
	async askPersistence(): Promise<boolean | null> {
		const db = this.db;
		if (!db) return deviceStorage.requestPersistence();
		return deviceStorage.askPersistence(db, 'person');
	}

	/** Drop a change the server refused, on this device; a person decided so. */
	async discardRejected(seq: number): Promise<void> {
		if (!this.#engine) throw new Error('not signed in');
		await this.#engine.discardRejected(seq);
	}

	/** Send a refused change again, with the fields a person corrected. */
	async retryRejected(seq: number, fixedFields?: Record<string, unknown>): Promise<void> {
		if (!this.#engine) throw new Error('not signed in');
		await this.#engine.retryRejected(seq, fixedFields);
	}

	async #follow(current: StoredSession | null): Promise<void> {
		const user = current?.user;
		const userId = user && syncsGridData(user.role) ? user.id : null;
		if (userId === this.userId) return;
		const generation = ++this.#generation;
		this.#close();
		this.userId = userId;
		if (!userId) {
			discardSparePullWorker();
			return;
		}
		const db = new GridcareDb({
			name: userDbName(userId),
			// Kiosks never lock, so there is no PIN to keep a key under: they keep nothing sealed.
			encrypted: !KIOSK_ROLES.includes(user!.role)
		});
		try {
			if (lock.dataKeyReplaced) {
				// Sealed under a data key that can no longer be opened: unreadable, so removed.
				lock.dataKeyReplaced = false;
				await Dexie.delete(userDbName(userId));
			}
			await db.open();
			const [ready, last, deviceId] = await Promise.all([
				db.meta.get(READY_KEY),
				db.meta.get(LAST_SYNC_KEY),
				getDeviceId()
			]);
			if (generation !== this.#generation) {
				db.close();
				return;
			}
			const http = new HttpSyncTransport({ getToken: () => session.token });
			const transport = new ProgressTransport(http, (progress) => (this.progress = progress));
			// A kiosk only sends check-ins; its directory comes from GET /kiosk/directory.
			const pull = !(user && KIOSK_ROLES.includes(user.role));
			// Pulled pages are read, sealed and stored in a worker, off the page's thread.
			const pullWorker = pull
				? new PullWorker({
						database: { name: db.name, encrypted: db.encrypted },
						getKey: () => db.cipher?.key ?? null,
						getToken: () => session.token,
						onPage: (page) => transport.record(page),
						// Counted once stored, as the worker counts them.
						fallback: (request) =>
							pullAll({
								...request,
								db,
								transport: http,
								onStored: (page) => transport.record(summarizePage(page))
							})
					})
				: null;
			if (pullWorker) pullWorker.open();
			else discardSparePullWorker();
			const engine = new SyncEngine({
				db,
				transport,
				deviceId,
				userId,
				pull,
				...(pullWorker ? { pullRunner: pullWorker.run } : {})
			});
			this.readyAt = typeof ready?.value === 'number' ? ready.value : null;
			this.lastSyncAt = typeof last?.value === 'number' ? last.value : null;
			this.db = db;
			this.#engine = engine;
			this.#pullWorker = pullWorker;
			const unsubscribe = engine.subscribe((status) => this.#onStatus(db, status));
			const unlisten = db.onLocalWrite(() => deviceStorage.noteSaved());
			this.#unsubscribe = () => {
				unsubscribe();
				unlisten();
			};
			this.#useKey(lock.dataKey);
			void deviceStorage.refresh().catch(() => undefined);
			// A device that holds the user's scope already: ask again if persistence.ts says so.
			if (this.readyAt !== null)
				void deviceStorage.askPersistence(db, 'app_start').catch(() => undefined);
		} catch (error) {
			db.close();
			if (generation === this.#generation) this.openError = error;
		}
	}

	/** Seal and open with this data key (null: locked), and sync only while that is possible. */
	#useKey(key: CryptoKey | null): void {
		const db = this.db;
		if (!db) return;
		db.cipher = db.encrypted && key ? new FieldCipher(key) : null;
		if (!db.cipher) this.#pullWorker?.lock();
		this.unlocked = db.unlocked;
		if (this.unlocked) this.#engine?.start();
		else this.#engine?.stop();
	}

	/** Changes on this device the server does not have: waiting, and refused ones. */
	async undelivered(): Promise<number> {
		const db = this.db;
		if (!db) return 0;
		const { pending, rejected } = await outboxCounts(db);
		return pending + rejected;
	}

	/**
	 * Sign out and wipe this user's data from the device once the outbox is delivered; the
	 * session ends on the server as well (POST /auth/logout). Returns the number of changes that
	 * could not be delivered (nothing is wiped then), unless `discard` says a person accepted
	 * losing them.
	 */
	async signOutAndWipe(discard = false): Promise<number> {
		const userId = this.userId;
		const db = this.db;
		const token = session.token;
		return signOutWhenDelivered(
			{
				// Records still held for an undo go too: leaving ends their undo window.
				deliver: async () => {
					if (this.#engine && this.unlocked) await this.#engine.flush();
				},
				undelivered: () => this.undelivered(),
				// The session ends on the server too (best effort: offline, the device signs out anyway).
				endOnServer: () => endServerSession(token),
				forgetHere: async () => {
					if (userId) await this.wipe(userId, db);
					await session.signOut();
				}
			},
			discard
		);
	}

	/** Remove a user's cached scope, outbox and keys from this device. */
	async wipe(userId: string, db: GridcareDb | null = this.db): Promise<void> {
		if (this.userId === userId) {
			this.#generation++;
			const engine = this.#engine;
			this.#close();
			this.userId = null;
			await engine?.whenIdle();
		}
		// Closed for good first: a late write (sync bookkeeping, a live query) must not reopen,
		// and so re-create, the database being deleted.
		db?.close({ disableAutoOpen: true });
		await Dexie.delete(userDbName(userId));
		await lock.forgetUser(userId);
	}

	#close(): void {
		const engine = this.#engine;
		const db = this.db;
		const pullWorker = this.#pullWorker;
		this.#unsubscribe?.();
		this.#unsubscribe = null;
		this.#engine = null;
		this.#pullWorker = null;
		const closeAll = () => {
			pullWorker?.terminate();
			db?.close();
		};
		if (engine) {
			engine.stop();
			// A pass under way finishes (its outbox writes must commit) before the database closes.
			void engine.whenIdle().finally(closeAll);
		} else closeAll();
		this.db = null;
		this.status = NO_STATUS;
		this.lastSyncAt = null;
		this.readyAt = null;
		this.progress = emptyProgress();
		this.openError = null;
		this.unlocked = false;
		this.#backgroundSyncAsked = false;
	}

	#onStatus(db: GridcareDb, status: SyncStatus): void {
		if (db !== this.db) return;
		this.status = status;
		if (status.lastSyncAt !== null && status.lastSyncAt !== this.lastSyncAt) {
			this.lastSyncAt = status.lastSyncAt;
			const first = this.readyAt === null;
			if (first) this.readyAt = status.lastSyncAt;
			void this.#remember(db, status.lastSyncAt, first);
			void this.#refreshScopeNodes();
		}
		if (status.state === 'offline' && status.pending > 0) void this.#askForBackgroundSync();
		if (status.state === 'idle') this.#backgroundSyncAsked = false;
		if (status.state === 'signed_out') {
			const userId = this.userId;
			// A revoked device keeps nothing of the user's: the cached scope and keys go.
			if (status.lastError === REVOKED && userId)
				void this.wipe(userId).finally(() => this.#onSessionRejected?.());
			else this.#onSessionRejected?.();
		}
	}

	async #remember(db: GridcareDb, at: number, firstDownload: boolean): Promise<void> {
		try {
			await db.meta.put({ key: LAST_SYNC_KEY, value: at });
			if (firstDownload) await db.meta.put({ key: READY_KEY, value: at });
		} catch {
			// Bookkeeping only: the next complete sync writes it again.
		}
		// After the first download: ask the browser not to evict the outbox (persistence.ts).
		if (firstDownload)
			await deviceStorage.askPersistence(db, 'first_download').catch(() => undefined);
	}

	/**
	 * Read the user's grids (or community) again after a sync: a grid renamed, given a new
	 * boundary or retired on the server reaches the device's saved copy, which the names and the
	 * map read (docs/administration.md, "Grids").
	 */
	async #refreshScopeNodes(): Promise<void> {
		const scope = session.user?.scope ?? [];
		await Promise.all(
			scope.filter((code) => code !== '*').map((code) => loadNode(code).catch(() => null))
		);
	}

	/** Let the browser wake us when the network is back, even with the tab in the background. */
	async #askForBackgroundSync(): Promise<void> {
		if (this.#backgroundSyncAsked || !navigator.serviceWorker) return;
		this.#backgroundSyncAsked = true;
		try {
			const registration = await navigator.serviceWorker.getRegistration();
			await (registration as WithBackgroundSync | undefined)?.sync?.register(OUTBOX_SYNC_TAG);
		} catch {
			// No Background Sync here (or not allowed): the engine's own triggers remain.
		}
	}

	#onWorkerMessage(event: MessageEvent<unknown>): void {
		if (!isSyncNowMessage(event.data)) return;
		const port = event.ports[0];
		void this.syncNow().then((status) => {
			const answer: SyncNowAnswer = {
				delivered: status === null || (status.state === 'idle' && status.pending === 0)
			};
			port?.postMessage(answer);
		});
	}
}

export const syncClient = new SyncClient();
