import { describe, expect, it } from 'vitest';
import { passwordWeakness } from './password-strength';

describe('passwordWeakness', () => {
	it.each([
		['12345678', /^password: too weak — /],
		['password', /^password: too weak — /],
		['Password1', /^password: too weak — /],
		['        ', /^password: must not be only spaces$/],
		['short1!', /^password: must be at least 8 characters$/]
	])('refuses %j naming the field', (password, reason) => {
		expect(passwordWeakness(password, ['wangxiaoming'])).toMatch(reason);
	});

	it('refuses the username and the display name, even padded', () => {
		expect(passwordWeakness('wangxiaoming', ['wangxiaoming'])).toMatch(/^password: too weak — /);
		expect(passwordWeakness('wangxiaoming1', ['wangxiaoming'])).toMatch(/^password: too weak/);
		expect(passwordWeakness('zhoujianguo88', ['wang', 'zhoujianguo88'])).toMatch(/too weak/);
	});

	it("quotes zxcvbn's warning when it has one", () => {
		expect(passwordWeakness('password')).toBe(
			'password: too weak — This is a heavily used password'
		);
	});

	it('accepts a passphrase and a long random string', () => {
		expect(passwordWeakness('correct horse battery staple', ['wangxiaoming'])).toBeNull();
		expect(passwordWeakness('Tq8#vL2m!pZx', ['wangxiaoming'])).toBeNull();
	});

	it('bounds the length', () => {
		expect(passwordWeakness('x'.repeat(1025))).toMatch(/^password: must be at most 1024/);
	});
});
