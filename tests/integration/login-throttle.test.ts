// The login throttle through a listening server, requests sent from many loopback source
// addresses (Linux routes all of 127/8 to the loopback interface): guessing one account from
// 60 addresses meets 429; one address failing for 30 accounts slows, but does not block, a
// 31st account's right password; two server processes' worth of apps on one database share
// the counters; X-Forwarded-For counts only from a trusted proxy. Both databases.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { hashPassword } from '../../server/auth/password';
import { DEFAULT_THROTTLE, LoginThrottle } from '../../server/auth/throttle';
import { openStore } from '../../server/store/index';
import type { Store } from '../../server/store/types';
import { DIALECTS, dialectAvailable, openTestStore, type TestStore } from './stores';
import { PASSWORD, seedFixture } from './fixtures';

interface Answer {
	status: number;
	retryAfter: string | null;
	ms: number;
}

/** POST a login from source address `from`, on a connection of its own. */
function login(
	port: number,
	from: string,
	username: string,
	password: string,
	headers: Record<string, string> = {}
): Promise<Answer> {
	const body = JSON.stringify({ username, password, deviceId: 'throttle-test' });
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const req = request(
			{
				host: '127.0.0.1',
				port,
				localAddress: from,
				agent: false,
				method: 'POST',
				path: '/api/v1/auth/login',
				headers: { 'content-type': 'application/json', ...headers }
			},
			(res) => {
				res.resume();
				res.on('end', () =>
					resolve({
						status: res.statusCode ?? 0,
						retryAfter: (res.headers['retry-after'] as string | undefined) ?? null,
						ms: performance.now() - started
					})
				);
			}
		);
		req.on('error', reject);
		req.end(body);
	});
}

const source = (n: number) => `127.0.0.${n}`;
const count = (answers: Answer[], status: number) =>
	answers.filter((a) => a.status === status).length;

/** The app as server/serve.ts starts it, on a free port, without its request log. */
async function listen(
	store: Store,
	env: Record<string, string> = {},
	throttle = new LoginThrottle()
) {
	const app = createApp({
		store,
		config: { ...loadConfig(env), appDir: 'build' },
		throttle,
		version: 'test',
		now: () => new Date(),
		log: () => {}
	});
	const server = await new Promise<ServerType>((resolve) => {
		const s = serve({ fetch: app.fetch, port: 0 }, () => resolve(s));
	});
	return { server, port: (server.address() as AddressInfo).port };
}

