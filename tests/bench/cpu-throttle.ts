// A modest tablet's CPU for the download bench: every thread of Chromium's renderer processes —
// the page, the pull worker, the service worker — runs 1/rate of the time.
//
// Why not only the DevTools protocol: Emulation.setCPUThrottlingRate slows the page's main
// thread alone (Blink's ThreadCPUThrottler suspends that one thread), and Chromium refuses it on
// a worker target ("Operation is only supported for pages, not workers"), reached through
// Target.setAutoAttach. The download's work happens in the pull worker, so the bench stops and
// continues the renderer processes themselves (SIGSTOP/SIGCONT from a small child process,
// cpu-duty-cycle.ts), which slows every thread in them alike. The renderers are the processes
// below the browser whose command line says `--type=renderer`; the browser's process id comes
// from the DevTools protocol (SystemInfo.getProcessInfo). `verifyThrottle` measures both ways
// on the same fixed busy loop in the page, the pull worker and the service worker: the figures
// go into the report. The browser process (IndexedDB's files, the network) runs at full speed
// under both, as under DevTools emulation.
import { fork, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, CDPSession, Page, Worker } from 'playwright-core';
import { round } from './common';

/** How often new renderer processes (a new context, a service worker) are looked for. */
const POLL_MS = 100;

export interface RendererThrottle {
	/** 1 runs the renderers freely. */
	setRate(rate: number): Promise<void>;
	readonly rate: number;
	/** The child's scheduling priority (nice); below 0 when it could raise it. */
	readonly nice: number;
	/** CPU time Chromium's processes have used so far (of those alive now). */
	cpu(): ChromiumCpu;
	stop(): Promise<void>;
}

/** Seconds of CPU (user + system) by kind of Chromium process. */
export interface ChromiumCpu {
	renderers: number;
	/** The browser process, the storage and network services, the GPU process. */
	others: number;
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** Every process below `browserPid`, and the browser itself: whether it is a renderer, its CPU. */
function chromiumCpu(browserPid: number): ChromiumCpu {
	const parents = new Map<number, number>();
	const cpu = new Map<number, number>();
	const renderer = new Set<number>();
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			parents.set(pid, Number(fields[1]));
			cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / TICKS);
			if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'))
				renderer.add(pid);
		} catch {
			// Gone meanwhile.
		}
	}
	const total: ChromiumCpu = { renderers: 0, others: 0 };
	for (const [pid, seconds] of cpu) {
		let inside = pid === browserPid;
		for (let p = parents.get(pid); !inside && p !== undefined && p > 1; p = parents.get(p))
			inside = p === browserPid;
		if (!inside) continue;
		if (renderer.has(pid)) total.renderers += seconds;
		else total.others += seconds;
	}
	return total;
}

/** Process ids of Chromium's renderers: below `browserPid`, with `--type=renderer`. */
function rendererPids(browserPid: number): number[] {
	const parents = new Map<number, number>();
	const renderers: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		const pid = Number(entry);
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			parents.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
			if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('--type=renderer'))
				renderers.push(pid);
		} catch {
			// Gone meanwhile.
		}
	}
	const below = (pid: number): boolean => {
		for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p))
			if (p === browserPid) return true;
		return false;
	};
	return renderers.filter(below).sort((a, b) => a - b);
}

async function browserPid(browser: Browser): Promise<number> {
	const session = await browser.newBrowserCDPSession();
	try {
		const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as {
			processInfo: { type: string; id: number }[];
		};
		const found = processInfo.find((p) => p.type === 'browser');
		if (!found) throw new Error('SystemInfo.getProcessInfo named no browser process');
		return found.id;
	} finally {
		await session.detach();
	}
}

/** Starts the duty cycle (at rate 1: idle) over `browser`'s renderer processes. */
export async function startRendererThrottle(browser: Browser): Promise<RendererThrottle> {
	const root = await browserPid(browser);
	const child: ChildProcess = fork(
		fileURLToPath(new URL('./cpu-duty-cycle.ts', import.meta.url)),
		[],
		{ execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }
	);
	const nice = await new Promise<number>((resolve, reject) => {
		child.once('message', (m: { nice: number }) => resolve(m.nice));
		child.once('error', reject);
		child.once('exit', (code) => reject(new Error(`the duty cycle exited (${code})`)));
	});
	let rate = 1;
	let known = '';
	const refresh = () => {
		const pids = rendererPids(root);
		const key = pids.join(',');
		if (key === known || !child.connected) return;
		known = key;
		child.send({ pids });
	};
	refresh();
	const poll = setInterval(refresh, POLL_MS);
	return {
		get rate() {
			return rate;
		},
		nice,
		cpu: () => chromiumCpu(root),
		async setRate(next: number) {
			rate = next;
			refresh();
			child.send({ rate: next });
			// Let the child take it in (it reads messages between slices of at most 50 ms).
			await new Promise((resolve) => setTimeout(resolve, 60));
		},
		async stop() {
			clearInterval(poll);
			const exited = new Promise((resolve) => child.once('exit', resolve));
			if (child.connected) child.send({ exit: true });
			await exited;
		}
	};
}

