// Pull cursors are opaque to clients: base64url of the last server sequence they have seen and,
// during a device's first download, the instant before which visits are left out (a tablet
// receives the last 90 days of visits, not the grid's whole history), and the scope version of
// the user it was issued under (a cursor of an older scope is refused: docs/architecture.md,
// "When a user's scope changes"). Cursors issued before scope versions existed carry none: 0.

export interface Cursor {
	seq: number;
	/** Epoch ms; set only while the first download of a scope is in progress. */
	visitsSince?: number;
	/** The user's `scopeVersion` when the cursor was issued; 0 when absent. */
	scopeVersion?: number;
}

export function encodeCursor(cursor: Cursor): string {
	const body: { s: number; v?: number; sv?: number } = { s: cursor.seq };
	if (cursor.visitsSince !== undefined) body.v = cursor.visitsSince;
	if (cursor.scopeVersion) body.sv = cursor.scopeVersion;
	return Buffer.from(JSON.stringify(body)).toString('base64url');
}

const isCount = (value: unknown): value is number =>
	typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The cursor's content, or null when it is not a cursor this server issued. */
export function decodeCursor(text: string): Cursor | null {
	try {
		const body = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as {
			s?: unknown;
			v?: unknown;
			sv?: unknown;
		};
		if (!isCount(body.s)) return null;
		if (body.v !== undefined && !isCount(body.v)) return null;
		if (body.sv !== undefined && !isCount(body.sv)) return null;
		const cursor: Cursor = { seq: body.s };
		if (body.v !== undefined) cursor.visitsSince = body.v;
		if (body.sv !== undefined) cursor.scopeVersion = body.sv;
		return cursor;
	} catch {
		return null;
	}
}
