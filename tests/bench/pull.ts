// Pull cost against the size of the change log: fill change_log with realistic visit changes
// spread over ~1,000 grids (the caller's grid gets 1 %), then time a pull after a recent cursor
// that returns the caller's last 50 changes, at each log size.
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { now, progress, round, summarize, type Summary } from './common';
import {
	DIALECT_LABEL,
	login,
	openBenchDb,
	startBenchServer,
	type BenchDb,
	type Dialect
} from './gridcare';

/** Filler grids besides the caller's; every 100th change belongs to the caller's grid. */
const FILLER_GRIDS = 997;
export const CALLER_EVERY = 100;
/** Rows per INSERT … SELECT statement (one transaction each), for progress output. */
const FILL_CHUNK = 250_000;
const NOTE = '一切正常，提醒近期注意防暑降温。';
/** visitedAt of change i is BASE_EPOCH + 3 i seconds. */
const BASE_EPOCH = Date.parse('2026-01-01T00:00:00Z') / 1000;

export interface PullPoint {
	logRows: number;
	callerRows: number;
	fillMs: number;
	/** The device's download of everything before the tail (pages of 5,000), ms. */
	catchUpMs: number;
	changesReturned: number;
	/** End to end: GET /sync/pull through the HTTP server, response parsed. */
	httpMs: Summary;
	/** The store query alone (store.pullChanges), same filter. */
	storeMs: Summary;
}

export interface PullResult {
	label: string;
	dialect: Dialect;
	points: PullPoint[];
	/** median(largest log) / median(smallest log), HTTP and store. */
	httpRatio: number;
	storeRatio: number;
}

interface Filler {
	fill(from: number, to: number): Promise<void>;
	cursorSeq(gridId: string, changes: number): Promise<number>;
	close(): Promise<void>;
}

const SQLITE_FILL = `
WITH RECURSIVE s(i) AS (
	SELECT CAST(@from AS INTEGER) UNION ALL SELECT i + 1 FROM s WHERE i < CAST(@to AS INTEGER)
)
INSERT INTO change_log (table_name, row_id, op, fields, grid_id, community_code, at)
SELECT 'visits', u, 'insert',
	json_object(
		'id', u, 'householdId', h, 'gridId', g, 'workerId', @worker,
		'visitedAt', strftime('%Y-%m-%dT%H:%M:%fZ', @base + i * 3, 'unixepoch'),
		'day', strftime('%Y-%m-%d', @base + i * 3 + 28800, 'unixepoch'),
		'outcome', 'visited',
		'checks', json_array(json_object('residentId', r, 'temperature', round(36.0 + (i % 20) / 10.0, 1))),
		'needs', json_array(), 'note', @note,
		'abnormal', json(CASE WHEN i % 20 >= 13 THEN 'true' ELSE 'false' END)
	),
	g, c, @at
FROM (
	SELECT i,
		printf('%08x-%04x-4%03x-%04x-%012x', i, (i * 7919) % 65536, (i * 31) % 4096,
			32768 + i % 16384, (i * 2654435761) % 281474976710656) AS u,
		printf('%08x-0000-4000-8000-%012x', 1879048192 + i % 50000, i % 50000) AS h,
		printf('%08x-0001-4000-8000-%012x', 1879048192 + i % 50000, i % 50000) AS r,
		CASE WHEN i % ${CALLER_EVERY} = 0 THEN @grid
			ELSE printf('f0000000-0000-4000-8000-%012d', i % ${FILLER_GRIDS}) END AS g,
		CASE WHEN i % ${CALLER_EVERY} = 0 THEN @community
			ELSE printf('450199%06d', i % ${FILLER_GRIDS} % 100) END AS c
	FROM s
)`;

const SQLITE_GRIDS = `
WITH RECURSIVE s(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM s WHERE k < ${FILLER_GRIDS - 1})
INSERT INTO grids (id, community_code, name, boundary, created_at)
SELECT printf('f0000000-0000-4000-8000-%012d', k), printf('450199%06d', k % 100), '网格' || k, NULL, @at
FROM s`;

const PG_HEX_UUID = `lpad(to_hex(i), 8, '0') || '-' || lpad(to_hex((i * 7919) % 65536), 4, '0')
	|| '-4' || lpad(to_hex((i * 31) % 4096), 3, '0') || '-' || to_hex(32768 + i % 16384)
	|| '-' || lpad(to_hex((i * 2654435761) % 281474976710656), 12, '0')`;

