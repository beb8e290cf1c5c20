// The invariants of a chaos run (docs/chaos.md), checked once the network has healed: every
// change a device recorded was applied exactly once or refused with a reason its worker sees on
// /worker/outbox; nothing was applied twice; every device holds what the server holds for its
// scope; the roll-up kept while the run went equals a recompute; the SQLite file is sound.
import { isDeepStrictEqual } from 'node:util';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { openStore } from '../../server/store/index';
import type { Mutation } from '$lib/shared/schemas';
import { compareKeys, type EditKey } from '../../server/sync/merge';
import type { Device, Recorded } from './device';

export interface Checks {
	/** Changes the devices recorded. */
	recorded: number;
	/** Recorded changes the server applied exactly once (directly or folded into a later one). */
	applied: number;
	/** Recorded changes the server refused, shown with their reason on the device's outbox page. */
	rejected: number;
	/** Recorded changes neither applied nor refused-and-shown, with what was found. */
	lost: string[];
	/** Changes applied more than once, or records the server holds twice. */
	doubled: string[];
	/** Device rows that differ from the server's rows of its scope. */
	divergent: string[];
	/** Anything else out of order (a change refused that should have applied, an unknown id…). */
	violations: string[];
	/** Recorded updates that never left the device because a later edit absorbed them. */
	folded: number;
	/** Mutation sends in all (resends after lost answers included), and distinct ids sent. */
	sends: number;
	sentIds: number;
	/** Roll-up figures that differ from a recompute (empty: equal). */
	rollupDiff: string[];
	rollupFigures: number;
	/** SQLite's `PRAGMA integrity_check` ("ok"), or "n/a" on PostgreSQL. */
	integrity: string;
}

export interface CheckInput {
	devices: Device[];
	serverUrl: string;
	databaseUrl: string;
	seeders: { grid: string; token: string }[];
	stopServer: () => Promise<void>;
	recompute: () => Promise<void>;
}

type Row = Record<string, unknown>;

/** Every row the server holds in a scope, folded from /sync/pull, with its version. */
async function scopeRows(serverUrl: string, token: string): Promise<Map<string, Map<string, Row>>> {
	const tables = new Map<string, Map<string, Row>>();
	let cursor: string | null = null;
	for (;;) {
		const query: string = cursor
			? `?cursor=${encodeURIComponent(cursor)}&limit=5000`
			: '?limit=5000';
		const response = await fetch(`${serverUrl}/api/v1/sync/pull${query}`, {
			headers: { Authorization: `Bearer ${token}` }
		});
		if (!response.ok) throw new Error(`reference pull: ${response.status}`);
		const page = (await response.json()) as {
			changes: { table: string; op: string; rowId: string; fields: Row; version: number }[];
			cursor: string;
			hasMore: boolean;
		};
		for (const change of page.changes) {
			let rows = tables.get(change.table);
			if (!rows) tables.set(change.table, (rows = new Map()));
			if (change.op === 'delete') rows.delete(change.rowId);
			else {
				const before = rows.get(change.rowId);
				rows.set(change.rowId, {
					...before,
					...change.fields,
					version: Math.max(Number(before?.version ?? 0), change.version)
				});
			}
		}
		cursor = page.cursor;
		if (!page.hasMore) return tables;
	}
}

/** Read-only queries of the server's database after it stopped. */
async function readServer(url: string) {
	const run = async (text: string): Promise<Row[]> => {
		if (url.startsWith('file:')) {
			const db = new Database(url.slice('file:'.length), { readonly: true });
			try {
				return db.prepare(text).all() as Row[];
			} finally {
				db.close();
			}
		}
		const sql = postgres(url, { max: 1, onnotice: () => {} });
		try {
			return (await sql.unsafe(text)) as unknown as Row[];
		} finally {
			await sql.end({ timeout: 1 });
		}
	};
	const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value) as Row;
	const applied = new Map<string, { status: string; reason: string | null; device: string }>();
	for (const r of await run('select id, status, reason, device_id from applied_mutations'))
		applied.set(String(r.id), {
			status: String(r.status),
			reason: r.reason === null ? null : String(r.reason),
			device: String(r.device_id)
		});
	const inserts = new Map<string, number>();
	/** Records inserted, by the marker their first fields carry. */
	const markers = new Map<string, Set<string>>();
	for (const r of await run(
		"select table_name, row_id, fields from change_log where op = 'insert'"
	)) {
		const key = `${String(r.table_name)}:${String(r.row_id)}`;
		inserts.set(key, (inserts.get(key) ?? 0) + 1);
		const fields = json(r.fields);
		const text = [fields.address, fields.note, fields.description].find(
			(v): v is string => typeof v === 'string' && /c\d+-d\d+-o\d+/.test(v)
		);
		const marker = text?.match(/c\d+-d\d+-o\d+/)?.[0];
		if (marker) {
			const rows = markers.get(marker) ?? new Set<string>();
			rows.add(key);
			markers.set(marker, rows);
		}
	}
	const history = new Map<string, number>();
	for (const r of await run('select mutation_id, field from field_history')) {
		const key = `${String(r.mutation_id)}.${String(r.field)}`;
		history.set(key, (history.get(key) ?? 0) + 1);
	}
	const integrity = url.startsWith('file:')
		? String((await run('pragma integrity_check'))[0]?.integrity_check)
		: 'n/a';
	return { applied, inserts, markers, history, integrity };
}