/** The fixed busy loop: `n` square roots, timed on the thread's own clock (ms). */
function busyLoop(n: number): number {
	const start = performance.now();
	let sink = 0;
	for (let i = 0; i < n; i++) sink += Math.sqrt(i);
	if (sink < 0) throw new Error('unreachable');
	return performance.now() - start;
}

export interface ThrottleCheck {
	/** Iterations of the busy loop. */
	loop: number;
	rate: number;
	/** Median ms of the loop, by thread and way of throttling. */
	page: { free: number; devtools: number; renderer: number };
	pullWorker: { free: number; devtools: number; renderer: number };
	serviceWorker: { free: number; devtools: number; renderer: number } | null;
	/** What Chromium answered to Emulation.setCPUThrottlingRate sent to the pull worker's target. */
	workerTargetAnswer: string;
	rounds: number;
}

const median = (values: number[]) => {
	const sorted = [...values].sort((a, b) => a - b);
	return round(sorted[Math.floor((sorted.length - 1) / 2)], 1);
};

/**
 * Asks Chromium to throttle the pull worker's target through the DevTools protocol: the page's
 * session auto-attaches to its workers (Target.setAutoAttach; messages to the worker go through
 * Target.sendMessageToTarget, as a CDP client of Playwright's cannot address flattened child
 * sessions) and sends the worker Emulation.setCPUThrottlingRate. Returns Chromium's answer.
 */
async function askWorkerTarget(session: CDPSession, rate: number): Promise<string> {
	const answer = new Promise<string>((resolve) => {
		const pending = new Map<number, string>();
		session.on('Target.receivedMessageFromTarget', (event) => {
			const message = JSON.parse(event.message) as {
				id?: number;
				error?: { message: string };
				result?: unknown;
			};
			if (message.id === undefined || !pending.has(message.id)) return;
			resolve(message.error ? `error: ${message.error.message}` : 'accepted');
		});
		session.on('Target.attachedToTarget', (event) => {
			if (event.targetInfo.type !== 'worker' || !event.targetInfo.url.includes('pull')) return;
			pending.set(1, event.sessionId);
			void session.send('Target.sendMessageToTarget', {
				sessionId: event.sessionId,
				message: JSON.stringify({
					id: 1,
					method: 'Emulation.setCPUThrottlingRate',
					params: { rate }
				})
			});
		});
		setTimeout(() => resolve('no pull worker target attached'), 10_000);
	});
	await session.send('Target.setAutoAttach', {
		autoAttach: true,
		waitForDebuggerOnStart: false,
		flatten: false
	});
	const result = await answer;
	await session.send('Target.setAutoAttach', {
		autoAttach: false,
		waitForDebuggerOnStart: false,
		flatten: false
	});
	return result;
}

/**
 * Times the same busy loop in the page, the pull worker and the service worker of a signed-in
 * page: unthrottled, with DevTools CPU throttling on the page's session, and with the renderer
 * duty cycle, `rounds` times each in turn. The pull worker must be running (after a download).
 */
export async function verifyThrottle(
	context: BrowserContext,
	page: Page,
	throttle: RendererThrottle,
	rate: number,
	loop = 20_000_000,
	rounds = 3
): Promise<ThrottleCheck> {
	const pull = page.workers().find((w) => w.url().includes('pull'));
	if (!pull) throw new Error('no pull worker in the page');
	const sw: Worker | undefined = context.serviceWorkers()[0];
	const session = await context.newCDPSession(page);
	const times = {
		page: { free: [] as number[], devtools: [] as number[], renderer: [] as number[] },
		pullWorker: { free: [] as number[], devtools: [] as number[], renderer: [] as number[] },
		serviceWorker: { free: [] as number[], devtools: [] as number[], renderer: [] as number[] }
	};
	try {
		const workerTargetAnswer = await askWorkerTarget(session, rate);
		for (let r = 0; r < rounds; r++)
			for (const mode of ['free', 'devtools', 'renderer'] as const) {
				await session.send('Emulation.setCPUThrottlingRate', {
					rate: mode === 'devtools' ? rate : 1
				});
				await throttle.setRate(mode === 'renderer' ? rate : 1);
				times.page[mode].push(await page.evaluate(busyLoop, loop));
				times.pullWorker[mode].push(await pull.evaluate(busyLoop, loop));
				if (sw) times.serviceWorker[mode].push(await sw.evaluate(busyLoop, loop));
			}
		const medians = (t: { free: number[]; devtools: number[]; renderer: number[] }) => ({
			free: median(t.free),
			devtools: median(t.devtools),
			renderer: median(t.renderer)
		});
		return {
			loop,
			rate,
			page: medians(times.page),
			pullWorker: medians(times.pullWorker),
			serviceWorker: sw ? medians(times.serviceWorker) : null,
			workerTargetAnswer,
			rounds
		};
	} finally {
		await session.send('Emulation.setCPUThrottlingRate', { rate: 1 }).catch(() => undefined);
		await throttle.setRate(1);
		await session.detach().catch(() => undefined);
	}
}
