// The app lock (README, "The grid worker's tablet"). After an online sign-in the user sets a PIN;
// from then on the app locks when it starts with a saved session and after a few idle minutes, and
// opens again offline with the PIN, checked on this device against the verifier in pin.ts. Five
// wrong PINs in a row sign the user out: they must sign in online again (the outbox stays in
// IndexedDB and is delivered after that sign-in). Kiosks are shared screens for residents and never
// lock.
//
// The lock also holds the device's data key (crypto.ts) in memory while unlocked: a fresh online
// sign-in opens it with the server's device key, the PIN opens it offline, locking drops it.
// A PIN is required: a user the lock applies to sees no cached data until one is set.
import { del, get, set } from 'idb-keyval';
import { keyRing } from './crypto';
import { KIOSK_ROLES, syncsGridData } from '$lib/app/roles';
import { session, type SignedIn } from '$lib/app/session.svelte';
import { endServerSession } from './sign-out';
import {
	createPinVerifier,
	isPinVerifier,
	newPinProblem,
	verifyPin,
	type PinProblem,
	type PinVerifier
} from './pin';

const PIN_KEY = 'gridcare:pin';
const IDLE_KEY = 'gridcare:lock-idle-minutes';
export const DEFAULT_IDLE_MINUTES = 5;
export const MAX_PIN_FAILURES = 5;
/** How often the idle time is checked; activity itself only records a timestamp. */
const IDLE_CHECK_MS = 10_000;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart'] as const;

/** Roles whose device caches residents' personal data and is not a shared kiosk: they lock. */
export function keepsPersonalData(role: Parameters<typeof syncsGridData>[0]): boolean {
	return syncsGridData(role) && !KIOSK_ROLES.includes(role);
}

export type UnlockResult = 'unlocked' | 'wrong' | 'signed_out';

class AppLock {
	/** The signed-in user has set a PIN on this device. */
	hasPin = $state(false);
	locked = $state(false);
	/** Wrong PINs since the last right one. */
	failures = $state(0);
	idleMinutes = $state(DEFAULT_IDLE_MINUTES);
	/** Set when too many wrong PINs signed the user out, until the next sign-in. */
	lockedOut = $state(false);
	/** A PIN check is running (PBKDF2 takes up to a second on a slow tablet). */
	busy = $state(false);
	/** The signed-in user's data key while unlocked; null while locked or signed out. */
	dataKey = $state.raw<CryptoKey | null>(null);
	/**
	 * The data key held on this device could not be opened at the last sign-in and a new one was
	 * made: whatever was sealed under the old one is unreadable and must be wiped.
	 */
	dataKeyReplaced = $state(false);

	/** Whether the signed-in user's role uses the lock at all. */
	applies = $derived(session.user !== null && keepsPersonalData(session.user.role));
	/** Signed in on a locking role, and no PIN yet: the app asks for one before showing data. */
	needsPin = $derived(this.applies && !this.hasPin);
	/** Cached data must not be on screen: locked, or no PIN set yet. */
	concealed = $derived(this.applies && (this.locked || !this.hasPin));
	remainingTries = $derived(Math.max(0, MAX_PIN_FAILURES - this.failures));

	#verifier: PinVerifier | null = null;
	#userId: string | null = null;
	#lastActivity = Date.now();
	#started = false;
	#loading: Promise<void> | null = null;
	/** The user `dataKey` belongs to. */
	#dataKeyUser: string | null = null;

