// The PouchDB peer: the same visits as documents in a PouchDB database (memory adapter, so the
// client side costs as little as possible), replicated into pouchdb-server (CouchDB-compatible,
// LevelDB storage in a temp dir) running as a child process on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import PouchDB from 'pouchdb-core';
import httpAdapter from 'pouchdb-adapter-http';
import memoryAdapter from 'pouchdb-adapter-memory';
import replication from 'pouchdb-replication';
import { now, progress, waitUntil } from './common';
import type { Ingested, IngestPeer, PushWorkload } from './push';
import { batches, type VisitFields, type VisitMutation } from './visits';

const Pouch = PouchDB.plugin(memoryAdapter).plugin(httpAdapter).plugin(replication);

type VisitDoc = VisitFields & { _id: string; type: 'visit' };

const require = createRequire(import.meta.url);
export const POUCHDB_SERVER_VERSION = (
	require('pouchdb-server/package.json') as { version: string }
).version;
export const POUCHDB_VERSION = (require('pouchdb-core/package.json') as { version: string })
	.version;

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const address = probe.address();
			const port = typeof address === 'object' && address ? address.port : 0;
			probe.close(() => resolve(port));
		});
	});
}

interface PouchServer {
	url: string;
	stop(): Promise<void>;
}

async function startPouchServer(): Promise<PouchServer> {
	const dir = mkdtempSync(join(tmpdir(), 'gridcare-bench-pouchdb-'));
	const port = await freePort();
	const bin = join(dirname(require.resolve('pouchdb-server/package.json')), 'bin/pouchdb-server');
	const args = [
		...['--port', String(port), '--host', '127.0.0.1'],
		...['--dir', dir, '--config', join(dir, 'config.json'), '--no-stdout-logs', '--no-color']
	];
	const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
		cwd: dir,
		stdio: ['ignore', 'ignore', 'pipe']
	});
	let stderr = '';
	child.stderr?.on('data', (chunk: Buffer) => {
		if (stderr.length < 10_000) stderr += chunk.toString();
	});
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	// Never leave the server behind, even when the bench dies half-way.
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	const url = `http://127.0.0.1:${port}`;
	try {
		await waitUntil('pouchdb-server', async () => {
			if (child.exitCode !== null) throw new Error(`pouchdb-server exited: ${stderr}`);
			return (await fetch(`${url}/`)).ok;
		});
	} catch (error) {
		child.kill('SIGKILL');
		throw new Error(`${String(error)} ${stderr}`);
	}
	return {
		url,
		stop: async () => {
			if (child.exitCode === null) child.kill('SIGTERM');
			await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
			if (child.exitCode === null) child.kill('SIGKILL');
			process.off('exit', killOnExit);
			rmSync(dir, { recursive: true, force: true });
		}
	};
}

const toDoc = (m: VisitMutation): VisitDoc => ({ _id: m.rowId, type: 'visit', ...m.fields });

async function localDb(name: string, mutations: VisitMutation[]) {
	const db = new Pouch<VisitDoc>(name, { adapter: 'memory' });
	for (const part of batches(mutations, 1000)) {
		const written = await db.bulkDocs(part.map(toDoc));
		if (written.some((r) => 'error' in r && r.error)) throw new Error(`${name}: bulkDocs failed`);
	}
	return db;
}

/**
 * pouchdb-server with a `visits` database, warmed up by one replication; each ingest() is a
 * replication of a fresh local database holding those visits, timed batch by batch.
 */
export async function openPouchPeer(work: PushWorkload): Promise<IngestPeer> {
	progress('pouchdb: starting pouchdb-server');
	const server = await startPouchServer();
	const remote = `${server.url}/visits`;
	const options = { batch_size: work.batchSize, batches_limit: 10 };
	let round = 0;
	/** Replicate `visits` from a new local database; per-batch and total wall time. */
	const replicate = async (visits: VisitMutation[]): Promise<Ingested> => {
		const local = await localDb(`bench-visits-${round++}`, visits);
		const batchMs: number[] = [];
		const started = now();
		let last = started;
		const replication = local.replicate.to(remote, options);
		void replication.on('change', () => {
			// One change event per written batch.
			const t = now();
			batchMs.push(t - last);
			last = t;
		});
		const result = await replication;
		const wallMs = now() - started;
		await local.destroy();
		if (result.docs_written !== visits.length)
			throw new Error(`pouchdb: wrote ${result.docs_written} of ${visits.length} docs`);
		return { batchMs, wallMs };
	};
	try {
		const created = await fetch(remote, { method: 'PUT' });
		if (!created.ok) throw new Error(`PUT /visits: HTTP ${created.status}`);
		progress(`pouchdb: warm-up replication, ${work.warmup.length} docs`);
		await replicate(work.warmup);
	} catch (error) {
		await server.stop();
		throw error;
	}
	return {
		label: `PouchDB ${POUCHDB_VERSION} → pouchdb-server ${POUCHDB_SERVER_VERSION}`,
		notes: [
			`replicate.to (\`_revs_diff\` + \`_bulk_docs\` per batch) with batch_size ${work.batchSize}, batches_limit 10`,
			"one replication per round from a memory-adapter database holding that round's visits",
			'server: separate process, LevelDB in a temp dir (LevelDB writes are not fsynced)'
		],
		ingest: replicate,
		close: async (expectedDocs) => {
			try {
				const info = (await (await fetch(remote)).json()) as { doc_count: number };
				if (info.doc_count !== work.warmup.length + expectedDocs)
					throw new Error(`pouchdb: server holds ${info.doc_count} docs`);
			} finally {
				await server.stop();
			}
		}
	};
}