function close(server: ServerType): Promise<void> {
	return new Promise((resolve) => server.close(() => resolve()));
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`login throttle over HTTP (${dialect})`, () => {
		let db: TestStore;
		let second: Store;
		let server: ServerType;
		let port: number;
		let other: { server: ServerType; port: number };

		beforeAll(async () => {
			db = await openTestStore(dialect);
			await seedFixture(db.store);
			const passwordHash = await hashPassword(PASSWORD);
			for (let i = 1; i <= 31; i++)
				await db.store.createUser({
					username: `member_${i}`,
					role: 'grid_worker',
					scope: [],
					passwordHash,
					displayName: null
				});
			({ server, port } = await listen(db.store));
			// A second server as another process would be: its own connection to the same database.
			second = openStore(db.url);
			other = await listen(second);
		});
		afterAll(async () => {
			await close(other.server);
			await second.close();
			await close(server);
			await db.dispose();
		});

		it('meets an account guessed from 60 addresses with 429 after five failures', async () => {
			let refusal: () => void;
			const firstRefusal = new Promise<void>((resolve) => (refusal = resolve));
			const guesses = Promise.all(
				Array.from({ length: 60 }, (_, i) =>
					login(port, source(i + 2), 'street', `guess-${i}`).then((a) => {
						if (a.status === 429) refusal();
						return a;
					})
				)
			);
			// The right password, from an address that never failed, sent while the 2 s block
			// that the first refusal proves holds: refused too, and not checked.
			const right = await firstRefusal.then(() => login(port, source(62), 'street', PASSWORD));
			const answers = await guesses;
			const failed = count(answers, 401);
			const refused = answers.filter((a) => a.status === 429);
			console.info(
				`[${dialect}] 60 addresses guessing one account at once: ${failed} checked (401), ` +
					`${refused.length} refused (429, Retry-After ${[...new Set(refused.map((a) => a.retryAfter))].join('/')} s); ` +
					`then its right password: ${right.status}`
			);
			// Five checked, and one more only if the 2 s block ended while the burst was still
			// arriving (a loaded machine); the next block is then 4 s.
			expect(failed).toBeGreaterThanOrEqual(5);
			expect(failed).toBeLessThanOrEqual(6);
			expect(failed + refused.length).toBe(60);
			// Blocks of 2 or 4 s, rounded up; concurrent requests read the clock ms apart.
			for (const a of refused) expect(['1', '2', '3', '4', '5']).toContain(a.retryAfter);
			expect(right.status).toBe(429);
			expect(Number(right.retryAfter)).toBeGreaterThanOrEqual(1);
		});

		it('slows by at most 2 s, and never blocks, a 31st account behind an address that failed for 30', async () => {
			const busy = source(63);
			const baseline = await login(port, source(64), 'member_31', PASSWORD);
			expect(baseline.status).toBe(200);
			const started = performance.now();
			const failures = await Promise.all(
				Array.from({ length: 30 }, (_, i) => login(port, busy, `member_${i + 1}`, 'wrong'))
			);
			const failingMs = performance.now() - started;
			expect(failures.map((a) => a.status)).toEqual(Array(30).fill(401));
			const after = await login(port, busy, 'member_31', PASSWORD);
			const delay = after.ms - baseline.ms;
			console.info(
				`[${dialect}] 30 failures from one address took ${failingMs.toFixed(0)} ms; ` +
					`31st account's right password: ${after.ms.toFixed(0)} ms ` +
					`(${baseline.ms.toFixed(0)} ms from a quiet address, delay ${delay.toFixed(0)} ms)`
			);
			expect(after.status).toBe(200);
			expect(after.ms).toBeLessThan(2000);
			expect(delay).toBeLessThanOrEqual(2000);
			// The address rule did act: the answer waited its full delay.
			expect(after.ms).toBeGreaterThanOrEqual(DEFAULT_THROTTLE.addressMaxDelayMs);
		});

		it('shares the counters between two servers on one database', async () => {
			const answers: Answer[] = [];
			for (let i = 0; i < 5; i++) {
				const target = i % 2 ? other.port : port;
				answers.push(await login(target, source(65 + i), 'province', `guess-${i}`));
			}
			expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
			const refusedHere = await login(port, source(70), 'province', PASSWORD);
			const refusedThere = await login(other.port, source(70), 'province', PASSWORD);
			expect([refusedHere.status, refusedThere.status]).toEqual([429, 429]);
			// Twenty failures from one address, half through each server, slow it on both.
			const busy = source(71);
			const failures = await Promise.all(
				Array.from({ length: 20 }, (_, i) =>
					login(i % 2 ? other.port : port, busy, `nobody_${i}`, 'wrong')
				)
			);
			expect(count(failures, 401)).toBe(20);
			const slowedHere = await login(port, busy, 'head_a', PASSWORD);
			const slowedThere = await login(other.port, busy, 'head_b', PASSWORD);
			expect([slowedHere.status, slowedThere.status]).toEqual([200, 200]);
			expect(slowedHere.ms).toBeGreaterThanOrEqual(DEFAULT_THROTTLE.addressMaxDelayMs);
			expect(slowedThere.ms).toBeGreaterThanOrEqual(DEFAULT_THROTTLE.addressMaxDelayMs);
		});

		it('takes the client address from X-Forwarded-For only from a trusted proxy', async () => {
			const proxy = source(80);
			// Slowed after 3 failures here (150 ms more each, at most 1.5 s), to keep the test short.
			const slow = 1500;
			const behind = await listen(
				db.store,
				{ GRIDCARE_TRUSTED_PROXIES: `${proxy}, 10.0.0.0/8` },
				new LoginThrottle({
					addressFreeFailures: 3,
					addressDelayStepMs: 150,
					addressMaxDelayMs: slow
				})
			);
			try {
				const via = (client: string, username: string, password: string, from = proxy) =>
					login(behind.port, from, username, password, {
						'x-forwarded-for': `${client}, 10.1.2.3`
					});
				// 15 failures from one client behind the proxy...
				const failures = await Promise.all(
					Array.from({ length: 15 }, (_, i) => via('203.0.113.7', `member_${i + 1}`, 'wrong'))
				);
				expect(count(failures, 401)).toBe(15);
				// ...slow that client, not another one behind the same proxy,
				const slowed = await via('203.0.113.7', 'worker_a1', PASSWORD);
				const quick = await via('203.0.113.8', 'worker_b1', PASSWORD);
				expect([slowed.status, quick.status]).toEqual([200, 200]);
				expect(slowed.ms).toBeGreaterThanOrEqual(slow);
				expect(quick.ms).toBeLessThan(slow);
				// ...and an untrusted peer cannot pick its address with the header: its failures
				// count for itself (127.0.0.81), the address it names (203.0.113.8) stays quick.
				const spoofed = await Promise.all(
					Array.from({ length: 15 }, (_, i) =>
						via('203.0.113.8', `member_${i + 1}`, 'wrong', source(81))
					)
				);
				expect(count(spoofed, 401)).toBe(15);
				const still = await via('203.0.113.8', 'head_b', PASSWORD);
				expect(still.status).toBe(200);
				expect(still.ms).toBeLessThan(slow);
				const spoofer = await login(behind.port, source(81), 'admin', PASSWORD);
				expect(spoofer.ms).toBeGreaterThanOrEqual(slow);
			} finally {
				await close(behind.server);
			}
		});
	});
}

