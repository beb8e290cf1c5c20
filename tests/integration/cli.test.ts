// `npx gridcare` as an operator runs it: real processes on a real SQLite file.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index';
import { ApiClient, testApp } from './api-client';

const run = promisify(execFile);
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;

describe('gridcare CLI (sqlite)', () => {
	let dir: string;
	let env: NodeJS.ProcessEnv;
	const cli = (...args: string[]) =>
		run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
	/** Run with `input` on standard input (a pipe, not a terminal). */
	const cliWith = (input: string, ...args: string[]) => {
		const running = run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
		running.child.stdin!.end(input);
		return running;
	};
	const fails = async (...args: string[]) => failsWith('', ...args);
	const failsWith = async (input: string, ...args: string[]) => {
		try {
			await cliWith(input, ...args);
		} catch (error) {
			const { code, stderr } = error as { code: number; stderr: string };
			return { code, stderr };
		}
		throw new Error(`expected "${args.join(' ')}" to fail`);
	};

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'gridcare-cli-'));
		env = { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}` };
		await cli('import-divisions', '--province', '45');
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('imports a province idempotently', async () => {
		const { stdout } = await cli('import-divisions', '--province', '45');
		expect(stdout).toContain('"community":16681');
		const failure = await fails('import-divisions', '--province', '99');
		expect(failure.code).not.toBe(0);
		expect(failure.stderr.trim().split('\n')).toHaveLength(1);
		expect(failure.stderr).toMatch(/province/);
	});

	it('adds a grid and a user, printing each id as the last line', async () => {
		const grid = await cli('grid', 'add', '--community', '450102001004', '--name', '北宁第一网格');
		const gridId = grid.stdout.trim().split('\n').at(-1)!;
		expect(gridId).toMatch(/^[0-9a-f-]{36}$/);
		const user = await cli(
			'user',
			'add',
			'--username',
			'wang',
			'--role',
			'grid_worker',
			'--scope',
			gridId,
			'--password',
			'longenough1'
		);
		const userId = user.stdout.trim().split('\n').at(-1)!;
		const store = openStore(env.DATABASE_URL);
		try {
			expect(await store.getGrid(gridId)).toMatchObject({
				communityCode: '450102001004',
				name: '北宁第一网格'
			});
			expect(await store.getUser(userId)).toMatchObject({
				username: 'wang',
				role: 'grid_worker',
				scope: [gridId]
			});
		} finally {
			await store.close();
		}
	});

	it('refuses bad input with a one-line reason naming the field', async () => {
		const cases: [string[], RegExp][] = [
			[['grid', 'add', '--community', '4501', '--name', 'x'], /community/],
			[['grid', 'add', '--community', '450102001999', '--name', 'x'], /community/],
			[
				['grid', 'add', '--community', '450102001003', '--name', '第三\u0001网格'],
				/^gridcare: name: /
			],
			[
				[
					'user',
					'add',
					'--username',
					'bad\u0001name',
					'--role',
					'grid_worker',
					'--scope',
					'450102001003',
					'--password-stdin'
				],
				/^gridcare: username: /
			],
			[
				[
					'user',
					'add',
					'--username',
					'a',
					'--role',
					'boss',
					'--scope',
					'45',
					'--password',
					'longenough1'
				],
				/role/
			],
			[
				[
					'user',
					'add',
					'--username',
					'a',
					'--role',
					'street_officer',
					'--scope',
					'450102009',
					'--password',
					'longenough1'
				],
				/scope/
			],
			[
				[
					'user',
					'add',
					'--username',
					'a',
					'--role',
					'grid_worker',
					'--scope',
					crypto.randomUUID(),
					'--password',
					'longenough1'
				],
				/scope/
			],
			[
				[
					'user',
					'add',
					'--username',
					'a',
					'--role',
					'admin',
					'--scope',
					'45',
					'--password',
					'short'
				],
				/password/
			],
			[
				[
					'user',
					'add',
					'--username',
					'wang',
					'--role',
					'admin',
					'--scope',
					'45',
					'--password',
					'longenough1'
				],
				/username/
			]
		];
		for (const [args, field] of cases) {
			const failure = await fails(...args);
			expect(failure.code, args.join(' ')).not.toBe(0);
			expect(failure.stderr, args.join(' ')).toMatch(field);
		}
	});

	describe('user add: the password', () => {
		const add = (username: string) => [
			'user',
			'add',
			'--username',
			username,
			'--role',
			'community_head',
			'--scope',
			'450102001004'
		];
		const canLogIn = async (username: string, password: string) => {
			const store = openStore(env.DATABASE_URL);
			try {
				await new ApiClient(testApp(store)).login(username, password);
				return true;
			} catch {
				return false;
			} finally {
				await store.close();
			}
		};

		it('refuses a weak --password with a one-line reason, and creates no user', async () => {
			for (const weak of ['12345678', 'password', 'head_weak', '        ', 'head_weak2026']) {
				const failure = await fails(...add('head_weak'), '--password', weak);
				expect(failure.code, weak).not.toBe(0);
				expect(failure.stderr.trim().split('\n'), weak).toHaveLength(1);
				expect(failure.stderr, weak).toMatch(/^gridcare: password: /);
				// The reason quotes zxcvbn's warning, never the password.
				if (/\d/.test(weak)) expect(failure.stderr).not.toContain(weak);
			}
			const store = openStore(env.DATABASE_URL);
			try {
				expect(await store.findUserByUsername('head_weak')).toBeFalsy();
			} finally {
				await store.close();
			}
		});

		it('refuses a password built from the display name', async () => {
			const failure = await fails(
				...add('head_dn'),
				'--display-name',
				'zhoujianguo',
				'--password',
				'zhoujianguo2026'
			);
			expect(failure.stderr).toMatch(/^gridcare: password: too weak — /);
		});

		it('takes a strong --password, printing nothing of it', async () => {
			const { stdout, stderr } = await cli(...add('head_flag'), '--password', 'Tq8#vL2m!pZx');
			expect(stdout.trim().split('\n').at(-1)).toMatch(/^[0-9a-f-]{36}$/);
			expect(stdout + stderr).not.toContain('Tq8#vL2m!pZx');
			expect(await canLogIn('head_flag', 'Tq8#vL2m!pZx')).toBe(true);
		});

		it('reads the first line of standard input with --password-stdin', async () => {
			const password = 'correct horse battery staple';
			const { stdout, stderr } = await cliWith(
				`${password}\nnot this line\n`,
				...add('head_stdin'),
				'--password-stdin'
			);
			expect(stdout.trim().split('\n').at(-1)).toMatch(/^[0-9a-f-]{36}$/);
			expect(stdout + stderr).not.toContain(password);
			expect(await canLogIn('head_stdin', password)).toBe(true);
			expect(await canLogIn('head_stdin', 'not this line')).toBe(false);
			// Windows line endings too.
			await cliWith(`${password}\r\n`, ...add('head_crlf'), '--password-stdin');
			expect(await canLogIn('head_crlf', password)).toBe(true);
		});

		it('checks a password from standard input for strength too', async () => {
			const failure = await failsWith('password\n', ...add('head_stdin_weak'), '--password-stdin');
			expect(failure.code).not.toBe(0);
			expect(failure.stderr).toMatch(/^gridcare: password: too weak/);
			const empty = await failsWith('', ...add('head_stdin_empty'), '--password-stdin');
			expect(empty.stderr).toMatch(/^gridcare: password: standard input is empty/);
		});

		it('without a terminal and without a password flag, exits non-zero with a reason', async () => {
			const failure = await failsWith('Tq8#vL2m!pZx\n', ...add('head_none'));
			expect(failure.code).not.toBe(0);
			expect(failure.stderr.trim().split('\n')).toHaveLength(1);
			expect(failure.stderr).toMatch(/^gridcare: password: .*--password-stdin/);
			const both = await fails(...add('head_both'), '--password', 'x', '--password-stdin');
			expect(both.stderr).toMatch(/^gridcare: password: give either/);
		});

		// A real terminal through util-linux `script`: the password is asked twice and not echoed.
		it.skipIf(!existsSync('/usr/bin/script'))(
			'asks twice on a terminal, echoing nothing',
			async () => {
				const password = 'Tq8#vL2m!pZx';
				const typed = async (second: string) => {
					const command = [process.execPath, BIN, ...add(`head_tty_${second.length}`)].join(' ');
					const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], { env });
					let out = '';
					const prompts = [password, second];
					child.stdout.on('data', (chunk: Buffer) => {
						out += chunk.toString();
						const asked = out.match(/Password/g)?.length ?? 0;
						if (asked > 2 - prompts.length) child.stdin.write(`${prompts.shift()}\r`);
					});
					const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
					return { code, out };
				};
				const ok = await typed(password);
				expect(ok.code).toBe(0);
				expect(ok.out).toMatch(/Password: [^]*Password \(again\): [^]*[0-9a-f-]{36}/);
				expect(ok.out).not.toContain(password);
				expect(await canLogIn(`head_tty_${password.length}`, password)).toBe(true);
				const differ = await typed('another thing');
				expect(differ.code).not.toBe(0);
				expect(differ.out).toMatch(/password: the two entries differ/);
			}
		);
	});

	it('seeds the demo once, on a database without users', async () => {
		const demo = { ...env, DATABASE_URL: `file:${join(dir, 'demo.db')}` };
		const seed = () => run(process.execPath, [BIN, 'seed-demo'], { env: demo, timeout: 60_000 });
		const first = await seed();
		expect(first.stdout).toContain('worker1');
		const second = await seed();
		expect(second.stdout).toMatch(/nothing seeded/);
	});
});
