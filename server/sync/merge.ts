// Field-level merge of concurrent edits (docs/decisions.md, "The per-field merge rule").
//
// Every edit of a field carries the row version it was based on (a server sequence number, never
// a device clock) and its mutation id. For each field the winning edit is the one with the
// greatest key (baseVersion, mutationId). An edit based on the latest version always beats what
// it saw, because that value was written at a sequence above the bases of every earlier edit; two
// edits from the same base are concurrent and the larger mutation id wins. Because the winner is a
// maximum, it does not depend on the order in which the server receives the edits, so every
// delivery order converges to the same row. Losing values are returned so they can be kept in
// the row's history.

export type EditKey = readonly [baseVersion: number, mutationId: string];

/** Per field: the key of the edit whose value the row holds now. */
export type FieldMeta = Record<string, EditKey>;

export function compareKeys(a: EditKey, b: EditKey): number {
	if (a[0] !== b[0]) return a[0] - b[0];
	return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

export interface MergeResult {
	/** Fields whose new value the row takes. */
	won: Record<string, unknown>;
	/** Fields whose incoming value lost to the value already held. */
	lost: Record<string, unknown>;
	meta: FieldMeta;
}

export function mergeEdit(
	meta: FieldMeta,
	fields: Record<string, unknown>,
	key: EditKey
): MergeResult {
	const won: Record<string, unknown> = {};
	const lost: Record<string, unknown> = {};
	const next: FieldMeta = { ...meta };
	for (const [field, value] of Object.entries(fields)) {
		const held = meta[field];
		if (held === undefined || compareKeys(key, held) > 0) {
			won[field] = value;
			next[field] = key;
		} else {
			lost[field] = value;
		}
	}
	return { won, lost, meta: next };
}
