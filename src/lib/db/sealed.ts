// Encryption at rest of the sensitive fields this device keeps (README, "The grid worker's
// tablet"): a resident's phone number, landline and note, a visit's health checks (temperature, symptoms, health code,
// risk area), its answers to a check template (docs/check-templates.md) and note, an incident's description and the note of a move (which lives only in the
// outbox until the server keeps it in the incident's history). In the cached rows, in the server values a local
// edit keeps aside, and in the outbox's mutations, each such field holds a sealed value:
// AES-256-GCM under the device's data key with a fresh 96-bit IV, the field name as additional data
// (a value cannot be moved to another field unnoticed). Everything else (ids, addresses, names,
// dates, the abnormal flag) stays in clear so lists, indexes and search work without the key.
//
// The data key exists unwrapped only in memory while the app is unlocked (see
// $lib/privacy/crypto.ts); a locked app, or someone copying the IndexedDB files, sees ciphertext.
import type { SyncTable } from '$lib/shared/enums';

/** Fields sealed per table; the same names in rows and in mutation fields. */
export const SEALED_FIELDS: Readonly<Record<SyncTable, readonly string[]>> = {
	households: [],
	residents: ['phone', 'landline', 'note'],
	visits: ['checks', 'answers', 'note'],
	checkins: [],
	incidents: ['description', 'note']
};

/** A sealed field value: IV (12 bytes) followed by the AES-GCM ciphertext and tag. */
export interface SealedValue {
	sealed: Uint8Array<ArrayBuffer>;
}

const IV_BYTES = 12;
/** IVs are cut from one draw of this many random bytes: one call instead of one per value. */
const IV_POOL_BYTES = IV_BYTES * 1024;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Each field name's bytes, the additional data of its values (a handful of names in all). */
const fieldNames = new Map<string, Uint8Array<ArrayBuffer>>();
function additionalData(field: string): Uint8Array<ArrayBuffer> {
	let bytes = fieldNames.get(field);
	if (!bytes) fieldNames.set(field, (bytes = encoder.encode(field)));
	return bytes;
}

export function isSealed(value: unknown): value is SealedValue {
	return (
		typeof value === 'object' &&
		value !== null &&
		(value as Partial<SealedValue>).sealed instanceof Uint8Array &&
		Object.keys(value).length === 1
	);
}

/** A read or write of sealed fields while the data key is not in memory (the app is locked). */
export class LockedError extends Error {
	constructor() {
		super('the data on this device is locked');
		this.name = 'LockedError';
	}
}

/** Seals and opens field values with one data key. */
export class FieldCipher {
	#ivs = new Uint8Array(0);
	#ivAt = 0;

	constructor(readonly key: CryptoKey) {}

	/** A fresh random IV (never reused: each is a distinct slice of the random pool). */
	#nextIv(): Uint8Array<ArrayBuffer> {
		if (this.#ivAt + IV_BYTES > this.#ivs.length) {
			this.#ivs = globalThis.crypto.getRandomValues(new Uint8Array(IV_POOL_BYTES));
			this.#ivAt = 0;
		}
		const iv = this.#ivs.subarray(this.#ivAt, this.#ivAt + IV_BYTES);
		this.#ivAt += IV_BYTES;
		return iv;
	}

	async seal(field: string, value: unknown): Promise<SealedValue> {
		const iv = this.#nextIv();
		const data = await globalThis.crypto.subtle.encrypt(
			{ name: 'AES-GCM', iv, additionalData: additionalData(field) },
			this.key,
			encoder.encode(JSON.stringify(value))
		);
		const sealed = new Uint8Array(IV_BYTES + data.byteLength);
		sealed.set(iv);
		sealed.set(new Uint8Array(data), IV_BYTES);
		return { sealed };
	}

	/** The value; rejects (OperationError) under a wrong key or a tampered value. */
	async open(field: string, value: SealedValue): Promise<unknown> {
		const data = await globalThis.crypto.subtle.decrypt(
			{
				name: 'AES-GCM',
				iv: value.sealed.subarray(0, IV_BYTES),
				additionalData: additionalData(field)
			},
			this.key,
			value.sealed.subarray(IV_BYTES)
		);
		return JSON.parse(decoder.decode(data));
	}

	/** A copy of a table's fields with its sensitive values sealed (null and absent stay so). */
	async sealFields<F extends Record<string, unknown>>(table: SyncTable, fields: F): Promise<F> {
		const names = SEALED_FIELDS[table].filter(
			(name) => fields[name] !== undefined && fields[name] !== null && !isSealed(fields[name])
		);
		if (names.length === 0) return fields;
		const out: Record<string, unknown> = { ...fields };
		await Promise.all(names.map(async (name) => (out[name] = await this.seal(name, fields[name]))));
		return out as F;
	}

	/** A copy with every sealed value opened, whatever the table. */
	async openFields<F extends Record<string, unknown>>(fields: F): Promise<F> {
		const names = Object.keys(fields).filter((name) => isSealed(fields[name]));
		if (names.length === 0) return fields;
		const out: Record<string, unknown> = { ...fields };
		await Promise.all(
			names.map(async (name) => (out[name] = await this.open(name, fields[name] as SealedValue)))
		);
		return out as F;
	}

	/** A row with its sealed fields opened, including the server values kept aside. */
	async openRow<R extends Record<string, unknown>>(row: R): Promise<R> {
		const opened = await this.openFields(row);
		const serverValues = opened.serverValues;
		if (typeof serverValues !== 'object' || serverValues === null) return opened;
		return {
			...opened,
			serverValues: await this.openFields(serverValues as Record<string, unknown>)
		};
	}
}
