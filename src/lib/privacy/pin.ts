// The device PIN (README, "The grid worker's tablet"): 4–6 digits, never sent anywhere. Only a
// verifier derived from it is stored, with a random per-device salt:
//
//   secret   = PBKDF2-SHA-256(PIN, salt, iterations)           256 bits, never stored
//   verifier = HKDF-SHA-256(secret, info "gridcare pin check")  stored, compared on unlock
//   wrap key = HKDF-SHA-256(secret, info "gridcare data-key wrap v1")  wraps the data key (crypto.ts)
//
// HKDF with distinct `info` strings keeps the stored verifier from revealing any key derived for
// encryption. A PIN has at most a million values, so the iteration count only slows an attacker
// who copied the device's storage; the limit of wrong tries in lock.svelte.ts is what stops
// guessing on the device itself.

/** ~0.1 s on a laptop, ~1 s on a low-end tablet; stored per verifier so it can be raised later. */
export const PIN_ITERATIONS = 310_000;
export const PIN_MIN_LENGTH = 4;
export const PIN_MAX_LENGTH = 6;
const SALT_BYTES = 16;

export type PinProblem = 'format' | 'too_simple' | 'mismatch';

/** What is wrong with a new PIN, or null. */
export function newPinProblem(pin: string, confirm?: string): PinProblem | null {
	if (!new RegExp(`^\\d{${PIN_MIN_LENGTH},${PIN_MAX_LENGTH}}$`).test(pin)) return 'format';
	if (isTooSimple(pin)) return 'too_simple';
	if (confirm !== undefined && confirm !== pin) return 'mismatch';
	return null;
}

/** 0000, 1234, 9876: the first PINs anyone tries. */
function isTooSimple(pin: string): boolean {
	const digits = [...pin].map(Number);
	const steps = new Set(digits.slice(1).map((d, i) => d - digits[i]));
	return steps.size === 1 && [0, 1, -1].includes([...steps][0]);
}

/** What is kept on the device (idb-keyval): enough to check a PIN, not to recover it. */
export interface PinVerifier {
	version: 1;
	/** The user who set it: another user signing in on this device sets their own. */
	userId: string;
	salt: Uint8Array<ArrayBuffer>;
	iterations: number;
	check: Uint8Array<ArrayBuffer>;
	/** Wrong tries since the last right one (kept across reloads). */
	failures: number;
}

const encoder = new TextEncoder();
const NO_SALT = new Uint8Array(0);

function hkdf(info: string) {
	return { name: 'HKDF', hash: 'SHA-256', salt: NO_SALT, info: encoder.encode(info) } as const;
}

/**
 * PBKDF2 of the PIN as a non-extractable HKDF key: the key material later features derive their
 * own keys from (see deriveFieldKey). It lives in memory only while the app is unlocked.
 */
export async function derivePinSecret(
	pin: string,
	salt: Uint8Array<ArrayBuffer>,
	iterations: number
): Promise<CryptoKey> {
	const subtle = globalThis.crypto.subtle;
	const pinKey = await subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, [
		'deriveBits'
	]);
	const bits = await subtle.deriveBits(
		{ name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
		pinKey,
		256
	);
	return subtle.importKey('raw', bits, 'HKDF', false, ['deriveBits', 'deriveKey']);
}

async function checkOf(secret: CryptoKey): Promise<Uint8Array<ArrayBuffer>> {
	return new Uint8Array(
		await globalThis.crypto.subtle.deriveBits(hkdf('gridcare pin check v1'), secret, 256)
	);
}

/** An AES-GCM key for one purpose (e.g. "resident-fields"), derived from the PIN secret. */
export function deriveFieldKey(secret: CryptoKey, purpose: string): Promise<CryptoKey> {
	return globalThis.crypto.subtle.deriveKey(
		hkdf(`gridcare ${purpose} v1`),
		secret,
		{ name: 'AES-GCM', length: 256 },
		false,
		['encrypt', 'decrypt']
	);
}

/** The key that wraps the device's data key under this PIN (see crypto.ts). */
export function deriveWrapKey(secret: CryptoKey): Promise<CryptoKey> {
	return globalThis.crypto.subtle.deriveKey(
		hkdf('gridcare data-key wrap v1'),
		secret,
		{ name: 'AES-GCM', length: 256 },
		false,
		['wrapKey', 'unwrapKey']
	);
}

/** A verifier for a new PIN with a fresh random salt, and the secret it unlocks. */
export async function createPinVerifier(
	pin: string,
	userId: string,
	iterations = PIN_ITERATIONS
): Promise<{ verifier: PinVerifier; secret: CryptoKey }> {
	const salt = globalThis.crypto.getRandomValues(new Uint8Array(SALT_BYTES));
	const secret = await derivePinSecret(pin, salt, iterations);
	const check = await checkOf(secret);
	return { verifier: { version: 1, userId, salt, iterations, check, failures: 0 }, secret };
}

/** The secret when the PIN is right, null when it is wrong. */
export async function verifyPin(pin: string, verifier: PinVerifier): Promise<CryptoKey | null> {
	const secret = await derivePinSecret(pin, verifier.salt, verifier.iterations);
	return sameBytes(await checkOf(secret), verifier.check) ? secret : null;
}

/** Compare without stopping at the first difference. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
	return diff === 0;
}

/** A stored value that looks like a verifier (idb-keyval gives back whatever was there). */
export function isPinVerifier(value: unknown): value is PinVerifier {
	if (typeof value !== 'object' || value === null) return false;
	const v = value as Partial<PinVerifier>;
	return (
		v.version === 1 &&
		typeof v.userId === 'string' &&
		v.salt instanceof Uint8Array &&
		v.check instanceof Uint8Array &&
		typeof v.iterations === 'number' &&
		typeof v.failures === 'number'
	);
}
