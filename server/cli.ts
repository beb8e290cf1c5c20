// `npx gridcare <command>` (README, "Command line"). Exit 0 on success; otherwise a
// one-line reason on stderr and exit code 1.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '../src/lib/shared/enums';
import { communityCodeSchema, shortText } from '../src/lib/shared/schemas';
import { checkNewPerson, createPerson } from './people/people';
import { ApiError } from './api-error';
import { loadConfig } from './config';
import { importDivisions } from './divisions/import';
import { seedDemo, type DemoSummary } from './seed/demo';
import { startServer } from './serve';
import { openStore } from './store/index';
import { probeDatabase } from './store/probe';
import { checkPortFree, isListenError, listenError } from './port-check';
import type { Store } from './store/types';
import { VERSION } from './version';
import { purgeHealthDetails, retentionCutoff } from './privacy/retention';
import { errorSummary } from './logging';
import { importRoster } from './imports/engine';
import { readRoster } from './imports/read';
import { RosterFileError } from './imports/types';
import { SYSTEM } from './write/index';
import { timeZoneFromEnv } from './time-zone';
import { workOutDueDays } from './supervision/jobs';
import { backupDatabase, formatSize, restoreDatabase } from './ops/backup';
import { maskDatabaseUrl } from './store/database-url';
import { federationStatus, publishFigures, subscribeProvince } from './ops/federation';
import { openReadReplica } from './store/read-replica';

/** A one-line text option checked by the shared schema (no control characters), trimmed. */
function text(field: string, value: string, max: number): string {
	const parsed = shortText(max).safeParse(value);
	if (!parsed.success) throw new Error(`${field}: ${parsed.error.issues[0].message}`);
	return parsed.data;
}

/** Open the configured store, migrate it, run `fn`, and always close it. */
async function withStore<T>(fn: (store: Store) => Promise<T>): Promise<T> {
	const store = openStore(loadConfig().databaseUrl);
	try {
		await store.migrate();
		return await fn(store);
	} finally {
		await store.close();
	}
}

/** The 12-digit code of a community the database holds; else a reason naming `community`. */
async function requireCommunity(store: Store, community: string): Promise<void> {
	const code = communityCodeSchema.safeParse(community);
	if (!code.success) throw new Error(`community: ${code.error.issues[0].message}`);
	const division = await store.getDivision(community);
	if (division?.level !== 'community')
		throw new Error(`community: no community with code ${community} (import its province first)`);
}

function role(value: string): Role {
	if (!(ROLES as readonly string[]).includes(value))
		throw new InvalidArgumentError(`expected one of ${ROLES.join(', ')}`);
	return value as Role;
}

function printDemoLogins(summary: DemoSummary): void {
	console.log(`Demo community ${summary.communityCode}: ${summary.grids.length} grids`);
	console.log('Demo logins (username / password / role):');
	for (const u of summary.users) console.log(`  ${u.username.padEnd(10)} ${u.password}  ${u.role}`);
}

const program = new Command('gridcare')
	.description('GridCare (网格通): offline-first community grid management')
	.version(VERSION)
	.showHelpAfterError();

program
	.command('serve')
	.description('migrate the database and serve the app and the API')
	.option('--demo', 'seed the demo community when the database is empty, and print the demo logins')
	.action(async (options: { demo?: boolean }) => {
		// A bad setting stops here with one line naming its variable (README, "Configuration").
		const config = loadConfig();
		await checkPortFree(config.port);
		await probeDatabase(config.databaseUrl);
		if (config.databaseReadUrl) await probeDatabase(config.databaseReadUrl, 'DATABASE_READ_URL');
		const store = openStore(config.databaseUrl);
		await store.migrate();
		if (options.demo) {
			const seeded = await seedDemo(store);
			if (seeded) printDemoLogins(seeded);
			else
				console.log(
					'Database already has data: demo not reseeded (logins as printed at first start, password demo1234).'
				);
		}
		// Never migrated: the primary's migrations reach it by replication.
		const readStore = config.databaseReadUrl ? openReadReplica(config.databaseReadUrl) : undefined;
		const running = await startServer(store, config, { readStore });
		const reads = config.databaseReadUrl
			? `; figures read from ${maskDatabaseUrl(config.databaseReadUrl)}`
			: '';
		console.log(
			`GridCare ${VERSION} serving on http://localhost:${config.port} (${store.dialect}${reads})`
		);
		const stop = () => void running.shutdown().then((done) => process.exit(done ? 0 : 1));
		process.once('SIGINT', stop);
		process.once('SIGTERM', stop);
	});

