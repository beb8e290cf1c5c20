// The download bench's slow link (tests/bench/link.ts): it must hold transfers to its bandwidth,
// shared by parallel connections, add its round trip to every exchange and the handshake to a
// new connection, carry bodies intact, drop Accept-Encoding when compression is off, and refuse
// connections while offline. Only lower bounds on time are checked: a busy machine makes things
// slower, never faster.
import { createHash, randomBytes, type BinaryLike } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLink, type LinkProfile } from '../bench/link';

const BODY = new Uint8Array(randomBytes(200_000));
const digest = (bytes: BinaryLike) => createHash('sha256').update(bytes).digest('hex');
const PROFILE: LinkProfile = { name: 'test', downBps: 1_600_000, upBps: 750_000, rttMs: 150 };

let server: Server;
let upstream: { host: string; port: number };

beforeAll(async () => {
	server = createServer((req, res) => {
		res.setHeader('x-accept-encoding', req.headers['accept-encoding'] ?? '');
		if (req.url === '/echo') {
			const hash = createHash('sha256');
			req.on('data', (chunk: Buffer) => hash.update(new Uint8Array(chunk)));
			req.on('end', () => res.end(hash.digest('hex')));
			return;
		}
		if (req.url === '/small') return void res.end('ok');
		res.setHeader('content-length', BODY.length);
		res.end(BODY);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	upstream = { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
});

afterAll(async () => {
	server.closeAllConnections();
	await new Promise((resolve) => server.close(resolve));
});

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
	const start = performance.now();
	const value = await run();
	return [value, performance.now() - start];
}

describe('the bench link', () => {
	it('holds a download to its bandwidth plus a round trip, and carries it intact', async () => {
		const link = await openLink(upstream, PROFILE, true);
		try {
			await (await fetch(`${link.url}/small`)).text();
			const [body, ms] = await timed(
				async () => new Uint8Array(await (await fetch(`${link.url}/big`)).arrayBuffer())
			);
			expect(digest(body)).toBe(digest(BODY));
			// 200 KB at 1.6 Mbit/s is 1 s; the bucket may start with 20 ms of burst.
			const wire = (BODY.length * 8 * 1000) / PROFILE.downBps;
			expect(ms).toBeGreaterThanOrEqual(wire - 20 + PROFILE.rttMs - 5);
			expect(link.stats().down).toBeGreaterThan(BODY.length);
		} finally {
			await link.close();
		}
	});

	it('shares the bandwidth between parallel connections', async () => {
		const link = await openLink(upstream, PROFILE, true);
		try {
			const [bodies, ms] = await timed(() =>
				Promise.all(
					[0, 1].map(async () =>
						digest(new Uint8Array(await (await fetch(`${link.url}/big`)).arrayBuffer()))
					)
				)
			);
			expect(bodies).toEqual([digest(BODY), digest(BODY)]);
			const wire = (2 * BODY.length * 8 * 1000) / PROFILE.downBps;
			expect(ms).toBeGreaterThanOrEqual(wire - 20);
			expect(link.stats().connections).toBe(2);
		} finally {
			await link.close();
		}
	});

	it('limits uploads to the up bandwidth and carries them intact', async () => {
		const link = await openLink(upstream, PROFILE, true);
		try {
			const upload = new Uint8Array(randomBytes(100_000));
			const [answer, ms] = await timed(async () =>
				(await fetch(`${link.url}/echo`, { method: 'POST', body: upload })).text()
			);
			expect(answer).toBe(digest(upload));
			expect(ms).toBeGreaterThanOrEqual((upload.length * 8 * 1000) / PROFILE.upBps - 20);
		} finally {
			await link.close();
		}
	});

	it('costs a round trip per exchange, and one more for a new connection', async () => {
		const link = await openLink(upstream, PROFILE, true);
		try {
			const [, first] = await timed(async () => (await fetch(`${link.url}/small`)).text());
			expect(first).toBeGreaterThanOrEqual(2 * PROFILE.rttMs - 5);
			const [, again] = await timed(async () => (await fetch(`${link.url}/small`)).text());
			expect(again).toBeGreaterThanOrEqual(PROFILE.rttMs - 5);
		} finally {
			await link.close();
		}
	});

	it('drops Accept-Encoding when compression is off, and only then', async () => {
		for (const compression of [true, false]) {
			const link = await openLink(upstream, null, compression);
			try {
				const answer = await fetch(`${link.url}/small`, {
					headers: { 'accept-encoding': 'br, gzip' }
				});
				expect(answer.headers.get('x-accept-encoding')).toBe(compression ? 'br, gzip' : '');
				expect(await answer.text()).toBe('ok');
			} finally {
				await link.close();
			}
		}
	});

	it('refuses every connection while offline, and carries again afterwards', async () => {
		const link = await openLink(upstream, null, true);
		try {
			expect(await (await fetch(`${link.url}/small`)).text()).toBe('ok');
			link.setOffline(true);
			await expect(fetch(`${link.url}/small`)).rejects.toThrow();
			link.setOffline(false);
			expect(await (await fetch(`${link.url}/small`)).text()).toBe('ok');
		} finally {
			await link.close();
		}
	});
});
