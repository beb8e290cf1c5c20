// A slow link between the browser and the server, for the download bench: a TCP proxy that shapes
// each direction with a bandwidth limit shared by every connection of the device and adds the
// round-trip time, in front of an HTTP hop that can drop Accept-Encoding (the server then answers
// identity). Everything the browser fetches from the page's origin goes through it: the page's,
// the service worker's and the pull worker's requests alike, which DevTools network emulation
// does not reach. See docs/field-performance.md, "Slow links and modest tablets".
//
// The model:
// - Bandwidth: each direction is one token bucket (bytes per second, a small burst) shared by all
//   connections, as a cell is shared by every connection of a device. Waiting connections take
//   turns in chunks of `QUANTUM` bytes, as TCP flows sharing a bottleneck interleave.
// - Latency: half the round trip is added to every byte in each direction (propagation), so any
//   request/answer exchange costs one RTT on top of its transfer time, whatever the framing:
//   keep-alive, parallel connections and pipelined requests behave as on a real link. A new
//   connection's first bytes wait one more RTT (the TCP handshake).
// - Not modelled: TCP slow start, losses and retransmissions, radio wake-up. Short transfers on
//   fresh connections are therefore a little faster here than on a real cell.
import {
	createServer as createHttpServer,
	Agent,
	request,
	type Server as HttpServer
} from 'node:http';
import {
	createConnection,
	createServer,
	type AddressInfo,
	type Server,
	type Socket
} from 'node:net';

export interface LinkProfile {
	name: string;
	/** Bits per second, browser ← server. */
	downBps: number;
	/** Bits per second, browser → server. */
	upBps: number;
	rttMs: number;
}

/** The profiles of issue 20 ("4G" and "3G" as a grid worker meets them in the field). */
export const LINK_PROFILES: Record<'4g' | '3g', LinkProfile> = {
	'4g': { name: '4G', downBps: 9_000_000, upBps: 1_500_000, rttMs: 60 },
	'3g': { name: '3G', downBps: 1_600_000, upBps: 750_000, rttMs: 150 }
};

/** Bytes a waiting connection sends before the next one gets its turn. */
const QUANTUM = 4096;
/** What the bucket may hold when idle: a timer that fires late loses no bandwidth up to this. */
const BURST_SECONDS = 0.02;

export interface LinkStats {
	/** Bytes carried browser ← server and browser → server. */
	down: number;
	up: number;
	connections: number;
}

/** One direction of the device's link: a token bucket shared by the connections it carries. */
class Direction {
	readonly #bytesPerMs: number;
	readonly #delayMs: number;
	readonly #burstMs: number;
	/** Connections with bytes waiting, in turn order. */
	readonly #waiting: Flow[] = [];
	/** When the bytes handed to the link so far have left it (virtual time, ms). */
	#freeAt = 0;
	#timer: NodeJS.Timeout | null = null;
	bytes = 0;

	constructor(bitsPerSecond: number, delayMs: number) {
		this.#bytesPerMs = bitsPerSecond / 8 / 1000;
		this.#delayMs = delayMs;
		this.#burstMs = BURST_SECONDS * 1000;
	}

	get delayMs(): number {
		return this.#delayMs;
	}

