// `npx gridcare` as an operator runs it: real processes on a real SQLite file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index';

const run = promisify(execFile);
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;

describe('gridcare CLI (sqlite)', () => {
	let dir: string;
	let env: NodeJS.ProcessEnv;
	const cli = (...args: string[]) =>
		run(process.execPath, [BIN, ...args], { env, timeout: 60_000 });
	const fails = async (...args: string[]) => {
		try {
			await cli(...args);
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

	it('seeds the demo once, on a database without users', async () => {
		const demo = { ...env, DATABASE_URL: `file:${join(dir, 'demo.db')}` };
		const seed = () => run(process.execPath, [BIN, 'seed-demo'], { env: demo, timeout: 60_000 });
		const first = await seed();
		expect(first.stdout).toContain('worker1');
		const second = await seed();
		expect(second.stdout).toMatch(/nothing seeded/);
	});
});
