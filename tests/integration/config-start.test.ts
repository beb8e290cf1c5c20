// `gridcare serve` checks its configuration before it serves: a bad value is one line on stderr
// naming the variable (`gridcare: DATABASE_URL: …`), a non-zero exit code, no stack trace, and
// never the password of a database URL. Real processes, as an operator or systemd starts them.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresReachable } from './pg';

const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;
const PASSWORD = `pw-${randomBytes(6).toString('hex')}`;
const PG_URL = process.env.GRIDCARE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const POSTGRES_AVAILABLE = await postgresReachable();
/** A valid GRIDCARE_ID_KEY: 32 random bytes in base64. */
const ID_KEY = randomBytes(32).toString('base64');

interface Outcome {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** A port nobody listens on (the OS hands out a free one, which we release at once). */
async function freePort(): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as { port: number };
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** The environment without anything of GridCare's that the machine running the tests may set. */
function cleanEnv(): NodeJS.ProcessEnv {
	const env = { ...process.env };
	for (const name of Object.keys(env))
		if (
			name.startsWith('GRIDCARE_') ||
			name === 'DATABASE_URL' ||
			name === 'DATABASE_READ_URL' ||
			name === 'PORT'
		)
			delete env[name];
	return env;
}

/**
 * `gridcare serve` with `env`; resolves when it exits, or once `ready` is seen on its standard
 * output (then the process is still running and `stop` ends it). Killed after 30 s either way.
 */
function serve(
	env: NodeJS.ProcessEnv,
	options: { uid?: number; gid?: number; ready?: RegExp } = {}
): Promise<Outcome & { stop?: () => Promise<Outcome> }> {
	const child = spawn(process.execPath, [BIN, 'serve'], {
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
		...(options.uid === undefined ? {} : { uid: options.uid, gid: options.gid })
	});
	const outcome: Outcome = { code: null, stdout: '', stderr: '' };
	const exited = new Promise<Outcome>((resolve) =>
		child.on('exit', (code) => {
			clearTimeout(timer);
			resolve({ ...outcome, code });
		})
	);
	const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
	child.stderr.on('data', (chunk: Buffer) => (outcome.stderr += chunk.toString()));
	return new Promise((resolve) => {
		child.stdout.on('data', (chunk: Buffer) => {
			outcome.stdout += chunk.toString();
			if (options.ready?.test(outcome.stdout))
				resolve({
					...outcome,
					stop: () => {
						child.kill('SIGTERM');
						return exited;
					}
				});
		});
		void exited.then(resolve);
	});
}

/** Exit code ≠ 0; stderr exactly one line, `gridcare: <variable>: …`; no stack frame, no password. */
function expectOneLine(outcome: Outcome, variable: string, reason: RegExp): void {
	expect(outcome.code, outcome.stderr).not.toBe(0);
	expect(outcome.code).not.toBeNull();
	const lines = outcome.stderr.split('\n').filter((line) => line !== '');
	expect(lines, outcome.stderr).toHaveLength(1);
	expect(lines[0].startsWith(`gridcare: ${variable}: `), lines[0]).toBe(true);
	expect(lines[0]).toMatch(reason);
	expect(outcome.stderr).not.toContain('    at ');
	expect(outcome.stderr).not.toContain(PASSWORD);
	expect(outcome.stdout).not.toContain(PASSWORD);
}

/** The test server's URL with another database, user and port, and our password. */
function pgUrl(change: { database?: string; user?: string; port?: number }): string {
	const url = new URL(PG_URL);
	if (change.database) url.pathname = `/${change.database}`;
	if (change.user) url.username = change.user;
	if (change.port) url.port = String(change.port);
	url.password = PASSWORD;
	return url.toString();
}

describe('gridcare serve checks its configuration before serving', () => {
	let dir: string;
	let base: NodeJS.ProcessEnv;
	const run = (env: NodeJS.ProcessEnv) => serve({ ...base, ...env });

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'gridcare-config-'));
		// Other users (the not-writable case below runs as nobody when we are root) may enter it.
		chmodSync(dir, 0o755);
		base = {
			...cleanEnv(),
			DATABASE_URL: `file:${join(dir, 'gridcare.db')}`,
			PORT: String(await freePort()),
			// An existing folder: no "app not built" notice on stderr.
			GRIDCARE_APP_DIR: dir
		};
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	// [variable, its bad value, what the line must say]
	const settings: [string, string, RegExp][] = [
		['DATABASE_URL', `mysql://gridcare:${PASSWORD}@db.example.cn/gridcare`, /expected file:/],
		['DATABASE_URL', 'file:', /expected file:/],
		['DATABASE_READ_URL', 'file:/var/lib/gridcare/replica.db', /is a PostgreSQL standby/],
		// DATABASE_URL is SQLite here: a replica needs PostgreSQL.
		[
			'DATABASE_READ_URL',
			`postgres://gridcare:${PASSWORD}@replica.example.cn/gridcare`,
			/needs DATABASE_URL on PostgreSQL/
		],
		['GRIDCARE_ID_KEY', 'c2hvcnQ=', /32 bytes/],
		['GRIDCARE_ID_KEY', randomBytes(16).toString('base64'), /32 bytes/],
		['GRIDCARE_TILE_URL', 'ftp://tiles.example.cn/{z}/{x}/{y}.png', /http/],
		['GRIDCARE_TILE_URL', 'tiles.example.cn/{z}/{x}/{y}.png', /http/],
		['GRIDCARE_TILE_URL', 'https://tiles.example.cn/{z}/{x}.png', /\{z\}, \{x\} and \{y\}/],
		['GRIDCARE_TILE_URL', 'https://tiles.example.cn/{z}/{x}/{y}{q}.png', /\{q\}/],
		['PORT', 'http', /positive integer/],
		['PORT', '0', /positive integer/],
		['PORT', '65536', /1 to 65535/],
		['GRIDCARE_TZ', 'Mars/Olympus_Mons', /unknown time zone/],
		['GRIDCARE_TRUSTED_PROXIES', '10.0.0.1, proxy.internal', /proxy\.internal/],
		['GRIDCARE_TRUSTED_PROXIES', '10.0.0.0/33', /prefix/],
		['GRIDCARE_SESSION_HOURS', '-1', /positive integer/],
		['GRIDCARE_SESSION_HOURS', 'a week', /positive integer/],
		['GRIDCARE_RETENTION_DAYS', '0', /positive integer/],
		['GRIDCARE_RETENTION_DAYS', '1.5', /positive integer/],
		['GRIDCARE_COMPRESSION', 'false', /on or off/],
		['GRIDCARE_ROLLUP', 'no', /on or off/]
	];

