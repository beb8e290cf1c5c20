// A transport that reports what the pulls bring, page by page, so the first download of a
// worker's scope can show what and how much has arrived ("住户 342 · 居民 890 · 第 2 页").
// It wraps any SyncTransport and changes nothing it passes on; pages pulled in the pull worker
// are counted through `record` from the summaries the worker posts.
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

/** What one pulled page adds to the progress: small enough to post from a worker. */
export interface PageSummary {
	/** Changes in the page, whatever their kind. */
	changes: number;
	/** Inserts in the page, by table. */
	inserts: Record<string, number>;
	hasMore: boolean;
	estimate?: Record<string, number>;
}

export function summarizePage(page: PullPage): PageSummary {
	const inserts: Record<string, number> = {};
	for (const change of page.changes)
		if (change.op === 'insert') inserts[change.table] = (inserts[change.table] ?? 0) + 1;
	return {
		changes: page.changes.length,
		inserts,
		hasMore: page.hasMore,
		...(page.estimate ? { estimate: page.estimate } : {})
	};
}

/** The progress after one more page. Pure. */
export function addPage(progress: PullProgress, page: PageSummary): PullProgress {
	const rows = { ...progress.rows };
	for (const [table, count] of Object.entries(page.inserts))
		rows[table] = (rows[table] ?? 0) + count;
	return {
		pages: progress.pages + 1,
		rows,
		changes: progress.changes + page.changes,
		hasMore: page.hasMore,
		totals: page.estimate ?? progress.totals
	};
}

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
		this.record(summarizePage(page));
		return page;
	}

	/** Count a page pulled elsewhere (by the pull worker, which posts its summary). */
	record(page: PageSummary): void {
		this.#progress = addPage(this.#progress, page);
		this.onProgress(this.#progress);
	}
}
