// Pull cursors are opaque to clients: base64url of the last server sequence they have seen and,
// during a device's first download, the instant before which visits are left out (a tablet
// receives the last 90 days of visits, not the grid's whole history).

export interface Cursor {
	seq: number;
	/** Epoch ms; set only while the first download of a scope is in progress. */
	visitsSince?: number;
}

export function encodeCursor(cursor: Cursor): string {
	const body =
		cursor.visitsSince === undefined ? { s: cursor.seq } : { s: cursor.seq, v: cursor.visitsSince };
	return Buffer.from(JSON.stringify(body)).toString('base64url');
}

const isCount = (value: unknown): value is number =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The cursor's content, or null when it is not a cursor this server issued. */
export function decodeCursor(cursor: string): Cursor | null {
	try {
		const body = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
			s?: unknown;
			v?: unknown;
		};
		if (!isCount(body.s)) return null;
		if (body.v === undefined) return { seq: body.s };
		return isCount(body.v) ? { seq: body.s, visitsSince: body.v } : null;
	} catch {
		return null;
	}
}
