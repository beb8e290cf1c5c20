// The page's side of the pull worker (pull.worker.ts): a PullRunner for the sync engine that
// hands each pull to the worker and waits for it. Should the worker not start (no Worker here, its
// script failed to load), pulls run in the page instead: slower, never lost.
import type { PullRequest, PullRunner } from './engine';
import type { PageSummary } from './progress-transport';
import {
	fromWire,
	type FromPullWorker,
	type PullCommand,
	type ToPullWorker
} from './pull-worker-protocol';

export interface PullWorkerOptions {
	database: PullCommand['database'];
	/** The data key now; null while locked (or when the database seals nothing). */
	getKey: () => CryptoKey | null;
	getToken: () => string | null | undefined | Promise<string | null | undefined>;
	/** Each page the worker received. */
	onPage: (page: PageSummary) => void;
	/** Where pulls run when the worker cannot. */
	fallback: PullRunner;
	/** Defaults to the built pull worker. */
	createWorker?: () => Worker;
	baseUrl?: string;
}

/** The worker stopped (failed to load, or crashed): not an answer about the pull itself. */
class WorkerBrokenError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'WorkerBrokenError';
	}
}

interface Pending {
	resolve: () => void;
	reject: (error: Error) => void;
}

const builtWorker = () =>
	new Worker(new URL('./pull.worker.ts', import.meta.url), { type: 'module', name: 'pull' });

/** A worker started ahead of need, and why it failed if it did before anyone listened. */
interface Spare {
	worker: Worker;
	failure: string | null;
}
let spare: Spare | null = null;

/**
 * Start the pull worker before it is needed (a sign-in is under way): its script loads and
 * compiles while the server checks the password. The next PullWorker takes it over.
 */
export function prewarmPullWorker(create: () => Worker = builtWorker): void {
	if (spare || typeof Worker === 'undefined') return;
	try {
		const worker = create();
		const started: Spare = { worker, failure: null };
		worker.addEventListener('error', () => (started.failure ??= 'could not start'));
		spare = started;
	} catch {
		// No worker here: pulls will run in the page.
	}
}

/** Stop a worker started ahead of a sign-in that turned out not to need it. */
export function discardSparePullWorker(): void {
	spare?.worker.terminate();
	spare = null;
}

export class PullWorker {
	readonly #options: PullWorkerOptions;
	#worker: Worker | null = null;
	#broken = false;
	#nextId = 1;
	readonly #pending = new Map<number, Pending>();

	constructor(options: PullWorkerOptions) {
		this.#options = options;
		// Started now, so its script loads while the rest of the sign-in goes on.
		this.#start();
	}

	/** The engine's pull runner. */
	readonly run: PullRunner = async (request) => {
		if (this.#broken || !this.#start()) return this.#options.fallback(request);
		try {
			await this.#post(request);
		} catch (error) {
			// Pages the worker stored are kept with their cursor: the page goes on from there.
			if (error instanceof WorkerBrokenError) return this.#options.fallback(request);
			throw error;
		}
	};

	/** The app locked: the worker forgets the data key now, not when its pull ends. */
	lock(): void {
		this.#send({ type: 'lock' });
	}

	/** Stop the worker; a pull under way fails (what it stored stays). */
	terminate(): void {
		this.#worker?.terminate();
		this.#worker = null;
		this.#broken = true;
		this.#failAll(new Error('the pull worker was stopped'));
	}

	/** Open the database in the worker now, ahead of the first pull. */
	open(): void {
		this.#send({ type: 'open', database: this.#options.database });
	}

	#start(): boolean {
		if (this.#worker) return true;
		if (this.#broken) return false;
		try {
			const taken = this.#options.createWorker ? null : spare;
			spare = null;
			if (taken?.failure) throw new Error(taken.failure);
			const worker = taken?.worker ?? (this.#options.createWorker ?? builtWorker)();
			worker.addEventListener('message', (event: MessageEvent<FromPullWorker>) =>
				this.#onMessage(event.data)
			);
			worker.addEventListener('error', (event) => {
				event.preventDefault();
				this.#break(`the pull worker failed: ${event.message ?? 'could not start'}`);
			});
			worker.addEventListener('messageerror', () =>
				this.#break('the pull worker could not read a message')
			);
			this.#worker = worker;
			return true;
		} catch {
			this.#broken = true;
			return false;
		}
	}

	async #post(request: PullRequest): Promise<void> {
		const id = this.#nextId++;
		const token = (await this.#options.getToken()) ?? null;
		const done = new Promise<void>((resolve, reject) => this.#pending.set(id, { resolve, reject }));
		this.#send({
			type: 'pull',
			id,
			database: this.#options.database,
			key: this.#options.getKey(),
			token,
			baseUrl: this.#options.baseUrl,
			request
		});
		return done;
	}

	#send(message: ToPullWorker): void {
		this.#worker?.postMessage(message);
	}

	#onMessage(message: FromPullWorker): void {
		if (message.type === 'page') {
			if (this.#pending.has(message.id)) this.#options.onPage(message.page);
			return;
		}
		const pending = this.#pending.get(message.id);
		if (!pending) return;
		this.#pending.delete(message.id);
		if (message.type === 'done') pending.resolve();
		else pending.reject(fromWire(message.error));
	}

	#break(reason: string): void {
		this.#worker?.terminate();
		this.#worker = null;
		this.#broken = true;
		this.#failAll(new WorkerBrokenError(reason));
	}

	#failAll(error: Error): void {
		for (const pending of this.#pending.values()) pending.reject(error);
		this.#pending.clear();
	}
}