// $1 from, $2 to, $3 caller grid, $4 caller community, $5 worker id, $6 base epoch, $7 note
const PG_FILL = `
INSERT INTO change_log (table_name, row_id, op, fields, grid_id, community_code, at)
SELECT 'visits', u, 'insert',
	jsonb_build_object(
		'id', u, 'householdId', h, 'gridId', g, 'workerId', $5::text,
		'visitedAt', to_char(to_timestamp($6::bigint + i * 3) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
		'day', to_char(to_timestamp($6::bigint + i * 3 + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD'),
		'outcome', 'visited',
		'checks', jsonb_build_array(jsonb_build_object('residentId', r, 'temperature', round(36.0 + (i % 20) / 10.0, 1))),
		'needs', '[]'::jsonb, 'note', $7::text,
		'abnormal', i % 20 >= 13
	),
	g, c, now()
FROM (
	SELECT i,
		${PG_HEX_UUID} AS u,
		to_hex(1879048192 + i % 50000) || '-0000-4000-8000-' || lpad(to_hex(i % 50000), 12, '0') AS h,
		to_hex(1879048192 + i % 50000) || '-0001-4000-8000-' || lpad(to_hex(i % 50000), 12, '0') AS r,
		CASE WHEN i % ${CALLER_EVERY} = 0 THEN $3::text
			ELSE 'f0000000-0000-4000-8000-' || lpad((i % ${FILLER_GRIDS})::text, 12, '0') END AS g,
		CASE WHEN i % ${CALLER_EVERY} = 0 THEN $4::text
			ELSE '450199' || lpad((i % ${FILLER_GRIDS} % 100)::text, 6, '0') END AS c
	FROM generate_series($1::bigint, $2::bigint) AS i
) s`;

const PG_GRIDS = `
INSERT INTO grids (id, community_code, name, boundary, created_at)
SELECT 'f0000000-0000-4000-8000-' || lpad(k::text, 12, '0'), '450199' || lpad((k % 100)::text, 6, '0'),
	'网格' || k, NULL, now()
FROM generate_series(0, ${FILLER_GRIDS - 1}) AS k`;

async function openFiller(db: BenchDb): Promise<Filler> {
	const grid = db.fixture.grids.a1;
	const community = '450102001003';
	const worker = db.fixture.users.worker_a1.id;
	if (db.dialect === 'sqlite') {
		// A second connection on the same file; the server's connection sees the rows (WAL).
		const conn = new Database(db.file!);
		conn.pragma('busy_timeout = 5000');
		conn.prepare(SQLITE_GRIDS).run({ at: Date.now() });
		const fill = conn.prepare(SQLITE_FILL);
		return {
			fill: async (from, to) => {
				conn.transaction(() =>
					fill.run({
						from,
						to,
						grid,
						community,
						worker,
						base: BASE_EPOCH,
						note: NOTE,
						at: Date.now()
					})
				)();
				conn.pragma('wal_checkpoint(TRUNCATE)');
			},
			cursorSeq: async (gridId, changes) =>
				(
					conn
						.prepare(
							'SELECT seq FROM change_log WHERE grid_id = ? ORDER BY seq DESC LIMIT 1 OFFSET ?'
						)
						.get(gridId, changes) as { seq: number }
				).seq,
			close: async () => {
				conn.close();
			}
		};
	}
	const sql = postgres(db.url, { max: 1, onnotice: () => {} });
	await sql.unsafe(PG_GRIDS);
	return {
		fill: async (from, to) => {
			await sql.unsafe(PG_FILL, [from, to, grid, community, worker, BASE_EPOCH, NOTE]);
			// What autovacuum's analyze does on its own shortly after a bulk load.
			await sql.unsafe('ANALYZE change_log');
		},
		cursorSeq: async (gridId, changes) => {
			const [row] = await sql.unsafe<{ seq: string }[]>(
				'SELECT seq FROM change_log WHERE grid_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2',
				[gridId, changes]
			);
			return Number(row.seq);
		},
		close: () => sql.end({ timeout: 5 })
	};
}

interface PullPage {
	changes: unknown[];
	cursor: string;
	hasMore: boolean;
}

export interface PullOptions {
	sizes: number[];
	changes: number;
	requests: number;
	warmup: number;
}

/** One database filled to one log size, with a device that synced before the last changes. */
interface Prepared {
	logRows: number;
	fillMs: number;
	catchUpMs: number;
	http(): Promise<void>;
	store(): Promise<void>;
	dispose(): Promise<void>;
}

