// The chaos harness (docs/chaos.md): many simulated devices running the app's real sync engine
// against the real server, in a child process, through a fault-injecting proxy; the server is
// killed with SIGKILL and started again at moments the seed picks. When the operations are done
// the network heals, every device delivers what it holds, and the history each device recorded
// is checked against what the server stored (check.ts).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { newToken, tokenHash } from '../../server/auth/tokens';
import { openStore } from '../../server/store/index';
import type { DivisionRow } from '../../server/store/types';
import { withPostgres } from '../integration/pg';
import { checkRun, type Checks } from './check';
import { Device, planOps, type PlanOptions } from './device';
import { FaultProxy, type FaultEvent } from './proxy';
import { between, sleep, stream } from './random';
import { freePort, ServerProcess } from './server-process';

export type ChaosDatabase = 'sqlite' | 'postgres';

export interface ChaosOptions {
	seed: number;
	devices: number;
	/** Operations per device (each records one mutation). */
	mutations: number;
	db: ChaosDatabase;
	/** Share of requests given a fault. */
	faultRate: number;
	/** SIGKILLs of the server during the run. */
	kills: number;
	/** Devices per grid: they edit the same households' fields. */
	devicesPerGrid: number;
	/** Households every grid starts with: the ones its devices edit concurrently. */
	sharedHouseholds: number;
	paceMs: number;
	offlineRate: number;
	reloadRate: number;
	/** The devices' request timeout (a `timeout` fault holds a request past it). */
	clientTimeoutMs: number;
	batchSize: number;
	/** Progress lines (stderr in the CLI). */
	log?: (line: string) => void;
}

export const DEFAULTS: Omit<ChaosOptions, 'db'> = {
	seed: 1,
	devices: 100,
	mutations: 500,
	faultRate: 0.2,
	kills: 5,
	devicesPerGrid: 5,
	sharedHouseholds: 4,
	paceMs: 150,
	offlineRate: 0.01,
	reloadRate: 0.01,
	clientTimeoutMs: 2_000,
	batchSize: 25
};

export interface ChaosSummary {
	recorded: number;
	applied: number;
	rejected: number;
	lost: number;
	doubled: number;
	converged: boolean;
}

export interface ChaosReport {
	options: ChaosOptions;
	summary: ChaosSummary;
	checks: Checks;
	/** Every invariant held. */
	ok: boolean;
	faults: FaultEvent[];
	/** Faults injected by kind. */
	injected: Record<string, number>;
	requests: number;
	kills: { atOp: number; downMs: number }[];
	restartMs: number[];
	reloads: number;
	offlineSpells: number;
	/** Wall time of the phases, milliseconds. */
	timings: { setup: number; operations: number; heal: number; checks: number; total: number };
	serverOutput: string;
}

const COMMUNITY = '450102001003';
const TREE: DivisionRow[] = [
	{ code: '45', name: '广西壮族自治区', level: 'province', parentCode: null },
	{ code: '4501', name: '南宁市', level: 'city', parentCode: '45' },
	{ code: '450102', name: '兴宁区', level: 'county', parentCode: '4501' },
	{ code: '450102001', name: '民生街道', level: 'street', parentCode: '450102' },
	{ code: COMMUNITY, name: '兴宁社区居委会', level: 'community', parentCode: '450102001' }
];
/** Not a hash any password has: the devices' sessions are opened directly, as sign-in would. */
const NO_PASSWORD = 'none';
const TEMP = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const BIN = fileURLToPath(new URL('../../bin/gridcare.js', import.meta.url));

interface Seat {
	index: number;
	name: string;
	userId: string;
	token: string;
	grid: string;
}