program
	.command('migrate')
	.description('apply migrations to DATABASE_URL')
	.action(() => withStore(async (store) => console.log(`migrated (${store.dialect})`)));

program
	.command('import-divisions')
	.description('import the five-level division tree of one province (idempotent)')
	.requiredOption('--province <code>', 'two-digit province code, e.g. 45')
	.action((options: { province: string }) =>
		withStore(async (store) => {
			const started = performance.now();
			const counts = await importDivisions(store, options.province);
			const seconds = ((performance.now() - started) / 1000).toFixed(1);
			console.log(
				`imported province ${options.province} in ${seconds} s: ${JSON.stringify(counts)}`
			);
		})
	);

const grid = program.command('grid').description('manage grids');
grid
	.command('add')
	.description('create a grid in a community; prints its id as the last line')
	.requiredOption('--community <code>', '12-digit community code')
	.requiredOption('--name <name>', 'grid name')
	.action((options: { community: string; name: string }) =>
		withStore(async (store) => {
			await requireCommunity(store, options.community);
			const created = await store.createGrid({
				communityCode: options.community,
				name: text('name', options.name, 100)
			});
			console.log(created.id);
		})
	);

const user = program.command('user').description('manage users');
user
	.command('add')
	.description(
		'create a user; prints its id as the last line. The password is asked on a terminal, or read ' +
			'from the first line of standard input with --password-stdin'
	)
	.requiredOption('--username <u>', 'login name')
	.requiredOption('--role <role>', ROLES.join(' | '), role)
	.requiredOption('--scope <scope>', 'grid id(s), comma-separated, or one division code')
	.option('--password-stdin', 'read the password from the first line of standard input')
	.option('--password <p>', 'initial password (visible in shell history: prefer --password-stdin)')
	.option('--display-name <name>', 'name shown in the app')
	.action(
		(options: {
			username: string;
			role: Role;
			scope: string;
			password?: string;
			passwordStdin?: boolean;
			displayName?: string;
		}) =>
			withStore(async (store) => {
				// The same checks as the app's people screens (server/people/people.ts).
				const checked = await checkNewPerson(store, {
					username: options.username,
					displayName: options.displayName ?? null,
					role: options.role,
					scope: options.scope.split(',')
				});
				const password = await newPassword(options);
				// A permission change: in the audit trail, made by the operator at the server.
				const created = await createPerson(store, checked, password, {
					userId: 'cli',
					role: 'operator',
					deviceId: null
				});
				console.log(created.id);
			})
	);

/** The new password: from --password, the first line of standard input, or asked twice on a terminal. */
async function newPassword(options: { password?: string; passwordStdin?: boolean }) {
	if (options.password !== undefined && options.passwordStdin)
		throw new Error('password: give either --password or --password-stdin, not both');
	if (options.password !== undefined) return options.password;
	if (options.passwordStdin) return readFirstLine();
	if (!process.stdin.isTTY)
		throw new Error('password: standard input is not a terminal; pipe it in with --password-stdin');
	const [first, again] = await askHidden(['Password: ', 'Password (again): ']);
	if (first !== again) throw new Error('password: the two entries differ');
	return first;
}

/** The first line of standard input, without its line ending. */
async function readFirstLine(): Promise<string> {
	const lines = createInterface({ input: process.stdin, terminal: false, crlfDelay: Infinity });
	try {
		for await (const line of lines) return line;
		throw new Error('password: standard input is empty');
	} finally {
		lines.close();
		process.stdin.destroy();
	}
}

/**
 * Ask each question on the terminal without echoing what is typed; prompts go to stderr. One
 * interface for all answers keeps the terminal in raw mode (no echo) from the first prompt on.
 */
