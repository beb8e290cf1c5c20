// A transport that reports what the pulls bring, page by page, so the first download of a
// worker's scope can show what and how much has arrived ("住户 342 · 居民 890 · 第 2 页").
// It wraps any SyncTransport and changes nothing it passes on.
import type { Mutation } from '$lib/shared/schemas';
import type { PullPage, PushResult, SyncTransport } from './transport';

export interface PullProgress {
	/** Pages received since the counter was last reset. */
	pages: number;
	/** Rows created, by table, in the pages received (updates of known rows are not counted). */
	rows: Record<string, number>;
	/** Every change received, whatever its kind. */
	changes: number;
	/** The server said there is more to pull after the last page. */
	hasMore: boolean;
	/** Rows of each table the whole download brings, as the first page said; {} when unknown. */
	totals: Record<string, number>;
}

export const emptyProgress = (): PullProgress => ({
	pages: 0,
	rows: {},
	changes: 0,
	hasMore: false,
	totals: {}
});

export class ProgressTransport implements SyncTransport {
	#progress: PullProgress = emptyProgress();

	constructor(
		private readonly inner: SyncTransport,
		private readonly onProgress: (progress: PullProgress) => void
	) {}

	get progress(): PullProgress {
		return this.#progress;
	}

	/** Start counting again (before a first download). */
	reset(): void {
		this.#progress = emptyProgress();
		this.onProgress(this.#progress);
	}

	push(deviceId: string, mutations: Mutation[]): Promise<PushResult[]> {
		return this.inner.push(deviceId, mutations);
	}

	async pull(cursor: string | null, limit: number): Promise<PullPage> {
		const page = await this.inner.pull(cursor, limit);
		const rows = { ...this.#progress.rows };
		for (const change of page.changes)
			if (change.op === 'insert') rows[change.table] = (rows[change.table] ?? 0) + 1;
		this.#progress = {
			pages: this.#progress.pages + 1,
			rows,
			changes: this.#progress.changes + page.changes.length,
			hasMore: page.hasMore,
			totals: page.estimate ?? this.#progress.totals
		};
		this.onProgress(this.#progress);
		return page;
	}
}