for (const dialect of DIALECTS) {
	describe.skipIf(!dialectAvailable(dialect))(`login throttle counters (${dialect})`, () => {
		let db: TestStore;
		let second: Store;
		const rule = { allowed: 5, firstBlockMs: 2000, maxBlockMs: 900_000, windowMs: 900_000 };
		const t0 = Date.parse('2026-11-24T08:00:00Z');

		beforeAll(async () => {
			db = await openTestStore(dialect);
			second = openStore(db.url);
		});
		afterAll(async () => {
			await second.close();
			await db.dispose();
		});

		it('loses no count when two connections count at once', async () => {
			const stores = [db.store, second];
			const counted = await Promise.all(
				Array.from({ length: 40 }, (_, i) =>
					stores[i % 2].recordAddressFailure('198.51.100.1', t0, rule.windowMs)
				)
			);
			expect([...counted].sort((a, b) => a - b)).toEqual(
				Array.from({ length: 40 }, (_, i) => i + 1)
			);
			expect(await second.addressFailures('198.51.100.1', t0, rule.windowMs)).toBe(40);
			const attempts = await Promise.all(
				Array.from({ length: 40 }, (_, i) => stores[i % 2].countLoginAttempt('acct', t0, rule))
			);
			const allowed = attempts.filter((a) => a.allowed);
			expect(allowed.map((a) => a.allowed && a.failures).sort()).toEqual([1, 2, 3, 4, 5]);
			for (const a of attempts) if (!a.allowed) expect(a.blockedUntilMs).toBe(t0 + 2000);
		});

		it('never refuses an account without a block, whatever order the attempts arrive in', async () => {
			// Sign-ins at once through two processes: the one stamped earlier is counted later.
			expect(await db.store.countLoginAttempt('twice', t0 + 5, rule)).toEqual({
				allowed: true,
				failures: 1
			});
			expect(await second.countLoginAttempt('twice', t0 + 1, rule)).toEqual({
				allowed: true,
				failures: 2
			});
			await db.store.clearLoginFailures('twice');
		});

		it('forgets rows with nothing left to remember', async () => {
			await db.store.countLoginAttempt('quiet', t0, rule);
			await db.store.recordAddressFailure('198.51.100.2', t0, rule.windowMs);
			// "acct" of the case before is blocked until t0 + 2 s: kept a window after that.
			expect(await db.store.purgeLoginFailures(t0 + rule.windowMs, rule.windowMs)).toBe(0);
			expect(await db.store.purgeLoginFailures(t0 + rule.windowMs + 1, rule.windowMs)).toBe(3);
			expect(await db.store.addressFailures('198.51.100.1', t0, rule.windowMs)).toBe(0);
			expect(await db.store.purgeLoginFailures(t0 + 2000 + rule.windowMs + 1, rule.windowMs)).toBe(
				1
			);
			const fresh = await db.store.countLoginAttempt('acct', t0 + 2000 + rule.windowMs + 1, rule);
			expect(fresh).toEqual({ allowed: true, failures: 1 });
		});
	});
}
