// The deployment files (docs/deploy.md, deploy/, Dockerfile): Docker, systemd, nginx and Caddy do
// not run here, so their syntax and content are checked as text. No Dockerfile parser is
// installed, so the Dockerfile is read instruction by instruction; systemd units are read as
// their INI dialect (and by `systemd-analyze verify` where it exists). The names the guide and
// the files use must exist: variables in the README's Configuration table, commands in the CLI.
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
// Comes with vite and @hono/zod-openapi; used here only to read deploy/prometheus.yml.
import { parse as parseYaml } from 'yaml';

const ROOT = resolve(new URL('../..', import.meta.url).pathname);
const BIN = join(ROOT, 'bin/gridcare.js');
const run = promisify(execFile);
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DEPLOY_FILES = readdirSync(join(ROOT, 'deploy')).map((name) => `deploy/${name}`);

// ── Dockerfile ──

const DOCKER_INSTRUCTIONS = new Set([
	'ADD',
	'ARG',
	'CMD',
	'COPY',
	'ENTRYPOINT',
	'ENV',
	'EXPOSE',
	'FROM',
	'HEALTHCHECK',
	'LABEL',
	'MAINTAINER',
	'ONBUILD',
	'RUN',
	'SHELL',
	'STOPSIGNAL',
	'USER',
	'VOLUME',
	'WORKDIR'
]);

interface Instruction {
	line: number;
	keyword: string;
	args: string;
}

/** Instructions of a Dockerfile: comments dropped, lines ending in `\` joined. */
function dockerInstructions(text: string): Instruction[] {
	const out: Instruction[] = [];
	let pending: Instruction | null = null;
	text.split('\n').forEach((raw, index) => {
		const line = raw.trimEnd();
		if (pending === null && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
		if (pending !== null && line.trimStart().startsWith('#')) return;
		const continued = line.endsWith('\\');
		const body = continued ? line.slice(0, -1) : line;
		if (pending === null) {
			const match = /^\s*([A-Za-z]+)(?:\s+(.*))?$/.exec(body);
			if (!match) throw new Error(`Dockerfile:${index + 1}: not an instruction: ${raw}`);
			pending = { line: index + 1, keyword: match[1], args: (match[2] ?? '').trim() };
		} else pending.args = `${pending.args} ${body.trim()}`.trim();
		if (!continued) {
			out.push(pending);
			pending = null;
		}
	});
	if (pending !== null) throw new Error('Dockerfile: ends inside a continued line');
	return out;
}

/** Stages of a Dockerfile: the FROM instruction and those after it, up to the next FROM. */
function dockerStages(instructions: Instruction[]) {
	const stages: { from: string; name: string | null; body: Instruction[] }[] = [];
	for (const instruction of instructions) {
		if (instruction.keyword === 'FROM') {
			const [image, as, name] = instruction.args.split(/\s+/);
			stages.push({ from: image, name: as?.toUpperCase() === 'AS' ? name : null, body: [] });
		} else if (stages.length === 0) {
			if (instruction.keyword !== 'ARG') throw new Error('Dockerfile: an instruction before FROM');
		} else stages.at(-1)!.body.push(instruction);
	}
	return stages;
}

/** The JSON array of an exec-form instruction (`CMD ["node", …]`). */
function execForm(args: string): string[] {
	const parsed = JSON.parse(args) as unknown;
	if (!Array.isArray(parsed) || !parsed.every((part) => typeof part === 'string'))
		throw new Error(`not an exec form: ${args}`);
	return parsed as string[];
}

/** Whether a .dockerignore pattern (names, `*` globs, no negations here) leaves `path` out. */
function ignored(patterns: string[], path: string): boolean {
	return patterns.some((pattern) => {
		const regex = new RegExp(
			`^${pattern
				.replace(/\/$/, '')
				.replace(/[.+^${}()|[\]\\]/g, '\\$&')
				.replace(/\*/g, '[^/]*')}(?:/|$)`
		);
		return regex.test(path);
	});
}

/** Files outside server/ that the server's modules import (relative imports only), at run time. */
function serverImportsOutsideServer(): string[] {
	const found = new Set<string>();
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			if (statSync(path).isDirectory()) walk(path);
			else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) {
				const text = readFileSync(path, 'utf8');
				const imports = /^(?:import\s+(?!type\b)|export\s+(?:\*|\{))[^;]*?from\s+'(\.[^']+)'/gm;
				for (const match of text.matchAll(imports)) {
					const target = relative(ROOT, resolve(dirname(path), match[1]));
					if (!target.startsWith('server/')) found.add(target);
				}
			}
		}
	};
	walk(join(ROOT, 'server'));
	return [...found];
}

