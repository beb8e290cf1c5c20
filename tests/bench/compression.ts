// What on-the-fly compression costs and saves on the API (docs/field-performance.md,
// "Compression"): two real HTTP servers over one database, one with GRIDCARE_COMPRESSION on and
// one with it off, asked the same requests in alternation, every request accepting gzip as a
// browser does. Bytes are counted as they arrive on the socket; the client decodes and parses
// each answer, as the tablet does. CPU is the bench process's (server and client together).
import { request, Agent } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { cpuUsage } from 'node:process';
import { now, progress, round, summarize, type Summary } from './common';
import { DIALECT_LABEL, login, openBenchDb, startBenchServer, type Dialect } from './gridcare';
import { batches, makeHouseholds, makeVisits, seedHouseholds } from './visits';

export interface CompressionOptions {
	households: number;
	visits: number;
	rounds: number;
}

interface Side {
	/** Bytes on the wire (body as sent), per request. */
	bytes: number;
	ms: Summary;
	/** The bench process's CPU (user + system) per request, server and client together. */
	cpuMs: number;
}

export interface CompressionRow {
	name: string;
	requests: number;
	on: Side;
	off: Side;
}

export interface CompressionResult extends CompressionOptions {
	dialect: Dialect;
	rows: CompressionRow[];
}

