// The import rules of `npm run lint` (.dependency-cruiser.cjs): they see cycles made of type
// imports and through components, resolve $lib, and the tree has none.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

interface Cruise {
	modules: { source: string; dependencies: { module: string; couldNotResolve: boolean }[] }[];
	summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

async function cruise(...paths: string[]): Promise<Cruise> {
	const args = [
		'depcruise',
		...paths,
		'--config',
		'.dependency-cruiser.cjs',
		'--output-type',
		'json'
	];
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
});
