// Password hashing with scrypt (node:crypto): N=2^15, r=8, p=1, 32-byte key, 16-byte salt.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const PARAMS = { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const KEY_LENGTH = 32;

// Plain Uint8Arrays rather than Buffers: the app's DOM typings and Node's disagree on Buffer.
const bytes = (b64: string) => Uint8Array.from(Buffer.from(b64, 'base64'));
const base64 = (data: Uint8Array) => Buffer.from(data).toString('base64');

function derive(password: string, salt: Uint8Array, options: ScryptOptions): Promise<Uint8Array> {
	return new Promise((resolve, reject) =>
		scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
			error ? reject(error) : resolve(Uint8Array.from(key))
		)
	);
}

/** "scrypt$N$r$p$salt$key", all parameters kept with the hash so they can be raised later. */
export async function hashPassword(password: string): Promise<string> {
	const salt = Uint8Array.from(randomBytes(16));
	const key = await derive(password, salt, PARAMS);
	return ['scrypt', PARAMS.N, PARAMS.r, PARAMS.p, base64(salt), base64(key)].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
	const [scheme, n, r, p, salt, key] = stored.split('$');
	if (scheme !== 'scrypt' || !salt || !key) return false;
	const expected = bytes(key);
	const actual = await derive(password, bytes(salt), {
		N: Number(n),
		r: Number(r),
		p: Number(p),
		maxmem: PARAMS.maxmem
	});
	return actual.length === expected.length && timingSafeEqual(actual, expected);
}
