// Login throttling: repeated failures block an account (per IP) and an IP address for a while.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';

export interface ThrottleOptions {
	/** Failures allowed per username and IP before a block. */
	perAccount: number;
	/** Failures allowed per IP (any username) before a block. */
	perIp: number;
	/** Window and block length in seconds. */
	windowSeconds: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
	perAccount: 5,
	perIp: 30,
	windowSeconds: 15 * 60
};

export class LoginThrottle {
	private readonly account: RateLimiterMemory;
	private readonly ip: RateLimiterMemory;

	constructor(options: ThrottleOptions = DEFAULT_THROTTLE) {
		const { windowSeconds: duration } = options;
		this.account = new RateLimiterMemory({
			points: options.perAccount,
			duration,
			blockDuration: duration
		});
		this.ip = new RateLimiterMemory({ points: options.perIp, duration, blockDuration: duration });
	}

	/** Seconds until another attempt is allowed, or 0 when it is allowed now. */
	async retryAfter(username: string, ip: string): Promise<number> {
		const [a, i] = await Promise.all([this.account.get(`${ip}|${username}`), this.ip.get(ip)]);
		return Math.max(blockedFor(a, this.account.points), blockedFor(i, this.ip.points));
	}

	async recordFailure(username: string, ip: string): Promise<void> {
		// consume() rejects once the limit is passed; the rejection only means "now blocked".
		await Promise.allSettled([this.account.consume(`${ip}|${username}`), this.ip.consume(ip)]);
	}

	async recordSuccess(username: string, ip: string): Promise<void> {
		await this.account.delete(`${ip}|${username}`);
	}
}

function blockedFor(res: RateLimiterRes | null, points: number): number {
	if (!res || res.consumedPoints < points) return 0;
	return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
}
