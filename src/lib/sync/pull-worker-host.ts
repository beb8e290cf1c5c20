// What the pull worker (pull.worker.ts) does with the page's messages: it pulls the user's changes
// into IndexedDB (pull.ts `pullAll`) so that reading, checking, sealing and storing thousands of
// rows never holds up the page. It opens the same Dexie database as the page; each page's rows
// and cursor are stored in one transaction, as in the page, and Dexie tells the page's live
// queries what changed.
//
// The page sends the data key (a CryptoKey, which crosses unextracted) and the session token with
// each pull; the worker forgets the key when the pull ends or the app locks.
import { GridcareDb } from '$lib/db/db';
import { FieldCipher } from '$lib/db/sealed';
import { HttpSyncTransport } from './http-transport';
import { pullAll } from './pull';
import { summarizePage } from './progress-transport';
import {
	toWire,
	type FromPullWorker,
	type PullCommand,
	type ToPullWorker
} from './pull-worker-protocol';
import type { SyncTransport } from './transport';

export interface PullWorkerHostOptions {
	/** Sends a message to the page. */
	post(message: FromPullWorker): void;
	/** A connection to the page's database; defaults to the browser's IndexedDB. */
	openDatabase?(database: PullCommand['database']): GridcareDb;
	/** Where a pull's pages come from; defaults to the server, with the command's token. */
	transport?(command: PullCommand): SyncTransport;
}

const httpTransport = (command: PullCommand): SyncTransport =>
	new HttpSyncTransport({ getToken: () => command.token, baseUrl: command.baseUrl });

export class PullWorkerHost {
	readonly #options: PullWorkerHostOptions;
	#db: GridcareDb | null = null;
	/** Times the app locked: a pull sent before the latest lock does not get its key back. */
	#locks = 0;
	/** Commands run one after the other, as the page sends them. */
	#queue: Promise<void> = Promise.resolve();

	constructor(options: PullWorkerHostOptions) {
		this.#options = options;
	}

	handle(message: ToPullWorker): void {
		switch (message.type) {
			case 'lock':
				// At once, not in turn: a pull under way must not seal anything more.
				this.#locks += 1;
				if (this.#db) this.#db.cipher = null;
				return;
			case 'open': {
				const db = this.#database(message.database);
				// Should it fail, the first pull opens a fresh connection and reports why.
				this.#queue = this.#queue.then(() =>
					db.open().then(
						() => undefined,
						() => this.#forget(db)
					)
				);
				return;
			}
			case 'pull': {
				const locks = this.#locks;
				this.#queue = this.#queue.then(() => this.#pull(message, locks === this.#locks));
			}
		}
	}

	#database(database: PullCommand['database']): GridcareDb {
		const current = this.#db;
		if (current && current.name === database.name && current.encrypted === database.encrypted)
			return current;
		current?.close();
		const db = this.#options.openDatabase?.(database) ?? new GridcareDb(database);
		this.#db = db;
		return db;
	}

	#forget(db: GridcareDb): void {
		db.close();
		if (this.#db === db) this.#db = null;
	}

	async #pull(command: PullCommand, stillUnlocked: boolean): Promise<void> {
		const { id } = command;
		const { post } = this.#options;
		const db = this.#database(command.database);
		db.cipher = command.key && stillUnlocked ? new FieldCipher(command.key) : null;
		const source = (this.#options.transport ?? httpTransport)(command);
		const transport: SyncTransport = {
			push: () => Promise.reject(new Error('the pull worker does not push')),
			pull: (cursor, limit) => source.pull(cursor, limit)
		};
		try {
			// The page counts what is stored from these summaries (progress-transport.ts).
			await pullAll({
				...command.request,
				db,
				transport,
				onStored: (page) => post({ type: 'page', id, page: summarizePage(page) })
			});
			post({ type: 'done', id });
		} catch (error) {
			post({ type: 'failed', id, error: toWire(error) });
		} finally {
			db.cipher = null;
		}
	}
}
