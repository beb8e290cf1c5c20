// `npx gridcare recompute-rollups` on a real SQLite file: after the demo seed (bulk household and
// resident inserts) the figures kept while seeding equal those rebuilt from the base tables.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../server/store/index';

const run = promisify(execFile);
const BIN = new URL('../../bin/gridcare.js', import.meta.url).pathname;

describe('gridcare recompute-rollups (sqlite)', () => {
	let dir: string;
	let env: NodeJS.ProcessEnv;
	const cli = (...args: string[]) =>
		run(process.execPath, [BIN, ...args], { env, timeout: 120_000 });

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'gridcare-rollup-'));
		env = { ...process.env, DATABASE_URL: `file:${join(dir, 'cli.db')}` };
		await cli('seed-demo', '--seed', '7');
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	const figures = async () => {
		const store = openStore(env.DATABASE_URL);
		try {
			return await store.rollup().allFigures();
		} finally {
			await store.close();
		}
	};

	it('rebuilds the same figures the seed kept, and prints the counts', async () => {
		const seeded = await figures();
		expect(
			seeded.find((f) => f.nodeCode.length === 2 && f.metric === 'households')?.value
		).toBeGreaterThan(0);
		const { stdout } = await cli('recompute-rollups');
		expect(stdout).toMatch(/^recomputed \d+ figures for \d+ grids and 0 rounds in [\d.]+ s$/m);
		expect(await figures()).toEqual(seeded);
	});
});