/** A fresh database with the division tree, the grids, one worker per device and their sessions. */
async function prepare(
	url: string,
	options: ChaosOptions
): Promise<{ seats: Seat[]; seeders: { grid: string; token: string; deviceId: string }[] }> {
	const store = openStore(url);
	try {
		await store.migrate();
		await store.upsertDivisions(TREE);
		const grids: string[] = [];
		for (let g = 0; g * options.devicesPerGrid < options.devices; g++)
			grids.push((await store.createGrid({ communityCode: COMMUNITY, name: `网格 ${g + 1}` })).id);
		const created = new Date();
		const expiresAt = new Date(created.getTime() + 30 * 86_400_000);
		const session = async (userId: string, deviceId: string) => {
			const token = newToken();
			await store.createSession({
				id: crypto.randomUUID(),
				tokenHash: tokenHash(token),
				userId,
				deviceId,
				createdAt: created,
				expiresAt
			});
			return token;
		};
		const seats: Seat[] = [];
		for (let index = 0; index < options.devices; index++) {
			const grid = grids[Math.floor(index / options.devicesPerGrid)];
			const user = await store.createUser({
				username: `chaos-${index}`,
				role: 'grid_worker',
				scope: [grid],
				passwordHash: NO_PASSWORD,
				displayName: null
			});
			const name = `tablet-${index}`;
			seats.push({ index, name, userId: user.id, token: await session(user.id, name), grid });
		}
		const seeders = [];
		for (const [g, grid] of grids.entries()) {
			const user = seats.find((s) => s.grid === grid)!;
			const deviceId = `office-${g}`;
			seeders.push({ grid, deviceId, token: await session(user.userId, deviceId) });
		}
		return { seats, seeders };
	} finally {
		await store.close();
	}
}

