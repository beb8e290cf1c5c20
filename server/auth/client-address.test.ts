import { describe, expect, it } from 'vitest';
import { clientAddress, TrustedProxies } from './client-address';
import { loadConfig } from '../config';
import { LoginThrottle } from './throttle';

describe('GRIDCARE_TRUSTED_PROXIES', () => {
	it('is empty by default: X-Forwarded-For is never believed', () => {
		const { trustedProxies } = loadConfig({});
		expect(trustedProxies.entries).toEqual([]);
		expect(clientAddress('198.51.100.9', '203.0.113.7', trustedProxies)).toBe('198.51.100.9');
	});

	it('takes addresses and CIDR ranges of both families, separated by commas or blanks', () => {
		const t = loadConfig({
			GRIDCARE_TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.5 fd00::/8,::1'
		}).trustedProxies;
		expect(t.entries).toEqual(['10.0.0.0/8', '192.168.1.5', 'fd00::/8', '::1']);
		expect(t.has('10.200.3.4')).toBe(true);
		expect(t.has('11.0.0.1')).toBe(false);
		expect(t.has('192.168.1.5')).toBe(true);
		expect(t.has('192.168.1.6')).toBe(false);
		expect(t.has('fd12:3456::1')).toBe(true);
		expect(t.has('fe80::1')).toBe(false);
		expect(t.has('::1')).toBe(true);
		// A dual-stack socket reports IPv4 peers mapped into IPv6.
		expect(t.has('::ffff:10.1.1.1')).toBe(true);
		expect(t.has('not an address')).toBe(false);
	});

	it.each([
		['10.0.0.0/33', /GRIDCARE_TRUSTED_PROXIES: "10.0.0.0\/33" has a prefix longer than 32 bits/],
		['fd00::/129', /GRIDCARE_TRUSTED_PROXIES: "fd00::\/129" has a prefix longer than 128 bits/],
		['proxy.local', /GRIDCARE_TRUSTED_PROXIES: "proxy.local" is not an IP address or CIDR range/],
		['10.0.0.1/x', /GRIDCARE_TRUSTED_PROXIES: "10.0.0.1\/x" is not/],
		['10.0.0.0/8/8', /GRIDCARE_TRUSTED_PROXIES: "10.0.0.0\/8\/8" is not/],
		['1.2.3.4, 300.1.1.1', /GRIDCARE_TRUSTED_PROXIES: "300.1.1.1" is not/]
	])('refuses %j at startup, naming the variable', (value, message) => {
		expect(() => loadConfig({ GRIDCARE_TRUSTED_PROXIES: value })).toThrow(message);
	});
});

describe('clientAddress', () => {
	const trusted = new TrustedProxies('10.0.0.0/8, 2001:db8::1');

	it('is the direct peer when it is no trusted proxy, whatever the header says', () => {
		expect(clientAddress('198.51.100.9', '203.0.113.7', trusted)).toBe('198.51.100.9');
		expect(clientAddress('::ffff:198.51.100.9', '10.0.0.1', trusted)).toBe('198.51.100.9');
	});

	it('is the direct peer when a trusted proxy sends no header', () => {
		expect(clientAddress('10.0.0.1', undefined, trusted)).toBe('10.0.0.1');
		expect(clientAddress('10.0.0.1', ' , ', trusted)).toBe('10.0.0.1');
	});

	it('is the right-most forwarded address that is no trusted proxy', () => {
		// The client wrote "1.1.1.1" itself; 203.0.113.7 is who the first proxy saw.
		expect(clientAddress('10.0.0.1', '1.1.1.1, 203.0.113.7, 10.9.9.9', trusted)).toBe(
			'203.0.113.7'
		);
		expect(clientAddress('::ffff:10.0.0.1', '203.0.113.7', trusted)).toBe('203.0.113.7');
		expect(clientAddress('2001:db8::1', '2001:db8::77', trusted)).toBe('2001:db8::77');
	});

	it('drops ports and brackets some proxies add', () => {
		expect(clientAddress('10.0.0.1', '203.0.113.7:51234', trusted)).toBe('203.0.113.7');
		expect(clientAddress('10.0.0.1', '[2001:db8::77]:443', trusted)).toBe('2001:db8::77');
	});

	it('is the left-most entry when every hop is trusted', () => {
		expect(clientAddress('10.0.0.1', '10.0.0.3, 10.0.0.2', trusted)).toBe('10.0.0.3');
	});

	it('stops at the trusted hop that passed on something that is no address', () => {
		expect(clientAddress('10.0.0.1', 'evil, 10.0.0.2', trusted)).toBe('10.0.0.2');
		expect(clientAddress('10.0.0.1', 'unknown', trusted)).toBe('10.0.0.1');
	});
});

describe('LoginThrottle address delay', () => {
	it('waits nothing for 10 failures, then 100 ms more per failure, at most 1 s', () => {
		const t = new LoginThrottle();
		expect([0, 10, 11, 15, 20, 21, 1000].map((n) => t.addressDelay(n))).toEqual([
			0, 0, 100, 500, 1000, 1000, 1000
		]);
	});

	it('refuses options that would block on addresses or wait more than 2 s', () => {
		expect(() => new LoginThrottle({ addressMaxDelayMs: 2001 })).toThrow(/addressMaxDelayMs/);
		expect(() => new LoginThrottle({ accountFailures: 0 })).toThrow(/accountFailures/);
		expect(() => new LoginThrottle({ firstBlockSeconds: -1 })).toThrow(/firstBlockSeconds/);
	});
});