async function prepare(
	dialect: Dialect,
	size: number,
	options: PullOptions
): Promise<Prepared | null> {
	const db = await openBenchDb(dialect);
	if (!db) return null;
	const server = await startBenchServer(db.store);
	const filler = await openFiller(db);
	const dispose = async () => {
		await filler.close();
		await server.close();
		await db.dispose();
	};
	try {
		const token = await login(server.baseUrl, 'worker_a1', 'bench-tablet-pull');
		const headers = { authorization: `Bearer ${token}` };
		const gridId = db.fixture.grids.a1;
		/** GET /sync/pull as the device does. */
		const pullPage = async (cursor: string | undefined, limit: number) => {
			const query = new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) });
			const res = await fetch(`${server.baseUrl}/sync/pull?${query}`, { headers });
			if (res.status !== 200) throw new Error(`pull: HTTP ${res.status} ${await res.text()}`);
			return (await res.json()) as PullPage;
		};
		let rows = 0;
		const fillTo = async (target: number): Promise<number> => {
			const t0 = now();
			while (rows < target) {
				const to = Math.min(target, rows + FILL_CHUNK);
				await filler.fill(rows + 1, to);
				rows = to;
				progress(`pull/${dialect}: change log filled to ${rows.toLocaleString('en')} rows`);
			}
			await server.dropIdleConnections();
			return now() - t0;
		};
		// The device syncs everything but the last `tail` rows (pages of 5,000) and keeps the
		// server's cursor; then the tail arrives, options.changes of it in the caller's grid.
		const tail = options.changes * CALLER_EVERY;
		let fillMs = await fillTo(size - tail);
		const syncStart = now();
		let cursor: string | undefined;
		for (let page = await pullPage(cursor, 5000); ; page = await pullPage(cursor, 5000)) {
			cursor = page.cursor;
			if (!page.hasMore) break;
		}
		const catchUpMs = now() - syncStart;
		fillMs += await fillTo(size);
		const recent = cursor;
		const after = await filler.cursorSeq(gridId, options.changes);
		return {
			logRows: rows,
			fillMs,
			catchUpMs,
			http: async () => {
				const page = await pullPage(recent, 1000);
				if (page.changes.length !== options.changes || page.hasMore)
					throw new Error(`pull: expected ${options.changes} changes, got ${page.changes.length}`);
			},
			store: async () => {
				const found = await db.store.pullChanges({ gridIds: [gridId], after, limit: 1001 });
				if (found.length !== options.changes)
					throw new Error(`pullChanges: expected ${options.changes}, got ${found.length}`);
			},
			dispose
		};
	} catch (error) {
		await dispose();
		throw error;
	}
}

/** Time `fn` of every prepared size, interleaved (round-robin, rotating order), so load from
 * elsewhere on the machine hits every size alike. */
async function interleaved(
	prepared: Prepared[],
	fn: (p: Prepared) => Promise<void>,
	options: PullOptions
): Promise<Summary[]> {
	for (let i = 0; i < options.warmup; i++) for (const p of prepared) await fn(p);
	const times = prepared.map((): number[] => []);
	for (let i = 0; i < options.requests; i++)
		for (let k = 0; k < prepared.length; k++) {
			const j = (i + k) % prepared.length;
			const t0 = now();
			await fn(prepared[j]);
			times[j].push(now() - t0);
		}
	return times.map(summarize);
}

export async function benchPull(
	dialect: Dialect,
	options: PullOptions
): Promise<PullResult | null> {
	const prepared: Prepared[] = [];
	try {
		for (const size of options.sizes) {
			progress(`pull/${dialect}: preparing a database with ${size.toLocaleString('en')} changes`);
			const p = await prepare(dialect, size, options);
			if (!p) {
				progress(`pull/${dialect}: PostgreSQL not reachable, skipped`);
				return null;
			}
			prepared.push(p);
		}
		progress(`pull/${dialect}: ${options.requests} pulls per size, interleaved`);
		const http = await interleaved(prepared, (p) => p.http(), options);
		const store = await interleaved(prepared, (p) => p.store(), options);
		const points = prepared.map((p, i): PullPoint => ({
			logRows: p.logRows,
			callerRows: Math.floor(p.logRows / CALLER_EVERY),
			fillMs: round(p.fillMs),
			catchUpMs: round(p.catchUpMs),
			changesReturned: options.changes,
			httpMs: http[i],
			storeMs: store[i]
		}));
		for (const p of points)
			progress(
				`pull/${dialect}: ${p.logRows.toLocaleString('en')} rows: HTTP median ${round(p.httpMs.median, 2)} ms, p95 ${round(p.httpMs.p95, 2)} ms; store median ${round(p.storeMs.median, 3)} ms`
			);
		const first = points[0];
		const last = points[points.length - 1];
		return {
			label: `GridCare ${DIALECT_LABEL[dialect]}`,
			dialect,
			points,
			httpRatio: round(last.httpMs.median / first.httpMs.median, 2),
			storeRatio: round(last.storeMs.median / first.storeMs.median, 2)
		};
	} finally {
		for (const p of prepared) await p.dispose();
	}
}
