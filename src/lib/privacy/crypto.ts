// The device's data key (README, "The grid worker's tablet"): one random AES-256-GCM key per user
// on this device seals the sensitive fields kept in IndexedDB ($lib/db/sealed.ts). It is stored
// only wrapped:
//
//   under the PIN:    KEK = HKDF-SHA-256(PBKDF2(PIN, salt), info "gridcare data-key wrap v1")
//   under the device: KEK = a 256-bit key the server keeps for this user on this device and hands
//                     out only with a successful online sign-in (POST /auth/login, `deviceKey`)
//
// Unlocking with the PIN unwraps it offline; a fresh online sign-in unwraps it with the device key,
// so a forgotten PIN costs a sign-in, never the changes waiting in the outbox. Changing the PIN
// wraps the same key again: no row is re-encrypted. The unwrapped key lives only in memory while
// the app is unlocked.
import { del, get, set } from 'idb-keyval';
import { deriveWrapKey } from './pin';

/** A key wrapped with AES-GCM: IV and the wrapped bytes (with their tag). */
export interface WrappedKey {
	iv: Uint8Array<ArrayBuffer>;
	data: Uint8Array<ArrayBuffer>;
}

/** What is kept on the device for one user (idb-keyval). */
export interface StoredDataKey {
	version: 1;
	userId: string;
	device: WrappedKey;
	/** Absent until the user sets a PIN, and after a forgotten PIN. */
	pin?: WrappedKey;
}

const IV_BYTES = 12;
const AES_GCM = { name: 'AES-GCM', length: 256 } as const;
const storageKey = (userId: string) => `gridcare:data-key:${userId}`;

/** A new random data key; extractable only so that it can be wrapped. */
export function newDataKey(): Promise<CryptoKey> {
	return globalThis.crypto.subtle.generateKey(AES_GCM, true, ['encrypt', 'decrypt']);
}

export async function wrapDataKey(dataKey: CryptoKey, kek: CryptoKey): Promise<WrappedKey> {
	const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES));
	const data = await globalThis.crypto.subtle.wrapKey('raw', dataKey, kek, { name: 'AES-GCM', iv });
	return { iv, data: new Uint8Array(data) };
}

/** The data key; rejects under a wrong key-encryption key. */
export function unwrapDataKey(wrapped: WrappedKey, kek: CryptoKey): Promise<CryptoKey> {
	return globalThis.crypto.subtle.unwrapKey(
		'raw',
		wrapped.data,
		kek,
		{ name: 'AES-GCM', iv: wrapped.iv },
		AES_GCM,
		true,
		['encrypt', 'decrypt']
	);
}

/** The server's device key (base64 of 32 bytes) as a key-encryption key. */
export function importDeviceKey(base64: string): Promise<CryptoKey> {
	const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
	if (bytes.length !== 32) throw new Error('device key: expected 32 bytes');
	return globalThis.crypto.subtle.importKey('raw', bytes, 'AES-GCM', false, [
		'wrapKey',
		'unwrapKey'
	]);
}

function isWrappedKey(value: unknown): value is WrappedKey {
	const v = value as Partial<WrappedKey> | null;
	return (
		typeof v === 'object' &&
		v !== null &&
		v.iv instanceof Uint8Array &&
		v.data instanceof Uint8Array
	);
}

function isStoredDataKey(value: unknown, userId: string): value is StoredDataKey {
	const v = value as Partial<StoredDataKey> | null;
	return (
		typeof v === 'object' &&
		v !== null &&
		v.version === 1 &&
		v.userId === userId &&
		isWrappedKey(v.device) &&
		(v.pin === undefined || isWrappedKey(v.pin))
	);
}

/** The result of opening a user's data key with the device key. */
export interface OpenedDataKey {
	key: CryptoKey;
	/**
	 * A data key this device held could not be opened (the server issued a new device key, e.g.
	 * after the device was revoked): a new one was made, and data sealed under the old one is lost.
	 */
	replaced: boolean;
}

/** The wrapped data keys of this device, per user. */
export const keyRing = {
	async load(userId: string): Promise<StoredDataKey | null> {
		const stored = await get<unknown>(storageKey(userId));
		return isStoredDataKey(stored, userId) ? stored : null;
	},

	/** After an online sign-in: the user's data key, made and wrapped now if there is none. */
	async openWithDeviceKey(userId: string, deviceKey: string): Promise<OpenedDataKey> {
		const kek = await importDeviceKey(deviceKey);
		const stored = await this.load(userId);
		if (stored) {
			try {
				return { key: await unwrapDataKey(stored.device, kek), replaced: false };
			} catch {
				// Fall through: a new key, wrapped under the device key the server holds now.
			}
		}
		const key = await newDataKey();
		await set(storageKey(userId), {
			version: 1,
			userId,
			device: await wrapDataKey(key, kek)
		} satisfies StoredDataKey);
		return { key, replaced: stored !== null };
	},

	/** Wrap the data key under a (new) PIN; the wrap under an older PIN is replaced. */
	async wrapForPin(userId: string, dataKey: CryptoKey, pinSecret: CryptoKey): Promise<void> {
		const stored = await this.load(userId);
		if (!stored) throw new Error('no data key on this device for this user');
		const pin = await wrapDataKey(dataKey, await deriveWrapKey(pinSecret));
		await set(storageKey(userId), { ...stored, pin } satisfies StoredDataKey);
	},

	/** The data key under the PIN's secret; null when there is no PIN wrap or it does not open. */
	async openWithPin(userId: string, pinSecret: CryptoKey): Promise<CryptoKey | null> {
		const stored = await this.load(userId);
		if (!stored?.pin) return null;
		try {
			return await unwrapDataKey(stored.pin, await deriveWrapKey(pinSecret));
		} catch {
			return null;
		}
	},

	/** The PIN is forgotten: only the device wrap (an online sign-in) opens the key from now on. */
	async forgetPin(userId: string): Promise<void> {
		const stored = await this.load(userId);
		if (stored?.pin) await set(storageKey(userId), { ...stored, pin: undefined });
	},

	/** The user's data is wiped from this device: the key goes with it. */
	async forget(userId: string): Promise<void> {
		await del(storageKey(userId));
	}
};