describe('Dockerfile', () => {
	const instructions = dockerInstructions(read('Dockerfile'));
	const stages = dockerStages(instructions);
	const runtime = stages.at(-1)!;
	const all = (stage: (typeof stages)[number], keyword: string) =>
		stage.body.filter((i) => i.keyword === keyword);
	const one = (keyword: string) => {
		const found = all(runtime, keyword);
		expect(found, keyword).toHaveLength(1);
		return found[0].args;
	};

	it('has only instructions Docker knows', () => {
		for (const instruction of instructions)
			expect(
				DOCKER_INSTRUCTIONS.has(instruction.keyword.toUpperCase()),
				`line ${instruction.line}: ${instruction.keyword}`
			).toBe(true);
		// Upper case, as written everywhere else in the project's files.
		expect(instructions.every((i) => i.keyword === i.keyword.toUpperCase())).toBe(true);
	});

	it('builds on node:20-bookworm-slim and runs on it, with production dependencies only', () => {
		expect(stages.length).toBeGreaterThanOrEqual(2);
		for (const stage of stages)
			expect(['node:20-bookworm-slim', ...stages.map((s) => s.name)]).toContain(stage.from);
		expect(runtime.from).toBe('node:20-bookworm-slim');
		const build = stages[0];
		const runs = all(build, 'RUN').map((i) => i.args);
		// better-sqlite3 can be compiled when no prebuilt binary fits.
		expect(runs.some((r) => /apt-get install .*python3.*make.*g\+\+/.test(r))).toBe(true);
		expect(runs.some((r) => /^npm (ci|install)\b/.test(r))).toBe(true);
		expect(runs).toContain('npm run build');
		// The runtime stage copies node_modules from a stage that dropped the dev dependencies.
		const modules = all(runtime, 'COPY').find((i) => / \/app\/node_modules /.test(`${i.args} `));
		const from = /--from=(\S+)/.exec(modules?.args ?? '')?.[1];
		const source = stages.find((s) => s.name === from);
		expect(source, 'node_modules copied from a named stage').toBeDefined();
		expect(all(source!, 'RUN').some((i) => /--omit=dev/.test(i.args))).toBe(true);
		expect(all(runtime, 'RUN').some((i) => /\bnpm\b/.test(i.args))).toBe(false);
	});

	it('copies from stages that exist, and what the server loads at run time', () => {
		const names = new Set(stages.map((s) => s.name));
		const copied: string[] = [];
		for (const copy of all(runtime, 'COPY')) {
			const from = /--from=(\S+)/.exec(copy.args)?.[1];
			expect(from === undefined || names.has(from), copy.args).toBe(true);
			const paths = copy.args
				.split(/\s+/)
				.filter((part) => !part.startsWith('--'))
				.slice(0, -1);
			copied.push(...paths.map((path) => path.replace(/^\/app\//, '')));
		}
		for (const needed of ['bin', 'server', 'drizzle', 'build', 'package.json'])
			expect(copied, needed).toContain(needed);
		// tsx runs the TypeScript: it must be a production dependency.
		const pkg = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };
		expect(pkg.dependencies.tsx).toBeDefined();
		expect(read('bin/gridcare.js')).toContain("from 'tsx/esm/api'");
		// Whatever the server imports outside server/ lies in a copied folder.
		const outside = serverImportsOutsideServer();
		expect(outside.length).toBeGreaterThan(0);
		for (const path of outside)
			expect(
				copied.some((c) => path === c || path.startsWith(`${c}/`)),
				path
			).toBe(true);
		// tsconfig.json extends the generated one; both are copied, so tsx finds its settings.
		expect(read('tsconfig.json')).toContain('./.svelte-kit/tsconfig.json');
		expect(copied).toEqual(expect.arrayContaining(['tsconfig.json', '.svelte-kit/tsconfig.json']));
	});

	it('leaves nothing out of the build context that the build needs', () => {
		const patterns = read('.dockerignore')
			.split('\n')
			.map((line) => line.trim())
			.filter((line) => line && !line.startsWith('#'));
		expect(patterns).toEqual(expect.arrayContaining(['node_modules', 'build', '.git', 'data']));
		const needed = [
			'package.json',
			'package-lock.json',
			'bin/gridcare.js',
			'server/cli.ts',
			'src/lib/shared/schemas.ts',
			'src/routes',
			'static',
			'messages',
			'project.inlang/settings.json',
			'drizzle/pg',
			'drizzle/sqlite',
			'svelte.config.js',
			'vite.config.ts',
			'tsconfig.json'
		];
		for (const path of needed) {
			expect(existsSync(join(ROOT, path)), path).toBe(true);
			expect(ignored(patterns, path), path).toBe(false);
		}
	});

	it('runs as a user, keeps /data, and says how to check, stop and start it', () => {
		const user = one('USER');
		expect(['', 'root', '0']).not.toContain(user);
		expect(one('VOLUME')).toMatch(/^(\["\/data"\]|\/data)$/);
		const env = all(runtime, 'ENV')
			.map((i) => i.args)
			.join(' ');
		expect(env).toMatch(/(^|\s)DATABASE_URL=file:\/data\/gridcare\.db(\s|$)/);
		expect(one('EXPOSE')).toBe('8787');
		expect(one('STOPSIGNAL')).toBe('SIGTERM');
		expect(execForm(one('CMD'))).toEqual(['node', 'bin/gridcare.js', 'serve']);
		const healthcheck = one('HEALTHCHECK');
		const command = /^(?:--\S+\s+)*CMD\s+(.*)$/.exec(healthcheck)?.[1];
		const argv = execForm(command ?? '');
		expect(argv.slice(0, 2)).toEqual(['node', '-e']);
		expect(argv[2]).toContain('/api/v1/health/ready');
	});

	it('has a health check that passes on 200 from /api/v1/health/ready and fails otherwise', async () => {
		const healthcheck = one('HEALTHCHECK');
		const [, , script] = execForm(/CMD\s+(.*)$/.exec(healthcheck)![1]);
		let status = 200;
		const paths: string[] = [];
		const server = createServer((request, response) => {
			paths.push(request.url ?? '');
			response.writeHead(status).end();
		});
		await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
		const { port } = server.address() as { port: number };
		const check = () =>
			run(process.execPath, ['-e', script], { env: { ...process.env, PORT: String(port) } }).then(
				() => 0,
				(error: { code: number }) => error.code
			);
		try {
			expect(await check()).toBe(0);
			status = 503;
			expect(await check()).toBe(1);
			expect(paths).toEqual(['/api/v1/health/ready', '/api/v1/health/ready']);
		} finally {
			server.close();
		}
	});
});

// ── systemd units ──

type Unit = Map<string, Map<string, string[]>>;

/** A unit file: sections of keys, each with its values in order (keys may repeat). */
function parseUnit(text: string, name: string): Unit {
	const unit: Unit = new Map();
	let section: Map<string, string[]> | null = null;
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		let line = lines[i].trim();
		if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
		while (line.endsWith('\\') && i + 1 < lines.length)
			line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
		const header = /^\[([A-Za-z]+)\]$/.exec(line);
		if (header) {
			if (unit.has(header[1])) throw new Error(`${name}:${i + 1}: section [${header[1]}] twice`);
			section = new Map();
			unit.set(header[1], section);
			continue;
		}
		const entry = /^([A-Za-z][A-Za-z0-9]*)=(.*)$/.exec(line);
		if (!entry) throw new Error(`${name}:${i + 1}: not a key=value line: ${line}`);
		if (!section) throw new Error(`${name}:${i + 1}: key outside a section`);
		section.set(entry[1], [...(section.get(entry[1]) ?? []), entry[2].trim()]);
	}
	return unit;
}

/** The single value of a key. */
function value(unit: Unit, section: string, key: string): string {
	const values = unit.get(section)?.get(key);
	expect(values, `[${section}] ${key}`).toBeDefined();
	expect(values, `[${section}] ${key} once`).toHaveLength(1);
	return values![0];
}

/** `%` starts a specifier in unit files: a literal one is written `%%`. */
function expectEscapedPercents(unit: Unit): void {
	for (const section of unit.values())
		for (const [key, values] of section)
			for (const v of values)
				expect(v.replace(/%%/g, '').replace(/%[a-zA-Z]/g, ''), `${key}=${v}`).not.toContain('%');
}

/** `systemd-analyze verify`, where systemd is installed: nothing about keys or values. */
function systemdVerify(paths: string[]): string | null {
	const analyze = spawnSync('systemd-analyze', ['verify', ...paths], { encoding: 'utf8' });
	if (analyze.error) return null; // not installed
	return analyze.stderr
		.split('\n')
		.filter((line) => /Unknown (key|section)|Failed to parse|[Ii]nvalid|Missing/.test(line))
		.join('\n');
}

describe('systemd units', () => {
	const service = parseUnit(read('deploy/gridcare.service'), 'gridcare.service');
	const backup = parseUnit(read('deploy/gridcare-backup.service'), 'gridcare-backup.service');
	const timer = parseUnit(read('deploy/gridcare-backup.timer'), 'gridcare-backup.timer');
	const envFile = parseEnvFile(read('deploy/gridcare.env.example'));
	const dataFolder = dirname(envFile.get('DATABASE_URL')!.replace(/^file:/, ''));

	it('gridcare.service runs serve as its own user, restarts on failure and stops within 35 s', () => {
		expect([...service.keys()]).toEqual(['Unit', 'Service', 'Install']);
		expect(value(service, 'Unit', 'Description')).not.toBe('');
		expect(value(service, 'Service', 'User')).toBe('gridcare');
		expect(value(service, 'Service', 'EnvironmentFile')).toBe('/etc/gridcare/gridcare.env');
		expect(value(service, 'Service', 'WorkingDirectory')).toBe('/opt/gridcare');
		expect(value(service, 'Service', 'ExecStart')).toBe('/usr/bin/node bin/gridcare.js serve');
		expect(value(service, 'Service', 'Restart')).toBe('on-failure');
		expect(value(service, 'Service', 'KillSignal')).toBe('SIGTERM');
		expect(value(service, 'Service', 'TimeoutStopSec')).toBe('35');
		expect(value(service, 'Install', 'WantedBy')).toBe('multi-user.target');
	});

	it('gridcare.service is hardened and may write its data folder only', () => {
		expect(value(service, 'Service', 'NoNewPrivileges')).toBe('yes');
		expect(value(service, 'Service', 'ProtectSystem')).toBe('strict');
		expect(value(service, 'Service', 'PrivateTmp')).toBe('yes');
		expect(value(service, 'Service', 'ProtectHome')).toBe('yes');
		expect(value(service, 'Service', 'ReadWritePaths').split(/\s+/)).toEqual([dataFolder]);
		expect(value(service, 'Service', 'StateDirectory')).toBe(dataFolder.replace('/var/lib/', ''));
	});

	it('the backup runs once as the same user, and the timer starts it nightly', () => {
		expect(value(backup, 'Service', 'Type')).toBe('oneshot');
		expect(value(backup, 'Service', 'User')).toBe('gridcare');
		expect(value(backup, 'Service', 'EnvironmentFile')).toBe('/etc/gridcare/gridcare.env');
		expect(value(backup, 'Service', 'ExecStart')).toMatch(
			/\/usr\/bin\/node bin\/gridcare\.js backup --out /
		);
		expect(value(backup, 'Service', 'ReadWritePaths').split(/\s+/)).toContain(dataFolder);
		expect(value(backup, 'Service', 'ProtectSystem')).toBe('strict');
		expect(value(timer, 'Timer', 'Unit')).toBe('gridcare-backup.service');
		expect(value(timer, 'Timer', 'OnCalendar')).toMatch(/^\*-\*-\* \d\d:\d\d:\d\d$/);
		expect(value(timer, 'Timer', 'Persistent')).toBe('true');
		expect(value(timer, 'Install', 'WantedBy')).toBe('timers.target');
		for (const unit of [service, backup, timer]) expectEscapedPercents(unit);
	});

	it('passes systemd-analyze verify where systemd is installed', (context) => {
		const problems = systemdVerify(
			['gridcare.service', 'gridcare-backup.service', 'gridcare-backup.timer'].map((name) =>
				join(ROOT, 'deploy', name)
			)
		);
		if (problems === null) context.skip();
		expect(problems).toBe('');
	});
});

/** KEY='value' lines of an environment file, quotes removed. */
function parseEnvFile(text: string): Map<string, string> {
	const out = new Map<string, string>();
	for (const line of text.split('\n')) {
		const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
		if (match) out.set(match[1], match[2].replace(/^'(.*)'$/, '$1'));
	}
	return out;
}

// ── nginx and Caddy ──

/** nginx's syntax: statements end in `;`, blocks in balanced braces; directive names returned. */
function nginxDirectives(text: string, name: string): string[] {
	const words: string[] = [];
	let depth = 0;
	let statement: string[] = [];
	const tokens = text
		.split('\n')
		.map((line) => line.replace(/(^|\s)#.*$/, ''))
		.join('\n')
		.match(/"[^"]*"|'[^']*'|[{};]|[^\s{};]+/g);
	for (const token of tokens ?? []) {
		if (token === '{' || token === ';') {
			if (statement.length === 0) throw new Error(`${name}: "${token}" without a directive`);
			words.push(statement[0]);
			statement = [];
			if (token === '{') depth++;
		} else if (token === '}') {
			if (statement.length) throw new Error(`${name}: "${statement.join(' ')}" lacks its ;`);
			if (--depth < 0) throw new Error(`${name}: unbalanced }`);
		} else statement.push(token);
	}
	if (statement.length) throw new Error(`${name}: "${statement.join(' ')}" lacks its ;`);
	if (depth !== 0) throw new Error(`${name}: unbalanced {`);
	return words;
}

const NGINX_DIRECTIVES = new Set(
	(
		'add_header client_body_timeout client_max_body_size gzip health_check ' +
		'keepalive least_conn listen location proxy_cache_bypass proxy_connect_timeout ' +
		'proxy_http_version proxy_next_upstream proxy_next_upstream_tries proxy_no_cache ' +
		'proxy_pass proxy_read_timeout proxy_send_timeout proxy_set_header return root send_timeout ' +
		'server server_name ssl_certificate ssl_certificate_key ssl_protocols ssl_session_cache ' +
		'ssl_session_timeout upstream'
	).split(' ')
);

/** Caddy's syntax: balanced braces; the directives and matchers used inside site blocks. */
function caddyDirectives(text: string): string[] {
	const out: string[] = [];
	let depth = 0;
	for (const raw of text.split('\n')) {
		const line = raw.replace(/(^|\s)#.*$/, '').trim();
		if (!line) continue;
		if (depth === 1 && line !== '}') out.push(line.split(/\s+/)[0]);
		depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
		if (depth < 0) throw new Error('Caddyfile: unbalanced }');
	}
	if (depth !== 0) throw new Error('Caddyfile: unbalanced {');
	return out;
}

const CADDY_DIRECTIVES = new Set(
	(
		'abort basic_auth bind encode error file_server handle handle_errors handle_path header ' +
		'import log map method redir request_body request_header respond reverse_proxy rewrite ' +
		'root route templates tls try_files uri vars'
	).split(' ')
);

describe('reverse proxies', () => {
	for (const file of ['deploy/nginx.conf', 'deploy/nginx-province.conf'])
		it(`${file} is well formed and proxies to gridcare with the client's address`, () => {
			const text = read(file);
			const directives = nginxDirectives(text, file);
			for (const directive of directives)
				expect(NGINX_DIRECTIVES.has(directive), `${file}: ${directive}`).toBe(true);
			expect(text).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
			expect(text).toMatch(/listen 443 ssl/);
			expect(text).toMatch(/client_max_body_size 9m;/);
			expect(text).toMatch(/client_max_body_size 33m;/);
			expect(text).toMatch(/location = \/service-worker\.js \{[^}]*proxy_no_cache 1;/);
			expect(text).toMatch(/location = \/metrics \{\s*return 404;/);
			expect(text).not.toMatch(/proxy_ignore_headers[^;]*Cache-Control/);
		});

	it('the province balancer checks its upstreams and retries only what is safe', () => {
		const text = read('deploy/nginx-province.conf');
		expect(text).toMatch(/upstream gridcare \{/);
		expect((text.match(/^\s*server \S+:8787 max_fails=\d+ fail_timeout=\S+;/gm) ?? []).length).toBe(
			3
		);
		expect(text).toContain('/api/v1/health/ready');
		expect(text).not.toMatch(/proxy_next_upstream[^;]*non_idempotent/);
	});

	it('the Caddyfile is well formed, compresses all but sign-in and passes to gridcare', () => {
		const text = read('deploy/Caddyfile');
		for (const directive of caddyDirectives(text))
			expect(
				directive.startsWith('@') || CADDY_DIRECTIVES.has(directive),
				`Caddyfile: ${directive}`
			).toBe(true);
		expect(text).toMatch(/@compressible not path \/api\/v1\/auth\/\*/);
		expect(text).toMatch(/encode @compressible/);
		expect(text).toMatch(/max_size 33MiB/);
		expect(text).toMatch(/reverse_proxy 127\.0\.0\.1:8787/);
		expect(text).toMatch(/respond \/metrics 404/);
	});

	it('the server limits the proxies sit just above: 8 MiB bodies, 32 MiB rosters', () => {
		expect(read('server/app.ts')).toContain('const MAX_BODY_BYTES = 8 * 1024 * 1024;');
		expect(read('server/routes/imports.ts')).toContain(
			'export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;'
		);
		expect(read('server/routes/imports.ts')).toContain(
			"export const IMPORT_UPLOAD_PATH = '/imports/households';"
		);
	});
});

describe('prometheus.yml', () => {
	it('scrapes /metrics of each process with a bearer token from a file', () => {
		const config = parseYaml(read('deploy/prometheus.yml')) as {
			scrape_configs: {
				job_name: string;
				metrics_path: string;
				authorization: { type?: string; credentials_file: string };
				static_configs: { targets: string[] }[];
			}[];
		};
		const [job] = config.scrape_configs;
		expect(job.job_name).toBe('gridcare');
		expect(job.metrics_path).toBe('/metrics');
		expect(job.authorization.type ?? 'Bearer').toBe('Bearer');
		expect(job.authorization.credentials_file).toMatch(/^\//);
		const targets = job.static_configs.flatMap((c) => c.targets);
		expect(targets.length).toBeGreaterThan(0);
		for (const target of targets) expect(target).toMatch(/^[\w.-]+:\d+$/);
	});
});

// ── Names the guide uses ──

/** Variables of the README's Configuration table. */
function configuredVariables(): Set<string> {
	const readme = read('README.md');
	const section = readme.slice(readme.indexOf('## Configuration'));
	const table = section.slice(0, section.indexOf('\n## '));
	return new Set([...table.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]));
}

/** GridCare's own variables named in a text: GRIDCARE_*, DATABASE_URL, PORT. */
function variablesIn(text: string): string[] {
	return [...new Set(text.match(/\b(?:GRIDCARE_[A-Z0-9_]+|DATABASE_URL|PORT)\b/g) ?? [])];
}

/** Top-level commands and their subcommands, from `gridcare --help`. */
async function helpCommands(...path: string[]): Promise<string[]> {
	const { stdout } = await run(process.execPath, [BIN, ...path, '--help'], { timeout: 60_000 });
	const commands = stdout.slice(stdout.indexOf('Commands:'));
	return stdout.includes('Commands:')
		? [...commands.matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1])
		: [];
}

/** The options `gridcare <command> --help` lists. */
async function helpOptions(...path: string[]): Promise<string[]> {
	const { stdout } = await run(process.execPath, [BIN, ...path, '--help'], { timeout: 60_000 });
	return [...stdout.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]);
}

describe('names in docs/deploy.md and deploy/', () => {
	const guide = read('docs/deploy.md');
	const texts = [
		['docs/deploy.md', guide],
		['Dockerfile', read('Dockerfile')],
		...DEPLOY_FILES.map((file) => [file, read(file)])
	] as const;

	it('every variable is in the README Configuration table', () => {
		const known = configuredVariables();
		// New with this guide (README lists it too): the bearer token of GET /metrics.
		for (const name of ['GRIDCARE_METRICS_TOKEN']) known.add(name);
		expect(known.has('DATABASE_URL') && known.has('PORT')).toBe(true);
		for (const [file, text] of texts)
			for (const name of variablesIn(text)) expect(known.has(name), `${file}: ${name}`).toBe(true);
		// The environment file sets only such variables.
		for (const name of parseEnvFile(read('deploy/gridcare.env.example')).keys())
			expect(known.has(name), name).toBe(true);
	});

	it('every gridcare command exists in the CLI, with the options it is given', async () => {
		// Being added in another branch: `gridcare backup --out` and `gridcare restore --from`.
		const coming = new Set(['backup', 'restore']);
		const commands = new Set(await helpCommands());
		// `npx gridcare <command>`, `node bin/gridcare.js <command>` and the guide's shell function
		// `gridcare <command>` at the start of a line.
		const uses: { file: string; words: string[] }[] = [];
		for (const [file, text] of texts)
			for (const m of text.matchAll(
				/(?:npx gridcare|bin\/gridcare\.js|^gridcare)[ \t]+([^\n`]*)/gm
			)) {
				// The command's words up to the first that is shell rather than an argument.
				const words: string[] = [];
				for (const word of m[1].split(/[ \t]+/)) {
					if (!/^(?:--)?[\w./:\u4e00-\u9fff-]+$/.test(word)) break;
					words.push(word);
				}
				if (/^[a-z]/.test(words[0] ?? '')) uses.push({ file, words });
			}
		expect(uses.length).toBeGreaterThan(5);
		const named = new Set(uses.map((u) => u.words[0]));
		for (const command of ['serve', 'backup', 'restore', 'import-divisions', 'user'])
			expect(named, command).toContain(command);
		const checked = new Map<string, Promise<string[]>>();
		const cached = (key: string, load: () => Promise<string[]>) => {
			if (!checked.has(key)) checked.set(key, load());
			return checked.get(key)!;
		};
		for (const { file, words } of uses) {
			const [command, ...rest] = words;
			if (coming.has(command) && !commands.has(command)) continue;
			expect(commands.has(command), `${file}: gridcare ${command}`).toBe(true);
			const sub = await cached(`commands of ${command}`, () => helpCommands(command));
			const path = sub.length ? [command, rest[0]] : [command];
			if (sub.length) expect(sub, `${file}: gridcare ${path.join(' ')}`).toContain(rest[0]);
			const options = await cached(`options of ${path.join(' ')}`, () => helpOptions(...path));
			for (const word of rest.filter((w) => w.startsWith('--')))
				expect(options, `${file}: gridcare ${path.join(' ')} ${word}`).toContain(word.slice(2));
		}
	});

	it('marks the place of the single-writer figures, and links what it cites', () => {
		// The single writer's figures are not repeated here: a marked pointer to where they are.
		expect(guide).toMatch(/> \*\*Figures:\*\* see docs\/[a-z-]+\.md, "[^"]+"/);
		for (const [, target] of guide.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g))
			expect(existsSync(resolve(ROOT, 'docs', target)), target).toBe(true);
		for (const file of DEPLOY_FILES.concat(['Dockerfile', '.dockerignore']))
			expect(guide, file.replace('deploy/', '')).toContain(file.replace(/^deploy\//, ''));
		expect(read('README.md')).toContain('(docs/deploy.md)');
	});
});
