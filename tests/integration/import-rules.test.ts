// The import rules of `npm run lint` (.dependency-cruiser.cjs): they see cycles made of type
// imports and through components, resolve $lib, and the tree has none.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

interface Cruise {
	modules: { source: string; dependencies: { module: string; couldNotResolve: boolean }[] }[];
	summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

async function cruise(...paths: string[]): Promise<Cruise> {
	return cruiseWith('.dependency-cruiser.cjs', paths);
}

async function cruiseWith(config: string, paths: string[]): Promise<Cruise> {
	const args = ['depcruise', ...paths, '--config', config, '--output-type', 'json'];
	const { stdout } = await run('npx', args, { maxBuffer: 64 << 20 }).catch(
		(error: { stdout: string }) => error
	);
	return JSON.parse(stdout) as Cruise;
}

describe('import rules', () => {
	it('refuse a cycle of type-only imports and a cycle through a component', async () => {
		const { summary } = await cruise('tests/fixtures/import-cycle');
		const cycles = summary.violations.filter((v) => v.rule.name === 'no-cycles');
		// One violation per cycle, named by one of its modules.
		const which = (from: string) =>
			/types-[ab]\.ts$/.test(from) ? 'types' : /anel/.test(from) ? 'component' : from;
		expect(cycles.map((v) => which(v.from)).sort()).toEqual(['component', 'types']);
	});

	it('find no cycle in server/ and src/, with every $lib import resolved', async () => {
		const result = await cruise('server', 'src');
		expect(result.summary.violations).toEqual([]);
		const components = result.modules.filter((m) => m.source.endsWith('.svelte'));
		expect(components.length).toBeGreaterThan(50);
		// Components are read: most import something of the app.
		expect(components.filter((m) => m.dependencies.length > 0).length).toBe(components.length);
		const unresolved = result.modules.flatMap((m) =>
			m.dependencies
				.filter(
					(d) =>
						d.couldNotResolve && !d.module.startsWith('$app/') && d.module !== '$service-worker'
				)
				.map((d) => `${m.source} → ${d.module}`)
		);
		expect(unresolved).toEqual([]);
	});

	it('refuse the raw row transaction outside the store and the write path', async () => {
		// The project's rules, with the fixture counted as application code.
		const rules = createRequire(import.meta.url)('../../.dependency-cruiser.cjs') as {
			forbidden: { name: string; from: { path?: string } }[];
		};
		const config = {
			...rules,
			forbidden: rules.forbidden.map((rule) =>
				rule.name === 'one-write-path'
					? { ...rule, from: { ...rule.from, path: '^(server|src|tests/fixtures/raw-write)/' } }
					: rule
			)
		};
		const file = join(mkdtempSync(join(tmpdir(), 'rules-')), 'config.cjs');
		writeFileSync(file, `module.exports = ${JSON.stringify(config)};`);
		const { summary } = await cruiseWith(file, ['tests/fixtures/raw-write']);
		const refused = summary.violations.filter((v) => v.rule.name === 'one-write-path');
		expect(refused.map((v) => v.to).sort()).toEqual([
			'server/store/row-access.ts',
			'server/store/sync-types.ts'
		]);
	});
});

describe('the one write path', () => {
	const SYNCED = 'households|residents|visits|checkins|incidents|changeLog|rounds|fieldHistory';
	// `.insert(t.households)`, `.update(visits)`, `.delete(this.t.incidents)` and the like.
	const RAW_WRITE = new RegExp(
		`\\.(insert|update|delete)\\(\\s*(?:[\\w.]+\\.)?(${SYNCED}|incidentTransitions)\\b`
	);
	const sources = (dir: string): string[] =>
		readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) return sources(path);
			return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
		});

	it('is the only code that writes a synced table', () => {
		const root = join(import.meta.dirname, '../..');
		const writers = sources(join(root, 'server')).filter((file) =>
			RAW_WRITE.test(readFileSync(file, 'utf8'))
		);
		// The raw row transaction itself (its generic writes name no table; rounds are inserted
		// by name), opened by server/write/ only.
		expect(writers.map((file) => relative(root, file))).toEqual(['server/store/sync-tx.ts']);
		expect(RAW_WRITE.test('await tx.update(t.incidents).set({ status })')).toBe(true);
		expect(RAW_WRITE.test('db.insert(visits).values(rows)')).toBe(true);
	});
});