	/** A flow has bytes to send. */
	wake(flow: Flow): void {
		if (!this.#waiting.includes(flow)) this.#waiting.push(flow);
		if (!this.#timer) this.#pump();
	}

	forget(flow: Flow): void {
		const i = this.#waiting.indexOf(flow);
		if (i >= 0) this.#waiting.splice(i, 1);
	}

	#pump(): void {
		this.#timer = null;
		const now = performance.now();
		// Hand the link quanta, round robin, until it is busy a little ahead of now.
		while (this.#waiting.length && this.#freeAt <= now + 1) {
			const flow = this.#waiting.shift() as Flow;
			const chunk = flow.take(QUANTUM);
			if (!chunk) continue;
			const start = Math.max(this.#freeAt, now - this.#burstMs);
			this.#freeAt = start + chunk.length / this.#bytesPerMs;
			this.bytes += chunk.length;
			// A burst may leave early, never arrive before its one-way delay from now.
			flow.deliver(chunk, Math.max(this.#freeAt, now) + this.#delayMs);
			if (flow.pending) this.#waiting.push(flow);
			else flow.drained();
		}
		if (this.#waiting.length)
			this.#timer = setTimeout(() => this.#pump(), Math.max(0, this.#freeAt - now - 1));
	}
}

/** One direction of one connection: bytes read from one socket, written to `to` as they arrive. */
class Flow {
	readonly #queue: Uint8Array[] = [];
	#queued = 0;
	#ending = false;
	#ended = false;
	/** Chunks on the wire with their arrival time, in order; null is the end of the stream. */
	readonly #inFlight: { at: number; chunk: Uint8Array | null }[] = [];
	#timer: NodeJS.Timeout | null = null;

	constructor(
		private readonly direction: Direction | null,
		private readonly to: Socket,
		/** Nothing arrives before this instant (the handshake). */
		private readonly notBefore: number
	) {}

	/** Bytes wait for the link. */
	get pending(): boolean {
		return this.#queued > 0;
	}

	push(chunk: Uint8Array): void {
		if (!this.direction) {
			this.deliver(chunk, performance.now());
			return;
		}
		this.#queue.push(chunk);
		this.#queued += chunk.length;
		this.direction.wake(this);
	}

	/** The sender closed its side: the end travels behind the bytes before it. */
	end(): void {
		this.#ending = true;
		if (this.#queued === 0) this.drained();
	}

	/** Up to `max` bytes for the link. */
	take(max: number): Uint8Array | null {
		const parts: Uint8Array[] = [];
		let size = 0;
		while (this.#queue.length && size < max) {
			const head = this.#queue[0];
			const room = max - size;
			if (head.length <= room) {
				parts.push(head);
				size += head.length;
				this.#queue.shift();
			} else {
				parts.push(head.subarray(0, room));
				this.#queue[0] = head.subarray(room);
				size += room;
			}
		}
		this.#queued -= size;
		return size ? bytes(Buffer.concat(parts)) : null;
	}

	/** Everything queued is on the wire: an end waiting behind it follows. */
	drained(): void {
		if (!this.#ending || this.#ended) return;
		this.#ended = true;
		this.deliver(null, performance.now() + (this.direction?.delayMs ?? 0));
	}

	/** Write `chunk` (null: the end) at `at`, never before what went before it. */
	deliver(chunk: Uint8Array | null, at: number): void {
		const previous = this.#inFlight.at(-1)?.at ?? 0;
		this.#inFlight.push({ at: Math.max(at, previous, this.notBefore), chunk });
		if (!this.#timer) this.#arrive();
	}

	#arrive(): void {
		this.#timer = null;
		const now = performance.now();
		while (this.#inFlight.length && this.#inFlight[0].at <= now) {
			const { chunk } = this.#inFlight.shift() as { chunk: Uint8Array | null };
			if (this.to.destroyed || this.to.writableEnded) continue;
			if (chunk) this.to.write(chunk);
			else this.to.end();
		}
		if (this.#inFlight.length)
			this.#timer = setTimeout(() => this.#arrive(), this.#inFlight[0].at - now);
	}

	/** The receiving socket is gone: drop what is queued or on the wire. */
	close(): void {
		if (this.#timer) clearTimeout(this.#timer);
		this.#timer = null;
		this.#inFlight.length = 0;
		this.#queue.length = 0;
		this.#queued = 0;
		this.direction?.forget(this);
	}
}

export interface Link {
	/** Where the browser connects: the page's origin. */
	url: string;
	profile: LinkProfile | null;
	compression: boolean;
	stats(): LinkStats;
	/** Offline: every open connection is cut and new ones are closed at once (or back online). */
	setOffline(offline: boolean): void;
	close(): Promise<void>;
}

/**
 * A link to the server at `upstream` (host:port): shaped by `profile` (null: no shaping, only
 * the proxy hops), with Accept-Encoding removed from every request when `compression` is false.
 * A fresh link per browser context keeps each run's bandwidth its own.
 */
export async function openLink(
	upstream: { host: string; port: number },
	profile: LinkProfile | null,
	compression: boolean
): Promise<Link> {
	// The HTTP hop: passes requests on over kept-alive connections, without Accept-Encoding when
	// compression is off. Hop-by-hop headers are the hop's own.
	const agent = new Agent({ keepAlive: true });
	const hopByHop = new Set([
		'connection',
		'keep-alive',
		'proxy-connection',
		'transfer-encoding',
		'upgrade'
	]);
	const hop: HttpServer = createHttpServer({ keepAliveTimeout: 120_000 }, (req, res) => {
		const headers: Record<string, string | string[]> = {};
		for (const [name, value] of Object.entries(req.headers))
			if (value !== undefined && !hopByHop.has(name)) headers[name] = value;
		if (!compression) delete headers['accept-encoding'];
		const forward = request(
			{ ...upstream, method: req.method, path: req.url, headers, agent },
			(answer) => {
				const raw: string[] = [];
				for (let i = 0; i < answer.rawHeaders.length; i += 2)
					if (!hopByHop.has(answer.rawHeaders[i].toLowerCase()))
						raw.push(answer.rawHeaders[i], answer.rawHeaders[i + 1]);
				res.writeHead(answer.statusCode ?? 502, answer.statusMessage, raw);
				answer.pipe(res);
			}
		);
		forward.on('error', () => res.destroy());
		req.pipe(forward);
	});
	await listen(hop);
	const hopPort = (hop.address() as AddressInfo).port;

	const down = profile ? new Direction(profile.downBps, profile.rttMs / 2) : null;
	const up = profile ? new Direction(profile.upBps, profile.rttMs / 2) : null;
	const stats: LinkStats = { down: 0, up: 0, connections: 0 };
	const open = new Set<Socket>();
	let offline = false;

	const shaper: Server = createServer({ allowHalfOpen: true }, (client) => {
		if (offline) {
			client.destroy();
			return;
		}
		stats.connections += 1;
		client.setNoDelay(true);
		const server = createConnection({ host: '127.0.0.1', port: hopPort, allowHalfOpen: true });
		server.setNoDelay(true);
		open.add(client);
		open.add(server);
		// The browser's first bytes leave after the handshake's round trip.
		const rtt = profile?.rttMs ?? 0;
		const toServer = new Flow(up, server, performance.now() + rtt + rtt / 2);
		const toClient = new Flow(down, client, 0);
		client.on('data', (chunk: Buffer) => {
			stats.up += chunk.length;
			toServer.push(bytes(chunk));
		});
		server.on('data', (chunk: Buffer) => {
			stats.down += chunk.length;
			toClient.push(bytes(chunk));
		});
		// A closed side travels like the bytes before it; the sockets close once both ends went.
		client.on('end', () => toServer.end());
		server.on('end', () => toClient.end());
		client.on('error', () => undefined);
		server.on('error', () => undefined);
		client.on('close', (hadError) => {
			open.delete(client);
			toClient.close();
			if (hadError) {
				toServer.close();
				server.destroy();
			}
		});
		server.on('close', (hadError) => {
			open.delete(server);
			toServer.close();
			if (hadError) {
				toClient.close();
				client.destroy();
			}
		});
	});
	await listen(shaper);
	const { port } = shaper.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		profile,
		compression,
		stats: () => ({ ...stats }),
		setOffline(value: boolean) {
			offline = value;
			if (value) for (const socket of open) socket.destroy();
		},
		async close() {
			for (const socket of open) socket.destroy();
			agent.destroy();
			hop.closeAllConnections();
			await Promise.all([closeServer(shaper), closeServer(hop)]);
		}
	};
}

/** A socket's chunk as plain bytes (the same memory). */
function bytes(chunk: Buffer): Uint8Array {
	return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

function listen(server: Server | HttpServer): Promise<void> {
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
}

function closeServer(server: Server | HttpServer): Promise<void> {
	return new Promise((resolve) => server.close(() => resolve()));
}
