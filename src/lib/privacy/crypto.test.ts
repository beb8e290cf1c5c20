// The data key's wraps: under the server's device key and under a PIN (fake-indexeddb holds the
// wrapped keys; Node's WebCrypto does the work).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { keyRing, newDataKey, unwrapDataKey, wrapDataKey } from './crypto';
import { createPinVerifier, deriveWrapKey, verifyPin } from './pin';
import { FieldCipher } from '$lib/db/sealed';

const deviceKey = () =>
	btoa(String.fromCharCode(...globalThis.crypto.getRandomValues(new Uint8Array(32))));
const ITERATIONS = 1000;

async function sameKey(a: CryptoKey, b: CryptoKey): Promise<boolean> {
	const sealed = await new FieldCipher(a).seal('note', 'x');
	return (await new FieldCipher(b).open('note', sealed).catch(() => null)) === 'x';
}

describe('wrapped data keys', () => {
	it('unwraps under the key it was wrapped with and under no other', async () => {
		const dataKey = await newDataKey();
		const kek = await globalThis.crypto.subtle.generateKey(
			{ name: 'AES-GCM', length: 256 },
			false,
			['wrapKey', 'unwrapKey']
		);
		const wrapped = await wrapDataKey(dataKey, kek);
		expect(await sameKey(await unwrapDataKey(wrapped, kek), dataKey)).toBe(true);
		const other = await globalThis.crypto.subtle.generateKey(
			{ name: 'AES-GCM', length: 256 },
			false,
			['wrapKey', 'unwrapKey']
		);
		await expect(unwrapDataKey(wrapped, other)).rejects.toThrow();
	});

	it('opens the same data key with the device key at every sign-in', async () => {
		const device = deviceKey();
		const first = await keyRing.openWithDeviceKey('u1', device);
		expect(first.replaced).toBe(false);
		const again = await keyRing.openWithDeviceKey('u1', device);
		expect(await sameKey(again.key, first.key)).toBe(true);
		// A new device key from the server cannot open the old wrap: a new key replaces it.
		const renewed = await keyRing.openWithDeviceKey('u1', deviceKey());
		expect(renewed.replaced).toBe(true);
		expect(await sameKey(renewed.key, first.key)).toBe(false);
	});

	it('re-wraps under a new PIN: the old PIN no longer opens it, the new one and the device key do', async () => {
		const device = deviceKey();
		const { key } = await keyRing.openWithDeviceKey('u2', device);
		const old = await createPinVerifier('2580', 'u2', ITERATIONS);
		await keyRing.wrapForPin('u2', key, old.secret);
		expect(await sameKey((await keyRing.openWithPin('u2', old.secret))!, key)).toBe(true);

		const next = await createPinVerifier('147036', 'u2', ITERATIONS);
		await keyRing.wrapForPin('u2', key, next.secret);
		expect(await keyRing.openWithPin('u2', old.secret)).toBeNull();
		const opened = await keyRing.openWithPin('u2', (await verifyPin('147036', next.verifier))!);
		expect(await sameKey(opened!, key)).toBe(true);

		// A forgotten PIN: no PIN opens it any more, the device key (an online sign-in) still does.
		await keyRing.forgetPin('u2');
		expect(await keyRing.openWithPin('u2', next.secret)).toBeNull();
		expect(await sameKey((await keyRing.openWithDeviceKey('u2', device)).key, key)).toBe(true);
		await keyRing.forget('u2');
		expect(await keyRing.load('u2')).toBeNull();
	});

	it('derives a wrap key that cannot encrypt data directly', async () => {
		const { secret } = await createPinVerifier('3691', 'u3', ITERATIONS);
		const wrapKey = await deriveWrapKey(secret);
		expect(wrapKey.usages.sort()).toEqual(['unwrapKey', 'wrapKey']);
		expect(wrapKey.extractable).toBe(false);
	});
});