async function askHidden(prompts: string[]): Promise<string[]> {
	const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
	const rl = createInterface({ input: process.stdin, output: silent, terminal: true });
	const answers: string[] = [];
	const lines = rl[Symbol.asyncIterator]();
	let cancelled = false;
	rl.once('SIGINT', () => {
		cancelled = true;
		rl.close();
	});
	try {
		for (const prompt of prompts) {
			process.stderr.write(prompt);
			const next = await lines.next();
			process.stderr.write('\n');
			if (next.done) throw new Error(`password: ${cancelled ? 'cancelled' : 'no password given'}`);
			answers.push(next.value);
		}
		return answers;
	} finally {
		rl.close();
	}
}

program
	.command('purge')
	.description('delete health details of visits older than the retention period')
	.option('--older-than <days>', 'days to keep (default GRIDCARE_RETENTION_DAYS, 30)', (v) => {
		const n = Number(v);
		if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected whole days');
		return n;
	})
	.action((options: { olderThan?: number }) =>
		withStore(async (store) => {
			const config = loadConfig();
			const days = options.olderThan ?? config.retentionDays;
			const cutoff = retentionCutoff(new Date(), days);
			const visits = await purgeHealthDetails(store, cutoff, config.timeZone);
			console.log(`purged health details of ${visits} visits older than ${days} days`);
		})
	);

program
	.command('seed-demo')
	.description(
		'create the demo community (grids, households, residents, one user per role) on an empty database'
	)
	.option('--seed <n>', 'random seed', (v) => Number.parseInt(v, 10))
	.action((options: { seed?: number }) =>
		withStore(async (store) => {
			const summary = await seedDemo(store, { seed: options.seed });
			if (!summary) console.log('database already has users: nothing seeded');
			else printDemoLogins(summary);
		})
	);

program
	.command('recompute-rollups')
	.description('rebuild every roll-up figure from the base tables, in one transaction')
	.action(() =>
		withStore(async (store) => {
			const started = performance.now();
			// Households stored before care tiers get their due day first (docs/care-tiers.md).
			await workOutDueDays(store, { now: new Date(), timeZone: timeZoneFromEnv() });
			const summary = await store.rollup().recompute();
			const seconds = ((performance.now() - started) / 1000).toFixed(1);
			console.log(
				`recomputed ${summary.figures} figures for ${summary.grids} grids and ${summary.rounds} rounds in ${seconds} s`
			);
		})
	);

program
	.command('import-households')
	.description(
		'import a household roster (.xlsx or .csv) into a community: problems one per line, the ' +
			'JSON summary as the last line (docs/imports.md)'
	)
	.requiredOption('--community <code>', '12-digit community code')
	.requiredOption('--file <path>', 'the roster file (.xlsx or .csv)')
	.option('--sheet <name>', 'the sheet to read (default: the first with a roster header)')
	.option('--dry-run', 'check and count everything, write nothing')
	.option('--create-grids', 'create the grids the file names that do not exist')
	.action(
		(options: {
			community: string;
			file: string;
			sheet?: string;
			dryRun?: boolean;
			createGrids?: boolean;
		}) =>
			withStore(async (store) => {
				await requireCommunity(store, options.community);
				let data: Uint8Array;
				try {
					data = new Uint8Array(await readFile(options.file));
				} catch (error) {
					throw new Error(`file: cannot read ${options.file} (${(error as Error).message})`);
				}
				let parsed;
				try {
					parsed = await readRoster(data, {
						fileName: basename(options.file),
						...(options.sheet === undefined ? {} : { sheet: options.sheet })
					});
				} catch (error) {
					if (error instanceof RosterFileError) throw new Error(`file: ${error.message}`);
					throw error;
				}
				const outcome = await importRoster(
					store,
					SYSTEM,
					{
						communityCode: options.community,
						records: parsed.records,
						problems: parsed.problems,
						createGrids: options.createGrids === true,
						dryRun: options.dryRun === true,
						columns: parsed.columns
					},
					{ now: new Date(), timeZone: timeZoneFromEnv(), rollup: loadConfig().rollup }
				);
				for (const p of outcome.problems)
					console.log(`row ${p.row}: ${p.column}: ${p.message.replace(/\s+/gu, ' ')}`);
				if (!options.dryRun)
					// Rows of residents entered at the server: in the audit trail, made by the operator.
					await store.appendAudit({
						userId: 'cli',
						role: 'operator',
						action: 'roster_imported',
						subjectType: 'community',
						subjectId: options.community,
						communityCode: options.community,
						reason: null,
						deviceId: null,
						details: {
							file: basename(options.file),
							sheet: parsed.sheet,
							...outcome.summary,
							gridsCreated: outcome.gridsCreated
						}
					});
				console.log(JSON.stringify(outcome.summary));
			})
	);