	it.each(settings)('%s=%s', async (variable, value, reason) => {
		expectOneLine(await run({ [variable]: value }), variable, reason);
	});

	it('refuses a SQLite path whose folder does not exist, or that is no database', async () => {
		const missing = join(dir, 'no-such-folder', 'gridcare.db');
		expectOneLine(
			await run({ DATABASE_URL: `file:${missing}` }),
			'DATABASE_URL',
			/no-such-folder does not exist/
		);
		expectOneLine(await run({ DATABASE_URL: `file:${dir}` }), 'DATABASE_URL', /is a folder/);
		const text = join(dir, 'notes.txt');
		writeFileSync(text, 'not a database');
		expectOneLine(
			await run({ DATABASE_URL: `file:${text}` }),
			'DATABASE_URL',
			/not a SQLite database/
		);
	});

	it('refuses a SQLite folder the server may not write', async () => {
		const readOnly = join(dir, 'read-only');
		mkdirSync(readOnly, { mode: 0o555 });
		chmodSync(readOnly, 0o555);
		// Root may write anywhere: then run the server as nobody, as a service user would be.
		const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
		const outcome = await serve(
			{ ...base, DATABASE_URL: `file:${join(readOnly, 'gridcare.db')}` },
			asNobody
		);
		expectOneLine(outcome, 'DATABASE_URL', /read-only is not writable: permission denied/);
	});

	it('names the address when no PostgreSQL server answers, password masked', async () => {
		const refused = await freePort();
		const outcome = await run({ DATABASE_URL: pgUrl({ port: refused }) });
		expectOneLine(
			outcome,
			'DATABASE_URL',
			new RegExp(`cannot connect to [^ ]+:${refused}: connection refused`)
		);
		expect(outcome.stderr).toContain(':***@');
	});

	describe.skipIf(!POSTGRES_AVAILABLE)('a PostgreSQL server that refuses', () => {
		it('an unknown database', async () => {
			const database = `gridcare_missing_${randomBytes(4).toString('hex')}`;
			const outcome = await run({ DATABASE_URL: pgUrl({ database }) });
			expectOneLine(outcome, 'DATABASE_URL', new RegExp(`database "${database}" does not exist`));
			expect(outcome.stderr).toContain(':***@');
		});

		it('an unknown user', async () => {
			const user = `gridcare_nobody_${randomBytes(4).toString('hex')}`;
			const outcome = await run({ DATABASE_URL: pgUrl({ user }) });
			expectOneLine(outcome, 'DATABASE_URL', new RegExp(`"${user}"`));
		});

		it('a read replica that does not answer, named as DATABASE_READ_URL', async () => {
			const refused = await freePort();
			const outcome = await run({
				DATABASE_URL: PG_URL,
				DATABASE_READ_URL: pgUrl({ port: refused })
			});
			expectOneLine(
				outcome,
				'DATABASE_READ_URL',
				new RegExp(`cannot connect to [^ ]+:${refused}: connection refused`)
			);
			expect(outcome.stderr).toContain(':***@');
		});
	});

	describe('a port already in use', () => {
		let holder: Server;
		let port: number;
		beforeAll(async () => {
			holder = createServer();
			await new Promise<void>((resolve) => holder.listen(0, resolve));
			port = (holder.address() as { port: number }).port;
		});
		afterAll(() => new Promise((resolve) => holder.close(resolve)));

		it('names PORT', async () => {
			expectOneLine(await run({ PORT: String(port) }), 'PORT', /already in use/);
		});
	});

	it('serves with a valid configuration, and stops on SIGTERM', async () => {
		const port = await freePort();
		const started = await serve(
			{
				...base,
				DATABASE_URL: `file:${join(dir, 'valid.db')}`,
				PORT: String(port),
				GRIDCARE_ID_KEY: ID_KEY,
				GRIDCARE_TILE_URL: 'https://{s}.tiles.example.cn/{z}/{x}/{y}{r}.png',
				GRIDCARE_TRUSTED_PROXIES: '127.0.0.1, ::1, 10.0.0.0/8',
				GRIDCARE_TZ: 'Asia/Urumqi',
				GRIDCARE_SESSION_HOURS: '72',
				GRIDCARE_RETENTION_DAYS: '60',
				GRIDCARE_COMPRESSION: 'off'
			},
			{ ready: /serving on/ }
		);
		expect(started.stop, started.stderr).toBeDefined();
		const health = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
		expect(health.status).toBe(200);
		// {s} stands for several tile hosts: the Content-Security-Policy allows them all.
		expect(health.headers.get('content-security-policy')).toContain(
			"img-src 'self' data: blob: https://*.tiles.example.cn"
		);
		const stopped = await started.stop!();
		expect(stopped.code).toBe(0);
		expect(stopped.stderr).toBe('');
	});
});
