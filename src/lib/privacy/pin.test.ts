import { describe, expect, it } from 'vitest';
import {
	createPinVerifier,
	deriveFieldKey,
	isPinVerifier,
	newPinProblem,
	PIN_ITERATIONS,
	verifyPin
} from './pin';

// Few iterations keep the unit tests fast; the app uses PIN_ITERATIONS.
const FAST = 1_000;

describe('newPinProblem', () => {
	it.each([
		['2580', null],
		['135790', null],
		['123', 'format'],
		['1234567', 'format'],
		['12a4', 'format'],
		['0000', 'too_simple'],
		['1234', 'too_simple'],
		['654321', 'too_simple']
	] as const)('%s → %s', (pin, problem) => expect(newPinProblem(pin)).toBe(problem));

	it('checks the confirmation', () => {
		expect(newPinProblem('2580', '2581')).toBe('mismatch');
		expect(newPinProblem('2580', '2580')).toBeNull();
	});
});

describe('PIN verifier', () => {
	it('uses at least 100,000 PBKDF2 iterations by default', () => {
		expect(PIN_ITERATIONS).toBeGreaterThanOrEqual(100_000);
	});

	it('accepts the right PIN and refuses a wrong one', async () => {
		const { verifier } = await createPinVerifier('2580', 'u1', FAST);
		expect(isPinVerifier(verifier)).toBe(true);
		expect(verifier.salt).toHaveLength(16);
		expect(await verifyPin('2580', verifier)).not.toBeNull();
		expect(await verifyPin('2581', verifier)).toBeNull();
	});

	it('salts per device: the same PIN gives different verifiers', async () => {
		const a = await createPinVerifier('2580', 'u1', FAST);
		const b = await createPinVerifier('2580', 'u1', FAST);
		expect(a.verifier.check).not.toEqual(b.verifier.check);
	});

	it('unlocks the same field key that the PIN was set with', async () => {
		const { verifier, secret } = await createPinVerifier('2580', 'u1', FAST);
		const key = await deriveFieldKey(secret, 'resident-fields');
		const iv = crypto.getRandomValues(new Uint8Array(12));
		const sealed = await crypto.subtle.encrypt(
			{ name: 'AES-GCM', iv },
			key,
			new TextEncoder().encode('450102198001011234')
		);
		const again = await verifyPin('2580', verifier);
		const opened = await crypto.subtle.decrypt(
			{ name: 'AES-GCM', iv },
			await deriveFieldKey(again!, 'resident-fields'),
			sealed
		);
		expect(new TextDecoder().decode(opened)).toBe('450102198001011234');
	});
});