	constructor() {
		session.onSignIn((signedIn) => this.#signedIn(signedIn));
	}

	/**
	 * Read the verifier and the idle setting once, after the session; a saved session with a PIN
	 * starts locked. Called by the root layout's load before anything is shown.
	 */
	load(): Promise<void> {
		this.#loading ??= (async () => {
			await session.load();
			const [stored, idle] = await Promise.all([get<unknown>(PIN_KEY), get<unknown>(IDLE_KEY)]);
			if (typeof idle === 'number' && idle >= 1 && idle <= 60) this.idleMinutes = idle;
			this.#verifier = isPinVerifier(stored) ? stored : null;
			this.#userId = session.user?.id ?? null;
			this.#refresh();
			this.locked = this.applies && this.hasPin;
			// A saved session with no PIN (the app closed before one was set): the data key can only
			// be opened by signing in online again. The cached data and the outbox stay.
			if (this.applies && !this.hasPin) {
				void endServerSession(session.token);
				await session.signOut();
				this.#userId = null;
				this.#refresh();
			}
		})();
		return this.#loading;
	}

	/** Follow sign-in and sign-out. A fresh online sign-in is proof enough: it opens unlocked. */
	async userChanged(userId: string | null): Promise<void> {
		if (userId === this.#userId) return;
		this.#userId = userId;
		if (userId !== this.#dataKeyUser) this.#dropDataKey();
		this.locked = false;
		if (userId) this.lockedOut = false;
		if (userId && this.#verifier?.userId === userId && this.#verifier.failures > 0)
			await this.#saveVerifier({ ...this.#verifier, failures: 0 });
		this.#refresh();
		this.#lastActivity = Date.now();
	}

	/** Start watching for idle time (browser only, once). */
	start(): void {
		if (this.#started) return;
		this.#started = true;
		const touch = () => (this.#lastActivity = Date.now());
		for (const type of ACTIVITY_EVENTS)
			addEventListener(type, touch, { capture: true, passive: true });
		document.addEventListener('visibilitychange', () => {
			if (document.visibilityState === 'visible') this.#checkIdle();
		});
		setInterval(() => this.#checkIdle(), IDLE_CHECK_MS);
	}

	/** Set (or replace) the PIN of the signed-in user; the app stays unlocked. */
	async setPin(pin: string, confirm: string): Promise<PinProblem | null> {
		const user = session.user;
		const problem = newPinProblem(pin, confirm);
		if (problem || !user) return problem ?? 'format';
		const dataKey = this.#dataKeyUser === user.id ? this.dataKey : null;
		if (!dataKey) return 'format';
		this.busy = true;
		try {
			const { verifier, secret } = await createPinVerifier(pin, user.id);
			// The same data key, wrapped under the new PIN (the old PIN's wrap is replaced).
			await keyRing.wrapForPin(user.id, dataKey, secret);
			await this.#saveVerifier(verifier);
			this.locked = false;
			this.#lastActivity = Date.now();
			return null;
		} finally {
			this.busy = false;
		}
	}

	lockNow(): void {
		if (!this.applies || !this.hasPin) return;
		this.#dropDataKey();
		this.locked = true;
	}

	/** Check the PIN; the fifth wrong one in a row signs out (the outbox is kept). */
	async unlock(pin: string): Promise<UnlockResult> {
		const verifier = this.#verifier;
		if (!verifier || this.busy) return 'wrong';
		this.busy = true;
		try {
			const secret = /^\d{4,6}$/.test(pin) ? await verifyPin(pin, verifier) : null;
			if (secret) {
				const dataKey = await keyRing.openWithPin(verifier.userId, secret);
				if (!dataKey) {
					// The PIN is right but no data key is wrapped under it: only a sign-in opens it.
					await this.#signOutAfterFailures();
					return 'signed_out';
				}
				if (verifier.failures > 0) await this.#saveVerifier({ ...verifier, failures: 0 });
				this.dataKey = dataKey;
				this.#dataKeyUser = verifier.userId;
				this.locked = false;
				this.#lastActivity = Date.now();
				return 'unlocked';
			}
			const failures = verifier.failures + 1;
			if (failures < MAX_PIN_FAILURES) {
				await this.#saveVerifier({ ...verifier, failures });
				return 'wrong';
			}
			await this.#signOutAfterFailures();
			return 'signed_out';
		} finally {
			this.busy = false;
		}
	}

	/** "Forgot the PIN": the same way out as too many wrong tries, chosen by the user. */
	async forgotPin(): Promise<void> {
		await this.#signOutAfterFailures();
	}

	async setIdleMinutes(minutes: number): Promise<void> {
		this.idleMinutes = Math.min(60, Math.max(1, Math.round(minutes)));
		await set(IDLE_KEY, this.idleMinutes);
	}

	#refresh(): void {
		const userId = this.#userId;
		this.hasPin = userId !== null && this.#verifier?.userId === userId;
		this.failures = this.hasPin ? (this.#verifier?.failures ?? 0) : 0;
		if (!this.applies) this.locked = false;
	}

	async #saveVerifier(verifier: PinVerifier): Promise<void> {
		await set(PIN_KEY, verifier);
		this.#verifier = verifier;
		this.#refresh();
	}

	/** An online sign-in: open (or make) the user's data key with the server's device key. */
	async #signedIn({ user, deviceKey }: SignedIn): Promise<void> {
		this.#dropDataKey();
		if (!keepsPersonalData(user.role)) return;
		const { key, replaced } = await keyRing.openWithDeviceKey(user.id, deviceKey);
		this.dataKey = key;
		this.#dataKeyUser = user.id;
		this.dataKeyReplaced = replaced;
	}

	#dropDataKey(): void {
		this.dataKey = null;
		this.#dataKeyUser = null;
	}

	/** Forget this device's PIN and keys of the user (their data is being wiped). */
	async forgetUser(userId: string): Promise<void> {
		if (this.#verifier?.userId === userId) {
			await del(PIN_KEY);
			this.#verifier = null;
		}
		await keyRing.forget(userId);
		if (this.#dataKeyUser === userId) this.#dropDataKey();
		this.#refresh();
	}

	async #signOutAfterFailures(): Promise<void> {
		// The PIN is forgotten with the session; the outbox and cached rows stay in IndexedDB,
		// sealed under the data key that the next online sign-in opens with the device key.
		const userId = this.#verifier?.userId;
		if (userId) await keyRing.forgetPin(userId);
		this.#dropDataKey();
		await del(PIN_KEY);
		this.#verifier = null;
		this.lockedOut = true;
		// Whoever holds the device cannot use the session: it ends on the server too.
		void endServerSession(session.token);
		await session.signOut();
		await this.userChanged(null);
	}

	#checkIdle(): void {
		if (this.locked || !this.applies || !this.hasPin) return;
		if (Date.now() - this.#lastActivity >= this.idleMinutes * 60_000) this.lockNow();
	}
}

export const lock = new AppLock();
