// `npx gridcare <command>` (api-contract.md "Command line"). Exit 0 on success; otherwise a
// one-line reason on stderr and exit code 1.
import { Command, InvalidArgumentError } from 'commander';
import { ROLES, type Role } from '../src/lib/shared/enums';
import { communityCodeSchema, divisionCodeSchema } from '../src/lib/shared/schemas';
import { hashPassword } from './auth/password';
import { loadConfig } from './config';
import { importDivisions } from './divisions/import';
import { seedDemo, type DemoSummary } from './seed/demo';
import { startServer } from './serve';
import { openStore } from './store/index';
import type { Store } from './store/types';
import { VERSION } from './version';

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
		const config = loadConfig();
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
		const server = await startServer(store, config);
		console.log(
			`GridCare ${VERSION} serving on http://localhost:${config.port} (${store.dialect})`
		);
		const stop = () => server.close(() => void store.close().then(() => process.exit(0)));
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
			const code = communityCodeSchema.safeParse(options.community);
			if (!code.success) throw new Error(`community: ${code.error.issues[0].message}`);
			const division = await store.getDivision(options.community);
			if (division?.level !== 'community')
				throw new Error(
					`community: no community with code ${options.community} (import its province first)`
				);
			if (!options.name.trim()) throw new Error('name: must not be empty');
			const created = await store.createGrid({
				communityCode: options.community,
				name: options.name.trim()
			});
			console.log(created.id);
		})
	);

const user = program.command('user').description('manage users');
user
	.command('add')
	.description('create a user; prints its id as the last line')
	.requiredOption('--username <u>', 'login name')
	.requiredOption('--role <role>', ROLES.join(' | '), role)
	.requiredOption('--scope <scope>', 'grid id(s), comma-separated, or one division code')
	.requiredOption('--password <p>', 'initial password (at least 8 characters)')
	.option('--display-name <name>', 'name shown in the app')
	.action(
		(options: {
			username: string;
			role: Role;
			scope: string;
			password: string;
			displayName?: string;
		}) =>
			withStore(async (store) => {
				if (options.password.length < 8) throw new Error('password: must be at least 8 characters');
				if (await store.findUserByUsername(options.username))
					throw new Error(`username: "${options.username}" is taken`);
				const scope = await resolveScope(store, options.role, options.scope);
				const created = await store.createUser({
					username: options.username,
					role: options.role,
					scope,
					displayName: options.displayName ?? null,
					passwordHash: await hashPassword(options.password)
				});
				console.log(created.id);
			})
	);

/** Grid workers are scoped to grids; everyone else to one division code that must exist. */
async function resolveScope(store: Store, userRole: Role, raw: string): Promise<string[]> {
	const parts = raw
		.split(',')
		.map((s) => s.trim())
		.filter(Boolean);
	if (parts.length === 0) throw new Error('scope: must not be empty');
	if (userRole === 'grid_worker') {
		for (const id of parts)
			if (!(await store.getGrid(id))) throw new Error(`scope: no grid with id ${id}`);
		return parts;
	}
	if (parts.length !== 1) throw new Error('scope: give one division code');
	const code = divisionCodeSchema.safeParse(parts[0]);
	if (!code.success) throw new Error(`scope: ${code.error.issues[0].message}`);
	if (!(await store.getDivision(parts[0])))
		throw new Error(`scope: no division with code ${parts[0]}`);
	return parts;
}

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
			const summary = await store.supervision().recompute();
			const seconds = ((performance.now() - started) / 1000).toFixed(1);
			console.log(
				`recomputed ${summary.figures} figures for ${summary.grids} grids and ${summary.rounds} rounds in ${seconds} s`
			);
		})
	);

program.exitOverride();
try {
	await program.parseAsync(process.argv);
} catch (error) {
	const code = (error as { code?: string }).code;
	if (code === 'commander.helpDisplayed' || code === 'commander.version') process.exit(0);
	if (code?.startsWith('commander.')) process.exit(1); // commander already printed the reason
	console.error(`gridcare: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
}
