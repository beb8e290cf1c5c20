// Messages the page sends to the service worker.

/** Sent when the user taps "update": the waiting version may take over now. */
export const SKIP_WAITING = { type: 'SKIP_WAITING' } as const;

export function isSkipWaitingMessage(data: unknown): boolean {
	return (
		typeof data === 'object' &&
		data !== null &&
		(data as { type?: unknown }).type === 'SKIP_WAITING'
	);
}
