// WAL checkpoints off the request path. SQLite's automatic checkpoint runs inside the COMMIT of
// whichever write crosses the threshold: that request then copies megabytes from the WAL into
// the database file and waits for their fsync. Here a second connection in a worker thread
// copies committed frames in the background (PASSIVE mode: it never blocks or waits for the
// writer or for readers), so a commit only appends to the WAL and syncs it. Durability does not
// change: a commit is on disk once its WAL frames are synced, as before.
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Plain CommonJS so the worker runs the same whether the server runs from TypeScript or a bundle.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 5000');
parentPort.on('message', (message) => {
	if (message === 'close') {
		db.close();
		parentPort.close();
		return;
	}
	const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)');
	// Under sustained writes the WAL never drains completely, and only a drained WAL starts over
	// from its beginning: past the limit, wait for the writer once so that the file stops growing.
	if (log >= workerData.restartPages) db.pragma('wal_checkpoint(RESTART)');
	parentPort.postMessage('done');
});
`;

/** WAL length (pages; 64 MiB at 4 KiB pages) past which a checkpoint makes the WAL start over. */
const RESTART_PAGES = 16_384;

export class BackgroundCheckpointer {
	private readonly worker: Worker;
	private running = false;
	private lastStart = 0;
	private failed = false;
	private closing: Promise<void> | undefined;
	/** Commits not yet covered by a started checkpoint. */
	private pending = false;
	private scheduled: NodeJS.Timeout | undefined;
	/** Writes outside transactions (sessions, audit entries) do not call committed(). */
	private readonly timer: NodeJS.Timeout;

	/**
	 * @param path the database file (in WAL mode, automatic checkpoints turned off by the caller)
	 * @param onFailure called once if the worker dies; the caller turns automatic checkpoints back on
	 * @param intervalMs at most one checkpoint starts per interval, so pages written again and
	 *   again by consecutive commits (index leaves) are copied once, not after every commit
	 */
	constructor(
		path: string,
		private readonly onFailure: (error: unknown) => void,
		private readonly intervalMs = 250
	) {
		const driver = createRequire(import.meta.url).resolve('better-sqlite3');
		this.worker = new Worker(WORKER_SOURCE, {
			eval: true,
			workerData: { path, driver, restartPages: RESTART_PAGES }
		});
		// A server that forgets to close its store still exits.
		this.worker.unref();
		this.worker.on('message', () => {
			this.running = false;
			if (this.pending) this.committed();
		});
		this.worker.on('error', (error) => this.fail(error));
		this.worker.on('exit', (code) => {
			if (!this.closing) this.fail(new Error(`checkpoint worker exited with code ${code}`));
		});
		this.timer = setInterval(() => this.committed(), 5_000);
		this.timer.unref();
	}

	private fail(error: unknown): void {
		if (this.failed) return;
		this.failed = true;
		this.running = false;
		this.onFailure(error);
	}

	/**
	 * After a commit: checkpoint now, or once the running checkpoint is done and the interval
	 * since the last start has passed, so a burst's last commits are not left waiting.
	 */
	committed(): void {
		this.pending = true;
		if (this.failed || this.running || this.scheduled || this.closing) return;
		const wait = this.lastStart + this.intervalMs - Date.now();
		if (wait > 0) {
			this.scheduled = setTimeout(() => {
				this.scheduled = undefined;
				this.committed();
			}, wait);
			this.scheduled.unref();
			return;
		}
		this.pending = false;
		this.running = true;
		this.lastStart = Date.now();
		this.worker.postMessage('checkpoint');
	}

	/** Finish the running checkpoint, close the worker's connection and stop the worker. */
	close(): Promise<void> {
		this.closing ??= this.stop();
		return this.closing;
	}

	private async stop(): Promise<void> {
		clearInterval(this.timer);
		clearTimeout(this.scheduled);
		if (this.failed) {
			await this.worker.terminate();
			return;
		}
		// Keep the process alive until the worker has closed its connection.
		this.worker.ref();
		const exited = once(this.worker, 'exit');
		this.worker.postMessage('close');
		await exited;
	}
}
