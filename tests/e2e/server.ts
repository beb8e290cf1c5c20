// The real server on a temporary database, as a child process: `gridcare seed-demo` then
// `gridcare serve` (no Vitest here, so benchmarks can start it too).
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './browser';

async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const address = server.address();
	server.close();
	if (!address || typeof address === 'string') throw new Error('no free port');
	return address.port;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): ChildProcess & { output: () => string } {
	const child = spawn(process.execPath, [join(ROOT, 'bin/gridcare.js'), ...args], {
		cwd: ROOT,
		env,
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	return Object.assign(child, { output: () => output });
}

export interface RunningServer {
	url: string;
	/** The server's SQLite file, for checks of what it stored (open it read-only). */
	databasePath: string;
	stop: () => Promise<void>;
}

/** `gridcare seed-demo` then `gridcare serve` on a temporary database; resolves once healthy. */
export async function startServer(appDir: string): Promise<RunningServer> {
	const dir = await mkdtemp(join(tmpdir(), 'gridcare-e2e-'));
	const port = await freePort();
	const databasePath = join(dir, 'e2e.db');
	const env = {
		...process.env,
		DATABASE_URL: `file:${databasePath}`,
		PORT: String(port),
		GRIDCARE_APP_DIR: appDir
	};

	const seed = runCli(['seed-demo'], env);
	const [seedCode] = (await once(seed, 'exit')) as [number | null];
	if (seedCode !== 0) throw new Error(`gridcare seed-demo failed (${seedCode}):\n${seed.output()}`);

	const serve = runCli(['serve'], env);
	const url = `http://127.0.0.1:${port}`;
	const stop = async () => {
		if (serve.exitCode === null && serve.signalCode === null) {
			const exited = once(serve, 'exit');
			serve.kill('SIGTERM');
			const timer = setTimeout(() => serve.kill('SIGKILL'), 5_000);
			await exited;
			clearTimeout(timer);
		}
		await rm(dir, { recursive: true, force: true });
	};

	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		if (serve.exitCode !== null) break;
		const healthy = await fetch(`${url}/api/v1/health`)
			.then((response) => response.status === 200)
			.catch(() => false);
		if (healthy) return { url, databasePath, stop };
		await new Promise((r) => setTimeout(r, 200));
	}
	await stop();
	throw new Error(`gridcare serve did not become healthy:\n${serve.output()}`);
}
