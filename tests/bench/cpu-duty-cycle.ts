// Child process of cpu-throttle.ts: stops and continues the processes it is told (SIGSTOP and
// SIGCONT) so that they run 1/rate of the time, in periods of PERIOD_MS. It runs at a raised
// priority where it may, so that its wake-ups stay on time on a busy machine; it sleeps the rest
// of the time. Messages from the parent: { pids: number[]; rate: number }; it answers once with
// { ready: true, nice } and continues every process before it exits.
import { getPriority, setPriority } from 'node:os';

const PERIOD_MS = 16;
/** Longest synchronous stretch before messages from the parent are read again. */
const SLICE_MS = 50;

let pids: number[] = [];
let rate = 1;
let stopping = false;
/** The processes are stopped now. */
let stopped = false;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const clock = () => performance.now();
/** Sleeps precisely (Atomics.wait blocks this thread only; this process does nothing else). */
function sleepUntil(at: number): void {
	const ms = at - clock();
	if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
}

function signal(name: 'SIGSTOP' | 'SIGCONT'): void {
	for (const pid of pids) {
		try {
			process.kill(pid, name);
		} catch {
			// The process is gone (a closed browser context): the next list leaves it out.
		}
	}
	stopped = name === 'SIGSTOP';
}

let periodStart = clock();
function slice(): void {
	if (stopping) return;
	const sliceEnd = clock() + SLICE_MS;
	while (rate > 1 && pids.length && clock() < sliceEnd) {
		// Run for PERIOD_MS / rate, stopped for the rest of the period: on absolute times, so a
		// late wake-up shortens the next phase instead of stretching the ratio.
		sleepUntil(periodStart + PERIOD_MS / rate);
		signal('SIGSTOP');
		sleepUntil(periodStart + PERIOD_MS);
		signal('SIGCONT');
		periodStart += PERIOD_MS;
		if (clock() - periodStart > PERIOD_MS) periodStart = clock();
	}
	if (rate <= 1 || !pids.length) {
		periodStart = clock();
		setTimeout(slice, 10);
	} else setImmediate(slice);
}

process.on('message', (message: { pids?: number[]; rate?: number; exit?: boolean }) => {
	if (stopped) signal('SIGCONT');
	if (message.pids) pids = message.pids;
	if (message.rate !== undefined) rate = message.rate;
	if (message.exit) {
		stopping = true;
		process.disconnect?.();
	}
});
process.on('disconnect', () => {
	stopping = true;
	signal('SIGCONT');
	process.exit(0);
});

let nice = getPriority();
try {
	setPriority(-15);
	nice = getPriority();
} catch {
	// Not allowed here: the cycle runs at normal priority (the report says which).
}
process.send?.({ ready: true, nice });
slice();
