// The network between the devices and the server, written for the chaos harness
// (docs/chaos.md): an HTTP proxy that forwards each request to the server unless the fault
// schedule says otherwise. The schedule is a function of the seed, the device and the number of
// the device's request, so a seed fixes which request meets which fault.
import { createServer, request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { between, pick, sleep, stream } from './random';

export const FAULTS = [
	/** The request never reaches the server. */
	'drop-request',
	/** The server handles the request; its answer is lost (a lost acknowledgement). */
	'drop-answer',
	/** The request reaches the server twice at once; the device hears the first answer. */
	'duplicate',
	/** The request is handled, then delivered again later, after the device's next requests. */
	'replay-later',
	/** The request waits before it is forwarded, so other devices' requests overtake it. */
	'delay',
	/** The request is held past the device's timeout, then reaches the server anyway. */
	'timeout',
	/** Half the request body reaches the server, then the connection is cut. */
	'cut-request',
	/** The server handles the request; its answer is cut after half the body. */
	'cut-answer',
	/** A gateway answers 502 without asking the server. */
	'bad-gateway',
	/** The server is "unavailable" (503) without being asked. */
	'unavailable'
] as const;
export type Fault = (typeof FAULTS)[number];

/** What the proxy did with one request. */
export interface FaultEvent {
	/** Milliseconds since the proxy started. */
	at: number;
	device: string;
	/** The device's request number, from 0. */
	n: number;
	request: string;
	fault: Fault | 'server-down' | 'replayed';
	/** The server's status when it answered, else why not. */
	outcome: string;
}

export interface ProxyOptions {
	seed: number;
	/** Share of requests given a fault, in [0, 1]. */
	faultRate: number;
	/** The devices' request timeout: a `timeout` fault holds a request longer than this. */
	clientTimeoutMs: number;
}

interface Answer {
	status: number;
	headers: Record<string, string | string[]>;
	body: Buffer;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length']);

/** The fault for request `n` of `device` under this seed (null: forwarded as it is). */
export function scheduledFault(
	seed: number,
	faultRate: number,
	device: string,
	n: number
): Fault | null {
	const random = stream(seed, 'fault', device, n);
	return random() < faultRate ? pick(random, FAULTS) : null;
}

export class FaultProxy {
	/** Every request given a fault, or not answered by the server, in order. */
	readonly log: FaultEvent[] = [];
	/** Requests seen, per device. */
	readonly requests = new Map<string, number>();
	/** Faults injected, by kind. */
	readonly injected = new Map<string, number>();
	/** False: every request is forwarded as it is (the network has healed). */
	faulty = true;
	#server: Server | null = null;
	#agent = new Agent({ keepAlive: true, maxSockets: 64 });
	#started = Date.now();
	#late = new Set<Promise<unknown>>();

	constructor(
		private readonly options: ProxyOptions,
		/** The server's port now (it changes nothing across restarts, but is asked each time). */
		private readonly upstreamPort: () => number
	) {}

	async listen(): Promise<number> {
		this.#server = createServer((req, res) => void this.#handle(req, res));
		this.#server.keepAliveTimeout = 5_000;
		this.#server.listen(0, '127.0.0.1');
		await once(this.#server, 'listening');
		const address = this.#server.address();
		if (!address || typeof address === 'string') throw new Error('proxy: no port');
		return address.port;
	}

	/** Waits for replays still on their way, then closes. */
	async close(): Promise<void> {
		await Promise.allSettled([...this.#late]);
		this.#server?.closeAllConnections();
		await new Promise<void>((resolve) =>
			this.#server ? this.#server.close(() => resolve()) : resolve()
		);
		this.#agent.destroy();
	}

	/** Wait until every delayed or replayed copy has reached the server. */
	async settle(): Promise<void> {
		while (this.#late.size) await Promise.allSettled([...this.#late]);
	}

	#record(event: Omit<FaultEvent, 'at'>): void {
		this.log.push({ at: Date.now() - this.#started, ...event });
	}

	#later<T>(work: Promise<T>): void {
		this.#late.add(work);
		void work.finally(() => this.#late.delete(work)).catch(() => undefined);
	}

	async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = join(chunks);
		const device = String(req.headers['x-chaos-device'] ?? 'other');
		const n = this.requests.get(device) ?? 0;
		this.requests.set(device, n + 1);
		const name = `${req.method} ${(req.url ?? '').split('?')[0]}`;
		const fault = this.faulty
			? scheduledFault(this.options.seed, this.options.faultRate, device, n)
			: null;
		const random = stream(this.options.seed, 'fault-detail', device, n);
		if (fault) this.injected.set(fault, (this.injected.get(fault) ?? 0) + 1);
		const note = (outcome: string, kind: FaultEvent['fault'] | null = fault) => {
			if (kind) this.#record({ device, n, request: name, fault: kind, outcome });
		};
		const forward = (cutAt?: number) => this.#forward(req, body, cutAt);
		try {
			switch (fault) {
				case 'drop-request':
					note('never forwarded');
					req.socket.destroy();
					return;
				case 'bad-gateway':
				case 'unavailable': {
					const status = fault === 'bad-gateway' ? 502 : 503;
					note(`answered ${status}`);
					send(res, {
						status,
						headers: { 'content-type': 'application/json' },
						body: Buffer.from(JSON.stringify({ error: 'unavailable' }))
					});
					return;
				}
				case 'cut-request':
					note(await forward(Math.floor(body.length / 2)).then(describe, reason));
					req.socket.destroy();
					return;
				case 'drop-answer': {
					const answer = await forward();
					note(`server answered ${answer.status}; answer dropped`);
					req.socket.destroy();
					return;
				}
				case 'cut-answer': {
					const answer = await forward();
					note(`server answered ${answer.status}; cut after ${answer.body.length >> 1} bytes`);
					cut(res, answer);
					return;
				}
				case 'duplicate': {
					const [first, second] = await Promise.allSettled([forward(), forward()]);
					note(`copies answered ${settled(first)} and ${settled(second)}`);
					if (first.status === 'fulfilled') send(res, first.value);
					else gatewayDown(res);
					return;
				}
				case 'replay-later': {
					const answer = await forward();
					send(res, answer);
					const wait = between(random, 200, 3_000);
					note(`answered ${answer.status}; replayed after ${wait} ms`);
					this.#later(
						sleep(wait).then(async () => {
							const again = await forward().then(describe, reason);
							this.#record({ device, n, request: name, fault: 'replayed', outcome: again });
						})
					);
					return;
				}
				case 'delay': {
					const wait = between(random, 50, Math.floor(this.options.clientTimeoutMs * 0.6));
					await sleep(wait);
					const answer = await forward();
					note(`held ${wait} ms; server answered ${answer.status}`);
					send(res, answer);
					return;
				}
				case 'timeout': {
					const wait = this.options.clientTimeoutMs + between(random, 100, 1_000);
					// The device gives up; the request still reaches the server afterwards.
					const late = sleep(wait).then(() => forward().then(describe, reason));
					this.#later(late);
					note(`held ${wait} ms, then ${await late}`);
					if (!res.destroyed) req.socket.destroy();
					return;
				}
				default: {
					const answer = await forward();
					send(res, answer);
				}
			}
		} catch (error) {
			// The server is down (killed) or reset the connection: a gateway answers 502.
			note(reason(error), fault ?? 'server-down');
			gatewayDown(res);
		}
	}

	/** Send the request to the server; with `cutAt`, only that many body bytes, then cut. */
	#forward(req: IncomingMessage, body: Buffer, cutAt?: number): Promise<Answer> {
		return new Promise<Answer>((resolve, reject) => {
			const headers: Record<string, string | string[]> = {};
			for (const [key, value] of Object.entries(req.headers))
				if (value !== undefined && !HOP_BY_HOP.has(key) && key !== 'x-chaos-device')
					headers[key] = value;
			headers['content-length'] = String(body.length);
			const upstream = httpRequest(
				{
					host: '127.0.0.1',
					port: this.upstreamPort(),
					method: req.method,
					path: req.url,
					headers,
					agent: this.#agent
				},
				(answer) => {
					const parts: Buffer[] = [];
					answer.on('data', (chunk: Buffer) => parts.push(chunk));
					answer.on('end', () =>
						resolve({
							status: answer.statusCode ?? 0,
							headers: answer.headers as Record<string, string | string[]>,
							body: join(parts)
						})
					);
					answer.on('error', reject);
				}
			);
			upstream.on('error', reject);
			if (cutAt === undefined) {
				upstream.end(body);
				return;
			}
			upstream.write(body.subarray(0, cutAt), () => {
				// Give the bytes a moment on the wire, then cut the connection mid-body.
				setTimeout(() => {
					upstream.destroy(new Error('request cut mid-body'));
				}, 20);
			});
		});
	}
}

/** Node's Buffer and the DOM's Uint8Array typings disagree (see tsconfig's DOM lib). */
const join = (chunks: Buffer[]): Buffer => Buffer.concat(chunks as unknown as Uint8Array[]);

function outgoingHeaders(answer: Answer): Record<string, string | string[]> {
	const headers: Record<string, string | string[]> = {};
	for (const [key, value] of Object.entries(answer.headers))
		if (!HOP_BY_HOP.has(key)) headers[key] = value;
	headers['content-length'] = String(answer.body.length);
	return headers;
}

function send(res: ServerResponse, answer: Answer): void {
	if (res.destroyed) return;
	res.writeHead(answer.status, outgoingHeaders(answer));
	res.end(answer.body);
}

/** Headers and half the body, then the connection is cut. */
function cut(res: ServerResponse, answer: Answer): void {
	if (res.destroyed) return;
	res.writeHead(answer.status, outgoingHeaders(answer));
	res.write(answer.body.subarray(0, answer.body.length >> 1), () => res.socket?.destroy());
}

function gatewayDown(res: ServerResponse): void {
	send(res, {
		status: 502,
		headers: { 'content-type': 'application/json' },
		body: Buffer.from(JSON.stringify({ error: 'bad_gateway' }))
	});
}

const describe = (answer: Answer) => `server answered ${answer.status}`;
const reason = (error: unknown) =>
	`not answered: ${error instanceof Error ? (((error as { code?: string }).code ?? '') + ' ' + error.message).trim() : String(error)}`;
const settled = (result: PromiseSettledResult<Answer>) =>
	result.status === 'fulfilled' ? String(result.value.status) : reason(result.reason);
