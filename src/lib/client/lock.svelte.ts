// The app lock (architecture.md §7). After an online sign-in the user sets a PIN; from then on the
// app locks when it starts with a saved session and after a few idle minutes, and opens again
// offline with the PIN, checked on this device against the verifier in pin.ts. Five wrong PINs in
// a row sign the user out: they must sign in online again (the outbox stays in IndexedDB and is
// delivered after that sign-in). Kiosks are shared screens for residents and never lock.
import { del, get, set } from 'idb-keyval';
import { KIOSK_ROLES } from './roles';
import { session } from './session.svelte';
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

	/** Whether the signed-in user's role uses the lock at all. */
	applies = $derived(session.user !== null && !KIOSK_ROLES.includes(session.user.role));
	/** Signed in on a locking role, and no PIN yet: the app asks for one. */
	needsPin = $derived(this.applies && !this.hasPin);
	remainingTries = $derived(Math.max(0, MAX_PIN_FAILURES - this.failures));

	#verifier: PinVerifier | null = null;
	#secret: CryptoKey | null = null;
	#userId: string | null = null;
	#lastActivity = Date.now();
	#started = false;
	#loading: Promise<void> | null = null;

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
		})();
		return this.#loading;
	}

	/** Follow sign-in and sign-out. A fresh online sign-in is proof enough: it opens unlocked. */
	async userChanged(userId: string | null): Promise<void> {
		if (userId === this.#userId) return;
		this.#userId = userId;
		this.#secret = null;
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
		this.busy = true;
		try {
			const { verifier, secret } = await createPinVerifier(pin, user.id);
			await this.#saveVerifier(verifier);
			this.#secret = secret;
			this.locked = false;
			this.#lastActivity = Date.now();
			return null;
		} finally {
			this.busy = false;
		}
	}

	lockNow(): void {
		if (!this.applies || !this.hasPin) return;
		this.#secret = null;
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
				if (verifier.failures > 0) await this.#saveVerifier({ ...verifier, failures: 0 });
				this.#secret = secret;
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

	/**
	 * Key material derived from the PIN (PBKDF2-SHA-256, as an HKDF key) while the app is
	 * unlocked with a PIN on this page load; null while locked. Derive purpose keys from it with
	 * `deriveFieldKey` (pin.ts), e.g. to encrypt sensitive fields at rest.
	 */
	get keyMaterial(): CryptoKey | null {
		return this.locked ? null : this.#secret;
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

	async #signOutAfterFailures(): Promise<void> {
		// The PIN is forgotten with the session; the outbox and cached rows stay in IndexedDB.
		await del(PIN_KEY);
		this.#verifier = null;
		this.#secret = null;
		this.lockedOut = true;
		await session.signOut();
		await this.userChanged(null);
	}

	#checkIdle(): void {
		if (this.locked || !this.applies || !this.hasPin) return;
		if (Date.now() - this.#lastActivity >= this.idleMinutes * 60_000) this.lockNow();
	}
}

export const lock = new AppLock();