program
	.command('backup')
	.description(
		'write a consistent backup of DATABASE_URL while the server keeps running (SQLite: a ' +
			'database file; PostgreSQL: a pg_dump custom archive)'
	)
	.requiredOption('--out <file>', 'the backup file to write; it must not exist yet')
	.action(async (options: { out: string }) => {
		const url = loadConfig().databaseUrl;
		const done = await backupDatabase(url, options.out);
		const seconds = (done.ms / 1000).toFixed(2);
		console.log(
			`backed up ${maskDatabaseUrl(url)} to ${options.out}: ${formatSize(done.bytes)} in ${seconds} s`
		);
	});

program
	.command('restore')
	.description('restore a backup into DATABASE_URL, which must be empty, then apply migrations')
	.requiredOption('--from <file>', 'a file written by gridcare backup')
	.action(async (options: { from: string }) => {
		const url = loadConfig().databaseUrl;
		const done = await restoreDatabase(url, options.from);
		const seconds = (done.ms / 1000).toFixed(2);
		console.log(
			`restored ${options.from} into ${maskDatabaseUrl(url)} and migrated it in ${seconds} s`
		);
	});

const federation = program
	.command('federation')
	.description('the national federation by logical replication (docs/scaling.md)');
federation
	.command('publish')
	.description("on a province: publish DATABASE_URL's division figures for a national database")
	.action(async () => {
		const url = loadConfig().databaseUrl;
		await withStore(async () => undefined);
		const { provinces } = await publishFigures(url);
		console.log(
			`published the figures of ${maskDatabaseUrl(url)} (provinces ${provinces.join(', ') || 'none yet'})`
		);
	});
federation
	.command('subscribe')
	.description("on the national server: subscribe DATABASE_URL to a province's published figures")
	.requiredOption(
		'--from <url>',
		"the province database's postgres:// URL, as the national PostgreSQL server reaches it"
	)
	.option('--name <name>', 'the subscription and slot name (default: province_<codes>)')
	.action(async (options: { from: string; name?: string }) => {
		const url = loadConfig().databaseUrl;
		await withStore(async () => undefined);
		const done = await subscribeProvince(url, options.from, options.name);
		console.log(
			`subscribed ${maskDatabaseUrl(url)} to provinces ${done.provinces.join(', ')} as ${done.name}`
		);
	});
federation
	.command('status')
	.description("on the national server: each province's subscription and its last report")
	.action(async () => {
		for (const s of await federationStatus(loadConfig().databaseUrl))
			console.log(
				[
					s.name,
					s.enabled ? (s.workerPid ? 'running' : 'starting or stopped by an error') : 'disabled',
					s.sinceReportSeconds === null
						? 'no report yet'
						: `last report ${s.sinceReportSeconds.toFixed(1)} s ago`
				].join('\t')
			);
	});

program.exitOverride();
try {
	await program.parseAsync(process.argv);
} catch (error) {
	const code = (error as { code?: string }).code;
	if (code === 'commander.helpDisplayed' || code === 'commander.version') process.exit(0);
	if (code?.startsWith('commander.')) process.exit(1); // commander already printed the reason
	// Reasons thrown here are plain one-line Errors naming the field; anything else (a database
	// error quotes the statement's values in its message) is summarised without its message.
	// The checks shared with the API (server/people/people.ts) throw ApiErrors naming the field.
	// A port taken after checkPortFree looked, as the server's listen reports it: named as PORT.
	const reason = isListenError(error) ? listenError(error) : error;
	const plain =
		reason instanceof ApiError ||
		(reason instanceof Error && reason.constructor === Error && !reason.cause);
	console.error(`gridcare: ${plain ? reason.message.split('\n')[0] : errorSummary(reason)}`);
	process.exit(1);
}
