import { describe, expect, it } from 'vitest';
import { isSyncNowMessage } from './messages';
import { askPagesToSync, type PageClient } from './outbox-sync';

/** A page that answers SYNC_NOW on the port it was given, as the app's sync client does. */
function page(answer: { delivered: boolean } | null, seen: unknown[] = []): PageClient {
	return {
		postMessage(message, transfer) {
			seen.push(message);
			const port = transfer[0] as MessagePort;
			if (answer) port.postMessage(answer);
		}
	};
}

const clientsOf = (pages: PageClient[]) => ({ matchAll: async () => pages });

describe('asking open pages to sync', () => {
	it('resolves when a page reports the outbox delivered', async () => {
		const seen: unknown[] = [];
		await expect(
			askPagesToSync(clientsOf([page({ delivered: false }), page({ delivered: true }, seen)]))
		).resolves.toBeUndefined();
		expect(seen.every(isSyncNowMessage)).toBe(true);
	});

	it('rejects when no page delivered it, so the browser tries again later', async () => {
		await expect(askPagesToSync(clientsOf([page({ delivered: false })]))).rejects.toThrow(
			'not delivered'
		);
	});

	it('does not wait forever for a page that never answers', async () => {
		await expect(askPagesToSync(clientsOf([page(null)]), 20)).rejects.toThrow();
	});

	it('has nothing to do when no page is open', async () => {
		await expect(askPagesToSync(clientsOf([]))).resolves.toBeUndefined();
	});
});
