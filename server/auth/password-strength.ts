// The one password-strength rule, for every place a person chooses a password (the CLI's
// `user add` today; user administration and password resets reuse it). Server-side only: the
// zxcvbn dictionaries are large and the app has no password form that sets one.
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/** zxcvbn's 0–4 scale; 3 = "safely unguessable" against an offline attack on a slow hash. */
export const MIN_PASSWORD_SCORE = 3;
export const MIN_PASSWORD_LENGTH = 8;
// Longer passwords are scored on their first 256 characters (zxcvbn's own cap) but allowed.
export const MAX_PASSWORD_LENGTH = 1024;

let factory: ZxcvbnFactory | null = null;

// Built on first use: loading the dictionaries takes a few hundred milliseconds.
function zxcvbn(): ZxcvbnFactory {
	factory ??= new ZxcvbnFactory({
		translations: en.translations,
		graphs: common.adjacencyGraphs,
		dictionary: { ...common.dictionary, ...en.dictionary }
	});
	return factory;
}

/**
 * Why `password` may not be used, as a one-line reason naming the field; null when it is strong
 * enough. `userInputs` are the account's own words (username, display name): a password built
 * from them scores low.
 */
export function passwordWeakness(
	password: string,
	userInputs: (string | null | undefined)[] = []
): string | null {
	if (password.length < MIN_PASSWORD_LENGTH)
		return `password: must be at least ${MIN_PASSWORD_LENGTH} characters`;
	if (password.length > MAX_PASSWORD_LENGTH)
		return `password: must be at most ${MAX_PASSWORD_LENGTH} characters`;
	if (!password.trim()) return 'password: must not be only spaces';
	const inputs = userInputs.filter((s): s is string => !!s?.trim()).map((s) => s.trim());
	const result = zxcvbn().check(password, inputs);
	if (result.score >= MIN_PASSWORD_SCORE) return null;
	const why =
		result.feedback.warning ??
		result.feedback.suggestions[0] ??
		'it would be guessed quickly; use a longer passphrase of uncommon words';
	return `password: too weak — ${why.replace(/\.$/, '')}`;
}