interface Answer {
	status: number;
	wireBytes: number;
	body: unknown;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One request; the body counted as it came, then decoded and parsed. */
function call(url: string, token: string, method = 'GET', body?: string): Promise<Answer> {
	return new Promise((resolve, reject) => {
		const req = request(
			url,
			{
				method,
				agent,
				headers: {
					authorization: `Bearer ${token}`,
					'accept-encoding': 'gzip, deflate, br',
					...(body ? { 'content-type': 'application/json' } : {})
				}
			},
			(res) => {
				const chunks: Uint8Array[] = [];
				res.on('data', (chunk: Uint8Array) => chunks.push(chunk));
				res.on('error', reject);
				res.on('end', () => {
					const raw = Buffer.concat(chunks);
					const text = (
						res.headers['content-encoding'] === 'gzip' ? gunzipSync(new Uint8Array(raw)) : raw
					).toString('utf8');
					resolve({ status: res.statusCode ?? 0, wireBytes: raw.length, body: JSON.parse(text) });
				});
			}
		);
		req.on('error', reject);
		req.end(body);
	});
}

/** Runs `work` on both servers in alternation, `rounds` times each; per-request figures. */
async function sideBySide(
	name: string,
	rounds: number,
	work: (base: string, i: number) => Promise<{ requests: number; bytes: number }>,
	bases: { on: string; off: string }
): Promise<CompressionRow> {
	const acc = {
		on: { ms: [] as number[], bytes: 0, cpu: 0, requests: 0 },
		off: { ms: [] as number[], bytes: 0, cpu: 0, requests: 0 }
	};
	for (let i = 0; i < rounds; i++) {
		for (const side of i % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
			const cpu0 = cpuUsage();
			const t0 = now();
			const done = await work(bases[side], i);
			const ms = now() - t0;
			const cpu = cpuUsage(cpu0);
			const a = acc[side];
			a.ms.push(ms / done.requests);
			a.bytes += done.bytes;
			a.cpu += (cpu.user + cpu.system) / 1000;
			a.requests += done.requests;
		}
	}
	const side = (a: (typeof acc)['on']): Side => ({
		bytes: round(a.bytes / a.requests),
		ms: summarize(a.ms),
		cpuMs: round(a.cpu / a.requests, 2)
	});
	progress(`compression: ${name} done`);
	return { name, requests: acc.on.requests, on: side(acc.on), off: side(acc.off) };
}

export async function benchCompression(
	dialect: Dialect,
	options: CompressionOptions
): Promise<CompressionResult | null> {
	const db = await openBenchDb(dialect);
	if (!db) return null;
	const on = await startBenchServer(db.store);
	const off = await startBenchServer(db.store, { GRIDCARE_COMPRESSION: 'off' });
	try {
		progress(`compression/${dialect}: seeding ${options.households} households`);
		const households = makeHouseholds(options.households);
		await seedHouseholds(db.store, db.fixture.grids.a1, households);
		const worker = await login(on.baseUrl, 'worker_a1', 'bench-compression');
		const province = await login(on.baseUrl, 'province', 'bench-compression-officer');
		for (const mutations of batches(makeVisits(households, options.visits, 1), 500)) {
			const res = await call(
				`${on.baseUrl}/sync/push`,
				worker,
				'POST',
				JSON.stringify({ deviceId: 'bench-compression', mutations })
			);
			if (res.status !== 200) throw new Error(`seed push: HTTP ${res.status}`);
		}
		const bases = { on: on.baseUrl, off: off.baseUrl };
		const rows: CompressionRow[] = [];

		// A worker's whole scope, in pages of 5,000 changes, as a first download reads it.
		rows.push(
			await sideBySide(
				`first download (${options.households} households, ${options.visits.toLocaleString('en')} visits), pages of 5,000`,
				options.rounds,
				async (base) => {
					let cursor = '';
					let requests = 0;
					let bytes = 0;
					for (;;) {
						const page = await call(
							`${base}/sync/pull?limit=5000${cursor ? `&cursor=${cursor}` : ''}`,
							worker
						);
						const body = page.body as { changes: unknown[]; cursor: string; hasMore?: boolean };
						requests += 1;
						bytes += page.wireBytes;
						cursor = body.cursor;
						if (body.changes.length === 0 || body.hasMore === false) break;
					}
					return { requests, bytes };
				},
				bases
			)
		);

		// Pushes of 500 visits; the answer lists each mutation's result.
		const pushes = batches(makeVisits(households, options.rounds * 2 * 500, 2), 500);
		rows.push(
			await sideBySide(
				'push of 500 visits',
				options.rounds,
				async (base, i) => {
					const mutations = pushes[i * 2 + (base === bases.on ? 0 : 1)];
					const res = await call(
						`${base}/sync/push`,
						worker,
						'POST',
						JSON.stringify({ deviceId: 'bench-compression', mutations })
					);
					if (res.status !== 200) throw new Error(`push: HTTP ${res.status}`);
					return { requests: 1, bytes: res.wireBytes };
				},
				bases
			)
		);

		// A province officer's roll-up reads: the province and a community, with their children.
		rows.push(
			await sideBySide(
				'roll-up read (province 45, then a community), 50 each',
				options.rounds,
				async (base) => {
					let bytes = 0;
					for (let r = 0; r < 50; r++)
						for (const code of ['45', '450102001003']) {
							const res = await call(`${base}/rollup/${code}`, province);
							if (res.status !== 200) throw new Error(`rollup/${code}: HTTP ${res.status}`);
							bytes += res.wireBytes;
						}
					return { requests: 100, bytes };
				},
				bases
			)
		);
		return { dialect, ...options, rows };
	} finally {
		agent.destroy();
		await on.close();
		await off.close();
		await db.dispose();
	}
}

const kb = (bytes: number) => (bytes / 1024).toFixed(bytes < 10_240 ? 1 : 0);

export function renderCompressionMarkdown(
	results: CompressionResult[],
	header: { date: string; command: string; machine: string[] }
): string {
	const lines = [
		'# Compression on the API: what it saves and what it costs',
		'',
		`${header.date} · \`${header.command}\``,
		'',
		'Two real HTTP servers over one database, one with `GRIDCARE_COMPRESSION` on (answers over 1 KB gzipped) and one with it off, asked the same requests in alternation; every request accepts gzip, as a browser does. Bytes are the body as it came over the socket; the client decodes and parses every answer, as the tablet does. Time is per request (median and p95 over the rounds); CPU is the bench process’s (server and client together) per request.',
		''
	];
	for (const result of results) {
		lines.push(
			`## ${DIALECT_LABEL[result.dialect]}`,
			'',
			'| Request | Bytes, gzip / plain (KB) | Saved | Median ms, gzip / plain | p95 ms, gzip / plain | CPU ms, gzip / plain |',
			'| --- | --: | --: | --: | --: | --: |'
		);
		for (const row of result.rows) {
			const saved = 1 - row.on.bytes / row.off.bytes;
			lines.push(
				`| ${row.name} | ${kb(row.on.bytes)} / ${kb(row.off.bytes)} | ${(saved * 100).toFixed(0)} % | ${row.on.ms.median.toFixed(1)} / ${row.off.ms.median.toFixed(1)} | ${row.on.ms.p95.toFixed(1)} / ${row.off.ms.p95.toFixed(1)} | ${row.on.cpuMs.toFixed(1)} / ${row.off.cpuMs.toFixed(1)} |`
			);
		}
		lines.push('');
	}
	lines.push('## Machine', '', ...header.machine.map((m) => `- ${m}`), '');
	return lines.join('\n');
}
