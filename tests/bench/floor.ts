// A reference, not a GridCare configuration: the least a SQLite server could do for a push of
// these visits. For each visit it writes the same three rows GridCare writes (the visit, its
// change-log entry, the applied mutation id) with prepared INSERTs, one transaction per batch
// in WAL mode with synchronous=FULL, after JSON-parsing the batch: no HTTP, validation, scope
// check, merge or roll-up. Its ratio to the PouchDB peer bounds what any server keeping the
// contract's durability and change log could reach on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../../server/store/index';
import { now, progress } from './common';
import type { Ingested, IngestPeer, PushWorkload } from './push';
import { batches, type VisitMutation } from './visits';

export const FLOOR_LABEL = 'SQLite floor (raw INSERTs, reference)';

export async function openFloorPeer(work: PushWorkload): Promise<IngestPeer> {
	progress('floor: preparing database');
	const dir = mkdtempSync(join(tmpdir(), 'gridcare-bench-floor-'));
	const file = join(dir, 'floor.db');
	// GridCare's own schema and indexes, so the rows land in the same tables.
	const store = openStore(`file:${file}`);
	await store.migrate();
	await store.close();
	const db = new Database(file);
	db.pragma('journal_mode = WAL');
	db.pragma('synchronous = FULL');
	const insertVisit = db.prepare(
		`insert into visits (id, household_id, grid_id, worker_id, visited_at, day, outcome, checks,
		 needs, note, abnormal, created_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	);
	const insertChange = db.prepare(
		`insert into change_log (table_name, row_id, op, fields, grid_id, community_code, at)
		 values (?, ?, ?, ?, ?, ?, ?)`
	);
	const insertApplied = db.prepare(
		`insert into applied_mutations (id, device_id, user_id, status, reason, applied_at)
		 values (?, ?, ?, ?, ?, ?)`
	);
	let written = 0;
	const write = (body: string) => {
		const mutations = JSON.parse(body) as VisitMutation[];
		const at = Date.now();
		db.exec('BEGIN IMMEDIATE');
		for (const m of mutations) {
			const f = m.fields;
			const visitedAt = new Date(f.visitedAt);
			const fields = {
				id: m.rowId,
				householdId: f.householdId,
				gridId: 'grid',
				workerId: 'worker',
				visitedAt: visitedAt.toISOString(),
				day: f.visitedAt.slice(0, 10),
				outcome: f.outcome,
				checks: f.checks,
				needs: f.needs,
				note: f.note,
				abnormal: false
			};
			insertVisit.run(
				m.rowId,
				f.householdId,
				fields.gridId,
				fields.workerId,
				visitedAt.getTime(),
				fields.day,
				f.outcome,
				JSON.stringify(f.checks),
				JSON.stringify(f.needs),
				f.note,
				0,
				at
			);
			insertChange.run('visits', m.rowId, 'insert', JSON.stringify(fields), 'grid', '4501', at);
			insertApplied.run(m.id, 'bench-tablet-01', 'worker', 'applied', null, at);
		}
		db.exec('COMMIT');
		written += mutations.length;
	};
	for (const part of batches(work.warmup, work.batchSize)) write(JSON.stringify(part));
	return {
		label: FLOOR_LABEL,
		notes: [
			"in the bench process, no HTTP: JSON.parse of the batch, then per visit three prepared INSERTs (visit, change-log entry, applied mutation id) into GridCare's tables; one transaction per batch, WAL, synchronous=FULL; no validation, scope check, merge or roll-up"
		],
		ingest: async (visits): Promise<Ingested> => {
			// Serialized before the clock starts, as for GridCare.
			const bodies = batches(visits, work.batchSize).map((part) => JSON.stringify(part));
			const batchMs: number[] = [];
			const started = now();
			for (const body of bodies) {
				const t0 = now();
				write(body);
				batchMs.push(now() - t0);
				// Let other peers' sockets and timers run between batches, as an HTTP round trip would.
				await new Promise((resolve) => setImmediate(resolve));
			}
			return { batchMs, wallMs: now() - started };
		},
		close: async (expectedDocs) => {
			db.close();
			rmSync(dir, { recursive: true, force: true });
			if (expectedDocs >= 0 && written !== work.warmup.length + expectedDocs)
				throw new Error(`floor: ${written} visits written`);
		}
	};
}
