// What a browser context downloads, request by request, as docs/field-performance.md ("Caching
// and budgets") counts it: the encoded body and the headers of each request and its answer.
import type { BrowserContext, Request } from 'playwright-core';

export interface Transfer {
	/** The path and query, on the server under test. */
	path: string;
	/** Request headers and body plus response headers and encoded body, in bytes. */
	bytes: number;
	/** Made by the service worker (its install, its runtime caching), not by a page. */
	byServiceWorker: boolean;
}

/** Records every request of a context from now on, and tells when the network is quiet. */
export class TransferLog {
	readonly #pending = new Set<Request>();
	readonly #done: Promise<Transfer | null>[] = [];
	#lastActivity = Date.now();
	#counting = true;

	constructor(context: BrowserContext) {
		context.on('request', (request) => {
			if (!this.#counting) return;
			this.#pending.add(request);
			this.#lastActivity = Date.now();
		});
		const settle = (request: Request) => {
			if (!this.#pending.delete(request)) return;
			this.#lastActivity = Date.now();
			this.#done.push(measure(request));
		};
		context.on('requestfinished', settle);
		context.on('requestfailed', settle);
	}

	/**
	 * Resolves once no request has been in flight for `quietMs` (Playwright's "networkidle" rule,
	 * applied to the whole context: pages, their workers and the service worker).
	 */
	async waitForIdle(quietMs = 500, timeoutMs = 60_000): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		while (Date.now() < deadline) {
			if (this.#pending.size === 0 && Date.now() - this.#lastActivity >= quietMs) return;
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		const open = [...this.#pending].map((request) => request.url()).join(', ');
		throw new Error(`the network did not go quiet within ${timeoutMs} ms: ${open}`);
	}

	/** Stop recording and return what was recorded (failed requests count what they received). */
	async stop(): Promise<Transfer[]> {
		this.#counting = false;
		const transfers = await Promise.all(this.#done);
		return transfers.filter((transfer): transfer is Transfer => transfer !== null);
	}
}

async function measure(request: Request): Promise<Transfer | null> {
	const url = new URL(request.url());
	if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
	const sizes = await request.sizes().catch(() => null);
	const bytes = sizes
		? sizes.requestHeadersSize +
			sizes.requestBodySize +
			sizes.responseHeadersSize +
			sizes.responseBodySize
		: 0;
	return {
		path: url.pathname + url.search,
		bytes,
		byServiceWorker: request.serviceWorker() !== null
	};
}

export const sum = (transfers: readonly Transfer[]): number =>
	transfers.reduce((total, transfer) => total + transfer.bytes, 0);

/** The largest requests, as lines for a message. */
export function largest(transfers: readonly Transfer[], count = 8): string[] {
	return [...transfers]
		.sort((a, b) => b.bytes - a.bytes)
		.slice(0, count)
		.map((transfer) => `${transfer.bytes.toLocaleString('en')} B  ${transfer.path}`);
}
