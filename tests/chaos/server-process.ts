// The real server as the chaos harness runs it (docs/chaos.md): `node bin/gridcare.js serve` in
// a child process on a fixed port, killed with SIGKILL and started again on the same database.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/gridcare.js', import.meta.url));

export async function freePort(): Promise<number> {
	const server = createServer();
	server.listen(0, '127.0.0.1');
	await once(server, 'listening');
	const address = server.address();
	server.close();
	if (!address || typeof address === 'string') throw new Error('no free port');
	return address.port;
}

export class ServerProcess {
	#child: ChildProcess | null = null;
	#output = '';
	/** SIGKILLs sent so far. */
	kills = 0;
	/** Milliseconds each restart took until the server answered its health check. */
	readonly restarts: number[] = [];

	constructor(
		readonly databaseUrl: string,
		readonly port: number,
		private readonly appDir: string,
		/** More environment and arguments of `serve` (e.g. `--demo`). */
		private readonly extra: { env?: Record<string, string>; args?: string[] } = {}
	) {}

	/** The exit code of the last run once it has ended; null while it runs or when killed. */
	get exitCode(): number | null {
		return this.#child?.exitCode ?? null;
	}

	get url(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The last lines the server wrote (for a failure report). */
	output(lines = 40): string {
		return this.#output.split('\n').slice(-lines).join('\n');
	}

	/** Start the server and wait until it is ready (its database answers, migrations applied). */
	async start(): Promise<number> {
		const began = Date.now();
		const child = spawn(process.execPath, [BIN, 'serve', ...(this.extra.args ?? [])], {
			cwd: ROOT,
			env: {
				...process.env,
				DATABASE_URL: this.databaseUrl,
				PORT: String(this.port),
				GRIDCARE_APP_DIR: this.appDir,
				...this.extra.env
			},
			stdio: ['ignore', 'pipe', 'pipe']
		});
		this.#child = child;
		const keep = (chunk: Buffer) => {
			this.#output = (this.#output + chunk.toString()).slice(-20_000);
		};
		child.stdout?.on('data', keep);
		child.stderr?.on('data', keep);
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			if (child.exitCode !== null || child.signalCode !== null) break;
			const healthy = await fetch(`${this.url}/api/v1/health/ready`)
				.then((response) => response.status === 200)
				.catch(() => false);
			if (healthy) return Date.now() - began;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error(`gridcare serve did not become healthy:\n${this.output()}`);
	}

	/** SIGKILL: no shutdown, whatever the server was doing. */
	async kill(): Promise<void> {
		const child = this.#child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = once(child, 'exit');
		child.kill('SIGKILL');
		await exited;
		this.kills += 1;
	}

	async restart(): Promise<void> {
		this.restarts.push(await this.start());
	}

	/**
	 * A clean stop (SIGTERM), for the checks that read the database afterwards; SIGKILL after
	 * `graceMs`. Resolves with the exit code (null when it had to be killed).
	 */
	async stop(graceMs = 10_000): Promise<number | null> {
		const child = this.#child;
		if (!child || child.exitCode !== null || child.signalCode !== null)
			return child?.exitCode ?? null;
		const exited = once(child, 'exit');
		child.kill('SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
		return child.exitCode;
	}
}
