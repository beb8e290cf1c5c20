// Push ingest: batches of visit inserts POSTed to /sync/push of the real HTTP server, one batch
// at a time (one device draining its outbox), timed from request to parsed response. Every
// peer (GridCare on each database, the PouchDB peer) is an IngestPeer, so run.ts can drive them
// in interleaved rounds: load from elsewhere on the machine then hits every peer alike.
import { DIALECT_LABEL, login, openBenchDb, startBenchServer, type Dialect } from './gridcare';
import { now, progress, round, summarize, type Summary } from './common';
import { batches, seedHouseholds, type BenchHousehold, type VisitMutation } from './visits';

export interface IngestResult {
	label: string;
	/** Documents or mutations per batch. */
	batchSize: number;
	warmupDocs: number;
	docs: number;
	/** Per-batch wall time, ms. */
	batchMs: Summary;
	/** Every measured batch's wall time in order, ms (shows drift as the tables grow). */
	batchSeriesMs: number[];
	/** batchSize / median batch time. */
	medianBatchPerSec: number;
	/** docs / total wall time of the measured rounds. */
	overallPerSec: number;
	totalMs: number;
	notes: string[];
}

export interface PushWorkload {
	households: BenchHousehold[];
	warmup: VisitMutation[];
	measured: VisitMutation[];
	batchSize: number;
}

export interface Ingested {
	/** Wall time of each batch, ms. */
	batchMs: number[];
	/** Wall time of the whole call, ms. */
	wallMs: number;
}

/** Something that ingests visits batch by batch: a GridCare server or the PouchDB peer. */
export interface IngestPeer {
	label: string;
	notes: string[];
	/** Send these visits (already warmed up); resolves when all are acknowledged. */
	ingest(visits: VisitMutation[]): Promise<Ingested>;
	/** Check that everything sent arrived, and stop. */
	close(expectedDocs: number): Promise<void>;
}

export function ingestResult(peer: IngestPeer, work: PushWorkload, runs: Ingested[]): IngestResult {
	const times = runs.flatMap((r) => r.batchMs);
	const totalMs = runs.reduce((sum, r) => sum + r.wallMs, 0);
	const batchMs = summarize(times);
	return {
		label: peer.label,
		batchSize: work.batchSize,
		warmupDocs: work.warmup.length,
		docs: work.measured.length,
		batchMs,
		batchSeriesMs: times.map((t) => round(t, 1)),
		medianBatchPerSec: round((work.batchSize / batchMs.median) * 1000),
		overallPerSec: round((work.measured.length / totalMs) * 1000),
		totalMs: round(totalMs),
		notes: peer.notes
	};
}

interface PushResponse {
	results: { id: string; status: string; reason?: string }[];
}

/** A GridCare server on a fresh database, seeded and warmed up; null without PostgreSQL. */
export async function openGridCarePeer(
	dialect: Dialect,
	work: PushWorkload
): Promise<IngestPeer | null> {
	progress(`push/${dialect}: preparing database`);
	const db = await openBenchDb(dialect);
	if (!db) {
		progress(`push/${dialect}: PostgreSQL not reachable, skipped`);
		return null;
	}
	const server = await startBenchServer(db.store);
	const dispose = async () => {
		await server.close();
		await db.dispose();
	};
	try {
		await seedHouseholds(db.store, db.fixture.grids.a1, work.households);
		const deviceId = 'bench-tablet-01';
		const token = await login(server.baseUrl, 'worker_a1', deviceId);
		let applied = 0;
		// Bodies are serialized before the clock starts: timing covers the HTTP exchange and the
		// server.
		const bodies = (visits: VisitMutation[]) =>
			batches(visits, work.batchSize).map((mutations) => ({
				count: mutations.length,
				body: JSON.stringify({ deviceId, mutations })
			}));
		const post = async (body: string, expected: number) => {
			const res = await fetch(`${server.baseUrl}/sync/push`, {
				method: 'POST',
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
				body
			});
			if (res.status !== 200) throw new Error(`push: HTTP ${res.status} ${await res.text()}`);
			const { results } = (await res.json()) as PushResponse;
			const bad = results.find((r) => r.status !== 'applied');
			if (results.length !== expected || bad)
				throw new Error(`push: expected ${expected} applied, got ${JSON.stringify(bad)}`);
			applied += expected;
		};
		progress(`push/${dialect}: warm-up, ${work.warmup.length} visits`);
		for (const { body, count } of bodies(work.warmup)) await post(body, count);
		return {
			label: `GridCare ${DIALECT_LABEL[dialect]}`,
			notes: [
				'POST /sync/push through the real HTTP server, one batch at a time',
				dialect === 'sqlite'
					? 'temp file, WAL, synchronous=FULL (one fsync per batch commit)'
					: 'fresh database on 127.0.0.1:5432, default server settings'
			],
			ingest: async (visits) => {
				const prepared = bodies(visits);
				const batchMs: number[] = [];
				const started = now();
				for (const { body, count } of prepared) {
					const t0 = now();
					await post(body, count);
					batchMs.push(now() - t0);
				}
				return { batchMs, wallMs: now() - started };
			},
			close: async (expectedDocs) => {
				await dispose();
				if (applied !== work.warmup.length + expectedDocs)
					throw new Error(`push/${dialect}: ${applied} visits applied`);
			}
		};
	} catch (error) {
		await dispose();
		throw error;
	}
}
