// Protection of ID numbers at rest (PIPL, GB/T 35273): a keyed hash (HMAC-SHA256) finds the same
// person registered twice without keeping a searchable plain number, and when a key is configured
// the plain number is stored encrypted (AES-256-GCM) and decrypted only to unmask it.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Prefix of an encrypted ID number as stored in residents.id_number. */
const ENCRYPTED = 'enc:v1:';

export interface IdProtection {
	/** Keyed hash of an ID number (hex); the same number always gives the same hash. */
	hash(idNumber: string): string;
	/** The form stored in residents.id_number: ciphertext when a key is configured, else the number. */
	seal(idNumber: string): string;
	/** The plain ID number back from its stored form. */
	open(stored: string): string;
	readonly encrypts: boolean;
}

/** Decode GRIDCARE_ID_KEY: 32 bytes, base64. Throws naming the variable. */
export function parseIdKey(value: string | undefined): Uint8Array | null {
	if (value === undefined || value === '') return null;
	const key = Buffer.from(value, 'base64');
	if (key.length !== 32)
		throw new Error(
			'GRIDCARE_ID_KEY: expected 32 bytes encoded in base64 (openssl rand -base64 32)'
		);
	return Uint8Array.from(key);
}

export function idProtection(secret: string, key: Uint8Array | null): IdProtection {
	return {
		encrypts: key !== null,
		hash: (idNumber) =>
			createHmac('sha256', secret).update(idNumber.toUpperCase(), 'utf8').digest('hex'),
		seal: (idNumber) => {
			if (!key) return idNumber;
			const iv = Uint8Array.from(randomBytes(12));
			const cipher = createCipheriv('aes-256-gcm', key, iv);
			const data = [cipher.update(idNumber, 'utf8'), cipher.final()].map((b) => Uint8Array.from(b));
			const parts = [iv, Uint8Array.from(cipher.getAuthTag()), ...data];
			return (
				ENCRYPTED +
				[parts[0], parts[1], Buffer.concat(parts.slice(2))]
					.map((b) => Buffer.from(b).toString('base64'))
					.join(':')
			);
		},
		open: (stored) => {
			if (!stored.startsWith(ENCRYPTED)) return stored;
			if (!key) throw new Error('GRIDCARE_ID_KEY: needed to read encrypted ID numbers');
			const [iv, tag, data] = stored
				.slice(ENCRYPTED.length)
				.split(':')
				.map((part) => Uint8Array.from(Buffer.from(part, 'base64')));
			const decipher = createDecipheriv('aes-256-gcm', key, iv);
			decipher.setAuthTag(tag);
			return decipher.update(data, undefined, 'utf8') + decipher.final('utf8');
		}
	};
}

/** A new deployment secret for the keyed hash, stored in settings when none is configured. */
export function newIdSecret(): string {
	return randomBytes(32).toString('base64');
}

export const ID_SECRET_SETTING = 'privacy.idSecret';
