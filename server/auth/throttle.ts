// Login throttling, with its counters in the database so that every server process sees them.
//
// Per account, at any address: failures 1–5 of a username (known or not, so a 429 reveals
// nothing about who exists) are answered as usual; after the 5th the account is blocked for
// 2 s, and each further failure doubles the block, up to 15 min. While blocked, an attempt is
// answered 429 with Retry-After and its password is not checked, even a right one. A success
// forgets the failures; so do 15 min without a failure or a block.
//
// Each attempt is counted as a failure before its password is checked, in one atomic statement
// that does nothing on a blocked account (Store.countLoginAttempt): a burst of parallel guesses
// from many addresses gets 5 checked, not 5 per address. A success then clears the count.
//
// Per address: failures for any username slow the answers from that address (after 10, by
// 100 ms more per failure, up to 1 s; never more than 2 s) and never block anyone: one address
// may be a whole office behind a NAT or a proxy. The delay comes before the password is
// checked, for successes too, so a client cannot tell a failure by its slowness and give up
// waiting; an account without failures of its own always gets in, at most 1 s later.
//
// Not rate-limiter-flexible (its database stores): its blocks have one fixed length and a
// consume cannot be refused without counting, so neither the doubling nor the check-and-count
// in one statement fit; two small tables with upserts do both on SQLite and PostgreSQL.
import type { LoginBlockRule, Store } from '../store/types';

export interface ThrottleOptions {
	/** Failures of one account allowed before it is blocked. */
	accountFailures: number;
	/** First block, in seconds; each further failure doubles it... */
	firstBlockSeconds: number;
	/** ...up to this. */
	maxBlockSeconds: number;
	/** Failures are forgotten after this long without a failure (or a block). */
	windowSeconds: number;
	/** Failures from one address answered without delay. */
	addressFreeFailures: number;
	/** Delay added per failure from one address beyond the free ones, in ms... */
	addressDelayStepMs: number;
	/** ...up to this (never more than 2 s). */
	addressMaxDelayMs: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
	accountFailures: 5,
	firstBlockSeconds: 2,
	maxBlockSeconds: 15 * 60,
	windowSeconds: 15 * 60,
	addressFreeFailures: 10,
	addressDelayStepMs: 100,
	addressMaxDelayMs: 1000
};

/** Longest delay the address rule may add. */
export const MAX_ADDRESS_DELAY_MS = 2000;

/** How often one process deletes rows with nothing left to remember. */
const PURGE_EVERY_MS = 60_000;

export type LoginGate =
	| { allowed: true; /** Delay applied before this answer, in ms. */ delayMs: number }
	| { allowed: false; /** Seconds, at least 1. */ retryAfter: number };

export class LoginThrottle {
	readonly options: ThrottleOptions;
	private readonly rule: LoginBlockRule;
	private lastPurgeMs = 0;

	constructor(options: Partial<ThrottleOptions> = {}) {
		const o = { ...DEFAULT_THROTTLE, ...options };
		for (const [key, value] of Object.entries(o))
			if (!Number.isFinite(value) || value < 0)
				throw new Error(`throttle ${key}: expected a number ≥ 0, got ${value}`);
		if (o.accountFailures < 1 || !Number.isInteger(o.accountFailures))
			throw new Error(`throttle accountFailures: expected a positive integer`);
		if (o.addressMaxDelayMs > MAX_ADDRESS_DELAY_MS)
			throw new Error(`throttle addressMaxDelayMs: at most ${MAX_ADDRESS_DELAY_MS}`);
		this.options = o;
		this.rule = {
			allowed: o.accountFailures,
			firstBlockMs: o.firstBlockSeconds * 1000,
			maxBlockMs: o.maxBlockSeconds * 1000,
			windowMs: o.windowSeconds * 1000
		};
	}

	/**
	 * Before checking a password: count the attempt against the account, or refuse it while the
	 * account is blocked; then wait the delay the address has earned.
	 */
	async attempt(store: Store, username: string, address: string, at: Date): Promise<LoginGate> {
		const atMs = at.getTime();
		const counted = await store.countLoginAttempt(accountKey(username), atMs, this.rule);
		if (!counted.allowed)
			return {
				allowed: false,
				retryAfter: Math.max(1, Math.ceil((counted.blockedUntilMs - atMs) / 1000))
			};
		const failures = await store.addressFailures(address, atMs, this.rule.windowMs);
		const delayMs = this.addressDelay(failures);
		if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
		return { allowed: true, delayMs };
	}

	/** The password was wrong (the account's count already holds this attempt). */
	async failed(store: Store, address: string, at: Date): Promise<void> {
		const atMs = at.getTime();
		await store.recordAddressFailure(address, atMs, this.rule.windowMs);
		if (Math.abs(atMs - this.lastPurgeMs) >= PURGE_EVERY_MS) {
			this.lastPurgeMs = atMs;
			await store.purgeLoginFailures(atMs, this.rule.windowMs);
		}
	}

	async succeeded(store: Store, username: string): Promise<void> {
		await store.clearLoginFailures(accountKey(username));
	}

	/** Delay for an address with `failures` failures in the window, in ms. */
	addressDelay(failures: number): number {
		const { addressFreeFailures, addressDelayStepMs, addressMaxDelayMs } = this.options;
		const over = failures - addressFreeFailures;
		return over <= 0 ? 0 : Math.min(addressMaxDelayMs, over * addressDelayStepMs);
	}
}

/** One counter for every spelling of a name (width, case, surrounding blanks). */
export function accountKey(username: string): string {
	return username.normalize('NFKC').trim().toLowerCase();
}
