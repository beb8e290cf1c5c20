// The service worker's part in Background Sync: when the browser says the network is back, ask
// every open page to sync and wait for their answers. It never replays a request itself (a
// Workbox queue would drop requests that got an HTTP error and may send duplicates).
import { isDelivered, SYNC_NOW } from './messages';

/** The parts of a window client and of `self.clients` used here. */
export interface PageClient {
	postMessage(message: unknown, transfer: Transferable[]): void;
}
export interface PageClients {
	matchAll(options: {
		type: 'window';
		includeUncontrolled: boolean;
	}): Promise<readonly PageClient[]>;
}

export const ANSWER_TIMEOUT_MS = 60_000;

/**
 * Ask the open pages to sync. Resolves when one of them reports the outbox delivered, or when no
 * page is open (the app syncs when it next starts); rejects otherwise, so that the browser fires
 * the sync event again later with its own back-off.
 */
export async function askPagesToSync(
	clients: PageClients,
	timeoutMs = ANSWER_TIMEOUT_MS
): Promise<void> {
	const pages = await clients.matchAll({ type: 'window', includeUncontrolled: true });
	if (pages.length === 0) return;
	const answers = await Promise.all(pages.map((page) => askPage(page, timeoutMs)));
	if (!answers.includes(true)) throw new Error('the outbox is not delivered yet');
}

function askPage(page: PageClient, timeoutMs: number): Promise<boolean> {
	const channel = new MessageChannel();
	return new Promise((resolve) => {
		const timer = setTimeout(() => {
			channel.port1.close();
			resolve(false);
		}, timeoutMs);
		channel.port1.onmessage = (event: MessageEvent<unknown>) => {
			clearTimeout(timer);
			channel.port1.close();
			resolve(isDelivered(event.data));
		};
		page.postMessage(SYNC_NOW, [channel.port2]);
	});
}