/** The households every grid starts with, pushed straight to the server (no proxy). */
async function seedShared(
	serverUrl: string,
	seeders: { grid: string; token: string; deviceId: string }[],
	count: number
): Promise<Map<string, string[]>> {
	const shared = new Map<string, string[]>();
	for (const { grid, token, deviceId } of seeders) {
		const rows = Array.from({ length: count }, () => crypto.randomUUID());
		const response = await fetch(`${serverUrl}/api/v1/sync/push`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
			body: JSON.stringify({
				deviceId,
				mutations: rows.map((rowId, i) => ({
					id: crypto.randomUUID(),
					table: 'households',
					op: 'insert',
					rowId,
					fields: { gridId: grid, address: `共用户 ${i + 1}`, tags: [] }
				}))
			})
		});
		const body = (await response.json()) as { results: { status: string }[] };
		if (!response.ok || body.results.some((r) => r.status !== 'applied'))
			throw new Error(`seeding households: ${JSON.stringify(body)}`);
		shared.set(grid, rows.sort());
	}
	return shared;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
	const log = options.log ?? (() => {});
	const began = Date.now();
	const dir = mkdtempSync(join(TEMP, 'gridcare-chaos-'));
	let drop: (() => Promise<void>) | null = null;
	let url: string;
	if (options.db === 'postgres') {
		const pg = await withPostgres();
		if (!pg) throw new Error('PostgreSQL is not reachable');
		url = pg.url;
		drop = pg.drop;
	} else url = `file:${join(dir, 'chaos.db')}`;

	const server = new ServerProcess(url, await freePort(), dir);
	const proxy = new FaultProxy(
		{ seed: options.seed, faultRate: options.faultRate, clientTimeoutMs: options.clientTimeoutMs },
		() => server.port
	);
	const devices: Device[] = [];
	try {
		const { seats, seeders } = await prepare(url, options);
		await server.start();
		const shared = await seedShared(server.url, seeders, options.sharedHouseholds);
		const proxyUrl = `http://127.0.0.1:${await proxy.listen()}`;

		// Every device signs in and downloads its scope on a good network first.
		proxy.faulty = false;
		for (const seat of seats)
			devices.push(
				new Device({
					seed: options.seed,
					index: seat.index,
					name: seat.name,
					userId: seat.userId,
					token: seat.token,
					grid: seat.grid,
					proxyUrl,
					clientTimeoutMs: options.clientTimeoutMs,
					batchSize: options.batchSize
				})
			);
		for (const device of devices) await device.deliver();
		const setup = Date.now() - began;
		log(`setup: ${devices.length} devices in ${shared.size} grids, ${setup} ms`);

		// The operations, with faults, offline spells, reloads and kills.
		proxy.faulty = true;
		const plan: PlanOptions = {
			seed: options.seed,
			mutations: options.mutations,
			paceMs: options.paceMs,
			offlineRate: options.offlineRate,
			reloadRate: options.reloadRate
		};
		const total = options.devices * options.mutations;
		let done = 0;
		let running = true;
		const killRandom = stream(options.seed, 'kills');
		const killAt = Array.from({ length: options.kills }, (_, k) =>
			Math.floor(((k + 0.2 + 0.6 * killRandom()) / options.kills) * total)
		);
		const kills: ChaosReport['kills'] = [];
		const killer = (async () => {
			for (const at of killAt) {
				while (running && done < at) await sleep(25);
				if (!running) return;
				const downMs = between(killRandom, 100, 1_500);
				await server.kill();
				log(`server killed at operation ${done} of ${total}; down ${downMs} ms`);
				kills.push({ atOp: done, downMs });
				await sleep(downMs);
				await server.restart();
			}
		})();
		const opsStart = Date.now();
		let nextReport = opsStart + 10_000;
		await Promise.all(
			devices.map(async (device, index) => {
				const shared_ = shared.get(device.options.grid)!;
				for (const [n, op] of planOps(plan, index).entries()) {
					await sleep(op.pauseMs);
					await device.perform(op, n, shared_);
					done += 1;
					if (Date.now() > nextReport) {
						nextReport = Date.now() + 10_000;
						log(`operations: ${done} of ${total}, ${proxy.log.length} faults so far`);
					}
					if (op.offlineMs > 0) {
						device.offlineSpells += 1;
						device.setOnline(false);
						setTimeout(() => device.setOnline(true), op.offlineMs);
					}
					if (op.reloadAfterMs >= 0) await device.reloadMidSync(op.reloadAfterMs);
				}
			})
		);
		running = false;
		await killer;
		const operations = Date.now() - opsStart;
		log(`operations done in ${operations} ms; healing the network`);

		// The network heals: every device delivers what it holds, then pulls what the others sent.
		const healStart = Date.now();
		proxy.faulty = false;
		for (const device of devices) await device.heal();
		await proxy.settle();
		await Promise.all(devices.map((device) => device.deliver()));
		await proxy.settle();
		for (const device of devices) device.engine.stop();
		for (const device of devices) {
			await device.engine.whenIdle();
			await device.engine.syncNow();
		}
		const heal = Date.now() - healStart;
		log(`healed in ${heal} ms; checking`);

		const checksStart = Date.now();
		const checks = await checkRun({
			devices,
			serverUrl: server.url,
			databaseUrl: url,
			seeders,
			stopServer: async () => void (await server.stop()),
			recompute: async () => {
				await promisify(execFile)(process.execPath, [BIN, 'recompute-rollups'], {
					env: { ...process.env, DATABASE_URL: url },
					timeout: 300_000
				});
			}
		});
		const summary: ChaosSummary = {
			recorded: checks.recorded,
			applied: checks.applied,
			rejected: checks.rejected,
			lost: checks.lost.length,
			doubled: checks.doubled.length,
			converged: checks.divergent.length === 0
		};
		const ok =
			summary.lost === 0 &&
			summary.doubled === 0 &&
			summary.converged &&
			checks.violations.length === 0 &&
			checks.rollupDiff.length === 0 &&
			(checks.integrity === 'ok' || (options.db === 'postgres' && checks.integrity === 'n/a'));
		return {
			options,
			summary,
			checks,
			ok,
			faults: proxy.log,
			injected: Object.fromEntries(proxy.injected),
			requests: [...proxy.requests.values()].reduce((a, b) => a + b, 0),
			kills,
			restartMs: server.restarts,
			reloads: devices.reduce((sum, d) => sum + d.reloads, 0),
			offlineSpells: devices.reduce((sum, d) => sum + d.offlineSpells, 0),
			timings: {
				setup,
				operations,
				heal,
				checks: Date.now() - checksStart,
				total: Date.now() - began
			},
			serverOutput: server.output()
		};
	} finally {
		for (const device of devices) {
			device.engine.stop();
			device.db.close();
		}
		await server.stop();
		await proxy.close();
		if (drop) await drop();
		rmSync(dir, { recursive: true, force: true });
	}
}