/** The sent mutation a recorded one went out as: itself, or the entry a fold merged it into. */
function sentAs(recorded: Recorded, sent: Map<string, { mutation: Mutation }>): Mutation | null {
	const own = sent.get(recorded.mutation.id);
	if (own) return own.mutation;
	const m = recorded.mutation;
	if (m.op !== 'update') return null;
	const keys = Object.keys(m.fields);
	const sameRow = [...sent.values()]
		.map((s) => s.mutation)
		.filter((s) => s.table === m.table && s.rowId === m.rowId && keys.every((k) => k in s.fields));
	// A fold takes the later edit's id; a row's unsent insert absorbs the edits after it.
	const later = sameRow
		.filter((s) => s.op === 'update' && s.id > m.id)
		.sort((a, b) => (a.id < b.id ? -1 : 1))[0];
	return later ?? sameRow.find((s) => s.op === 'insert') ?? null;
}

export async function checkRun(input: CheckInput): Promise<Checks> {
	const checks: Checks = {
		recorded: 0,
		applied: 0,
		rejected: 0,
		lost: [],
		doubled: [],
		divergent: [],
		violations: [],
		folded: 0,
		sends: 0,
		sentIds: 0,
		rollupDiff: [],
		rollupFigures: 0,
		integrity: 'n/a'
	};

	// Convergence: every device's rows against the server's rows of its scope.
	const reference = new Map<string, Map<string, Map<string, Row>>>();
	for (const { grid, token } of input.seeders)
		reference.set(grid, await scopeRows(input.serverUrl, token));
	const views = new Map<Device, Awaited<ReturnType<Device['outbox']>>>();
	for (const device of input.devices) {
		const view = await device.outbox();
		views.set(device, view);
		if (view.pending.length)
			checks.lost.push(`${device.name}: ${view.pending.length} changes still waiting to be sent`);
		const refusedRows = new Set(view.rejected.map((item) => item.entry.rowId));
		const server = reference.get(device.options.grid)!;
		const mine = await device.rows();
		for (const [table, rows] of mine) {
			const theirs = server.get(table) ?? new Map<string, Row>();
			for (const [id, expected] of theirs) {
				const row = rows.get(id) as Row | undefined;
				if (!row) {
					checks.divergent.push(`${device.name}: ${table} ${id} missing`);
					continue;
				}
				const differing = Object.keys(expected).filter(
					(field) => !isDeepStrictEqual(row[field], expected[field])
				);
				if (differing.length)
					checks.divergent.push(
						`${device.name}: ${table} ${id} ${differing
							.map((f) => `${f}=${JSON.stringify(row[f])} (server ${JSON.stringify(expected[f])})`)
							.join(', ')}`
					);
				if (row.hasLocalEdits !== undefined || row.serverValues !== undefined)
					checks.divergent.push(`${device.name}: ${table} ${id} still marked as edited locally`);
			}
			for (const id of rows.keys())
				if (!theirs.has(id) && !refusedRows.has(id))
					checks.divergent.push(`${device.name}: ${table} ${id} not on the server`);
		}
	}

	await input.stopServer();
	const server = await readServer(input.databaseUrl);
	checks.integrity = server.integrity;

	// Every recorded change: applied once, or refused and shown with the server's reason.
	const known = new Set<string>();
	for (const device of input.devices) {
		const refused = new Map(
			views.get(device)!.rejected.map((item) => [item.entry.mutation.id, item.entry.reason ?? ''])
		);
		for (const { times } of device.sent.values()) checks.sends += times;
		checks.sentIds += device.sent.size;
		for (const id of device.sent.keys()) known.add(id);
		const perOp = new Map<number, number>();
		for (const r of device.recorded) perOp.set(r.op, (perOp.get(r.op) ?? 0) + 1);
		for (const [op, count] of perOp)
			if (count !== 1)
				checks.doubled.push(`${device.name} operation ${op} queued ${count} changes, not one`);
		for (const stray of device.stray)
			checks.violations.push(`${device.name}: outbox entry ${stray.id} made by no operation`);
		for (const r of device.recorded) {
			checks.recorded += 1;
			const label = `${device.name} op ${r.op} (${r.kind} ${r.mutation.table} ${r.mutation.op} ${r.mutation.id})`;
			const sent = sentAs(r, device.sent);
			if (!sent) {
				checks.lost.push(`${label}: never sent`);
				continue;
			}
			if (sent.id !== r.mutation.id) checks.folded += 1;
			const outcome = server.applied.get(sent.id);
			const shown = refused.get(sent.id);
			if (outcome?.status === 'applied' && shown === undefined) {
				checks.applied += 1;
				if (r.expect !== 'applied') checks.violations.push(`${label}: applied, expected refused`);
				if (sent.op === 'insert') {
					const times = server.inserts.get(`${sent.table}:${sent.rowId}`) ?? 0;
					if (times !== 1) checks.doubled.push(`${label}: inserted ${times} times`);
				} else
					for (const field of Object.keys(sent.fields)) {
						const times = server.history.get(`${sent.id}.${field}`) ?? 0;
						if (times > 1) checks.doubled.push(`${label}: ${field} applied ${times} times`);
						if (times === 0) checks.lost.push(`${label}: applied, but ${field} has no history`);
					}
			} else if (
				shown &&
				// Refused before it was processed (the shape or range of a field) leaves no record;
				// refused while processing is recorded with the reason the device was given.
				(outcome === undefined
					? sent.op === 'insert'
						? !server.inserts.has(`${sent.table}:${sent.rowId}`)
						: Object.keys(sent.fields).every((f) => !server.history.has(`${sent.id}.${f}`))
					: outcome.status === 'rejected' && shown === outcome.reason)
			) {
				checks.rejected += 1;
				if (r.expect !== 'rejected')
					checks.violations.push(`${label}: refused (${shown}), expected applied`);
			} else
				checks.lost.push(
					`${label}: server ${outcome ? `${outcome.status} ${outcome.reason ?? ''}`.trim() : 'has no record'}, device ${shown === undefined ? 'shows no refusal' : `shows refusal "${shown}"`}`
				);
		}
	}
	for (const [id, outcome] of server.applied)
		if (outcome.device.startsWith('tablet-') && !known.has(id))
			checks.violations.push(
				`${outcome.device}: the server holds ${id}, which the device never sent`
			);
	// Concurrent edits of a field: the server holds the value of the applied edit with the
	// greatest (baseVersion, mutation id), whatever order the copies arrived in (server/sync/merge.ts).
	const winners = new Map<string, { key: EditKey; value: unknown; grid: string }>();
	for (const device of input.devices)
		for (const { mutation } of device.sent.values()) {
			if (mutation.op !== 'update' || server.applied.get(mutation.id)?.status !== 'applied')
				continue;
			const key: EditKey = [mutation.baseVersion ?? -1, mutation.id];
			for (const [field, value] of Object.entries(mutation.fields)) {
				const at = `${mutation.table}:${mutation.rowId}.${field}`;
				const best = winners.get(at);
				if (!best || compareKeys(key, best.key) > 0)
					winners.set(at, { key, value, grid: device.options.grid });
			}
		}
	for (const [at, best] of winners) {
		const [row, field] = at.split('.');
		const [table, id] = row.split(':');
		const held = reference.get(best.grid)?.get(table)?.get(id)?.[field];
		if (!isDeepStrictEqual(held, best.value))
			checks.violations.push(
				`${at}: the server holds ${JSON.stringify(held)}, the merge rule gives ${JSON.stringify(best.value)} (edit ${best.key[1]} on version ${best.key[0]})`
			);
	}
	for (const [key, times] of server.inserts)
		if (times > 1) checks.doubled.push(`${key}: ${times} inserts in the change log`);
	for (const [marker, rows] of server.markers)
		if (rows.size > 1)
			checks.doubled.push(`${marker}: recorded once, stored as ${[...rows].join(', ')}`);

	// The roll-up kept during the run equals `gridcare recompute-rollups`.
	const figures = async () => {
		const store = openStore(input.databaseUrl);
		try {
			return await store.rollup().allFigures();
		} finally {
			await store.close();
		}
	};
	const kept = await figures();
	await input.recompute();
	const rebuilt = await figures();
	checks.rollupFigures = kept.length;
	const key = (f: { nodeCode: string; period: string; metric: string }) =>
		`${f.nodeCode} ${f.period} ${f.metric}`;
	const keptBy = new Map(kept.map((f) => [key(f), f.value]));
	const rebuiltBy = new Map(rebuilt.map((f) => [key(f), f.value]));
	for (const k of new Set([...keptBy.keys(), ...rebuiltBy.keys()]))
		if (keptBy.get(k) !== rebuiltBy.get(k))
			checks.rollupDiff.push(
				`${k}: kept ${keptBy.get(k) ?? 0}, recomputed ${rebuiltBy.get(k) ?? 0}`
			);
	if (input.databaseUrl.startsWith('file:'))
		checks.integrity = (await readServer(input.databaseUrl)).integrity;
	return checks;
}
