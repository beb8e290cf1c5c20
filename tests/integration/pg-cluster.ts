// A throwaway PostgreSQL cluster for the tests that need what the shared server at 127.0.0.1:5432
// does not allow (logical replication, a streaming replica; docs/scaling.md): `initdb` into a
// temporary folder as the `postgres` system user, started on a free port from 5433 with
// `wal_level=logical`, stopped and removed by `stop()`. Null when the PostgreSQL binaries or
// root (to run them as `postgres`) are missing; in CI (process.env.CI set) that is an error.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chmod, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';

const exec = promisify(execFile);

/** The newest installed PostgreSQL's binaries (Debian's layout), or null. */
async function binDir(): Promise<string | null> {
	const root = '/usr/lib/postgresql';
	if (!existsSync(root)) return null;
	const versions = (await readdir(root)).filter((v) => /^\d+$/.test(v)).sort((a, b) => +b - +a);
	for (const v of versions)
		if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
	return null;
}

async function portFree(port: number): Promise<boolean> {
	const server = createServer();
	return new Promise((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

async function freePortFrom(first: number): Promise<number> {
	for (let port = first; port < first + 200; port++) if (await portFree(port)) return port;
	throw new Error(`no free port from ${first}`);
}

export interface PgCluster {
	readonly port: number;
	readonly dataDir: string;
	/** The URL of database `name` on this cluster (user postgres, trust). */
	url(name?: string): string;
	/** Run SQL on database `name` (default `postgres`). */
	sql(name?: string): postgres.Sql;
	/** A new empty database; returns its URL. */
	createDatabase(name: string): Promise<string>;
	/**
	 * A streaming replica of this cluster (`pg_basebackup -R`), started on its own port as a hot
	 * standby; stopped by its own `stop()`.
	 */
	replica(): Promise<PgCluster>;
	stop(): Promise<void>;
	/** Start it again after `stop()`, on the same port and data (a standby resumes streaming). */
	restart(): Promise<void>;
}

async function asPostgres(file: string, args: string[]): Promise<string> {
	const { stdout } = await exec('runuser', ['-u', 'postgres', '--', file, ...args], {
		maxBuffer: 16 * 1024 * 1024
	});
	return stdout;
}

async function start(
	bin: string,
	dataDir: string,
	port: number,
	parent: string
): Promise<PgCluster> {
	const options = [
		`-p ${port}`,
		'-c wal_level=logical',
		'-c listen_addresses=127.0.0.1',
		`-k ${dataDir}`,
		'-c max_replication_slots=20',
		'-c max_wal_senders=20',
		'-c max_logical_replication_workers=20',
		'-c max_worker_processes=40',
		'-c fsync=off',
		// Commit times, so that a test can time replication from a province's commit.
		'-c track_commit_timestamp=on'
	].join(' ');
	const launch = () =>
		asPostgres(join(bin, 'pg_ctl'), [
			'-D',
			dataDir,
			'-o',
			options,
			'-l',
			join(parent, `log-${port}`),
			'-w',
			'start'
		]);
	await launch();
	const url = (name = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${name}`;
	const open: postgres.Sql[] = [];
	const cluster: PgCluster = {
		port,
		dataDir,
		url,
		sql(name = 'postgres') {
			const client = postgres(url(name), { max: 2, onnotice: () => {} });
			open.push(client);
			return client;
		},
		async createDatabase(name) {
			const admin = postgres(url(), { max: 1, onnotice: () => {} });
			try {
				await admin.unsafe(`create database ${name}`);
			} finally {
				await admin.end({ timeout: 1 });
			}
			return url(name);
		},
		async replica() {
			const replicaDir = join(parent, `replica-${port}`);
			await asPostgres(join(bin, 'pg_basebackup'), [
				'-D',
				replicaDir,
				'-R',
				'--checkpoint=fast',
				'-X',
				'stream',
				'-h',
				'127.0.0.1',
				'-p',
				String(port),
				'-U',
				'postgres'
			]);
			return start(bin, replicaDir, await freePortFrom(port + 1), parent);
		},
		async stop() {
			await Promise.all(open.splice(0).map((c) => c.end({ timeout: 1 })));
			await asPostgres(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', 'stop']).catch(
				() => undefined
			);
		},
		async restart() {
			await launch();
		}
	};
	return cluster;
}

/** Start a throwaway cluster; null (a skip) when it cannot be made here, an error in CI. */
export async function startCluster(): Promise<PgCluster | null> {
	const bin = await binDir();
	const root = typeof process.getuid === 'function' && process.getuid() === 0;
	if (!bin || !root) {
		const why = bin ? 'not running as root (runuser)' : 'no PostgreSQL binaries';
		if (process.env.CI) throw new Error(`a throwaway PostgreSQL cluster is required in CI: ${why}`);
		console.warn(`throwaway PostgreSQL cluster unavailable (${why}): skipping`);
		return null;
	}
	const parent = await mkdtemp(join(tmpdir(), 'gridcare-pg-'));
	await chmod(parent, 0o755);
	const { stdout } = await exec('id', ['-u', 'postgres']);
	const { stdout: gid } = await exec('id', ['-g', 'postgres']);
	await chown(parent, Number(stdout.trim()), Number(gid.trim()));
	const dataDir = join(parent, 'data');
	await asPostgres(join(bin, 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres']);
	// initdb's pg_hba.conf trusts local replication already; said again so it does not depend on it.
	await appendFile(join(dataDir, 'pg_hba.conf'), '\nhost replication all 127.0.0.1/32 trust\n');
	const cluster = await start(bin, dataDir, await freePortFrom(5433), parent);
	const stop = cluster.stop;
	cluster.stop = async () => {
		await stop();
		await rm(parent, { recursive: true, force: true });
	};
	return cluster;
}
