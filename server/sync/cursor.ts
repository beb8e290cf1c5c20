// Pull cursors are opaque to clients: base64url of the last server sequence they have seen.

export function encodeCursor(seq: number): string {
	return Buffer.from(JSON.stringify({ s: seq })).toString('base64url');
}

/** The sequence in a cursor, or null when the cursor is not one this server issued. */
export function decodeCursor(cursor: string): number | null {
	try {
		const value = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown })
			.s;
		return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
	} catch {
		return null;
	}
}
