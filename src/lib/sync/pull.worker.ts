// The pull worker: a dedicated Web Worker in which the user's changes are pulled into IndexedDB
// (pull-worker-host.ts), started by the page's PullWorker (pull-worker-client.ts).
import { z } from 'zod';
import { PullWorkerHost } from './pull-worker-host';
import type { FromPullWorker, ToPullWorker } from './pull-worker-protocol';

// The Content-Security-Policy allows no eval here either (see hooks.client.ts).
z.config({ jitless: true });

/** The parts of DedicatedWorkerGlobalScope used here (the app type-checks with the DOM library). */
interface WorkerScope {
	addEventListener(type: 'message', listener: (event: MessageEvent<ToPullWorker>) => void): void;
	postMessage(message: FromPullWorker): void;
}
const scope = globalThis as unknown as WorkerScope;

const host = new PullWorkerHost({ post: (message) => scope.postMessage(message) });
scope.addEventListener('message', (event) => host.handle(event.data));
