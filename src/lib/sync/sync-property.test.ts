// Properties of the whole device side (repositories + outbox + engine + pull) against the real
// server: whatever the interleaving of local edits, other devices' edits, lost requests, lost
// answers and failed pulls, once the network is good the device and the server hold the same
// rows; and with no other device, the server ends with every field's last local value (folding
// and resending never reorder a device's own edits).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mutation } from '$lib/shared/schemas';
import { addHousehold, updateHousehold } from '$lib/db/repositories';
import { SyncEngine } from './engine';
import { ManualTimers, openTestDb } from './test-support';
import { TestServer } from './test-server';
import { OfflineError } from './transport';

// One server for the file; every run has a grid, a worker and rows of its own on it.
let server: TestServer;
beforeAll(async () => {
	server = await TestServer.open();
});
afterAll(() => server.close());
let runs = 0;
/** Runs per property: each run is a few dozen requests to the real server. */
const RUNS = 30;
type Field = 'address' | 'tags';
const valueOf = (field: Field, n: number) => (field === 'address' ? `地址 ${n}` : [`tag${n}`]);

const command = fc.oneof(
	fc.record({
		kind: fc.constant('edit' as const),
		row: fc.nat(20),
		field: fc.constantFrom<Field>('address', 'tags'),
		n: fc.nat(99)
	}),
	fc.record({ kind: fc.constant('insert' as const), n: fc.nat(99) }),
	fc.record({
		kind: fc.constant('other' as const),
		row: fc.nat(20),
		field: fc.constantFrom<Field>('address', 'tags'),
		n: fc.nat(99),
		wins: fc.boolean(),
		stale: fc.boolean()
	}),
	fc.record({
		kind: fc.constant('sync' as const),
		fault: fc.constantFrom('none', 'request lost', 'answer lost', 'pull fails')
	})
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

async function run(commands: Command[]) {
	runs += 1;
	/** An id of this run's own (ids are unique across the server). */
	const idOf = (kind: string, n: number) =>
		`${kind}-${String(runs).padStart(4, '0')}-7000-8000-${String(n).padStart(12, '0')}`;
	const timers = new ManualTimers();
	const db = openTestDb({ now: () => timers.now });
	const { grid, worker } = await server.newGrid();
	const link = await server.connect(worker, 'tablet');
	// The same worker's other device.
	const phone = await server.connect(worker, 'phone');
	const engine = new SyncEngine({
		db,
		transport: link.transport,
		deviceId: 'tablet',
		userId: worker.id,
		timers,
		now: () => timers.now,
		random: () => 0.5,
		network: null,
		batchSize: 3
	});
	const seeded = [1, 2, 3].map((i) => idOf('0196f1d2', 100 + i));
	const answers = await phone.push(
		seeded.map((rowId, i) => ({
			id: idOf('0196f1d2', i),
			table: 'households',
			op: 'insert',
			rowId,
			fields: { gridId: grid, address: `种子 ${i}`, tags: [] }
		}))
	);
	expect(answers.map((a) => a.status)).toEqual(['applied', 'applied', 'applied']);
	await engine.syncNow();
	const rows = [...seeded];
	/** Each field's last value set on this device. */
	const localLast = new Map<string, unknown>();
	let otherIds = 0;
	for (const c of commands) {
		timers.advance(1_000);
		if (c.kind === 'insert') {
			const row = await addHousehold(db, { gridId: grid, address: `新 ${c.n}`, tags: [] });
			rows.push(row.id);
			localLast.set(`${row.id}.address`, row.address);
			localLast.set(`${row.id}.tags`, []);
		} else if (c.kind === 'edit') {
			const rowId = rows[c.row % rows.length];
			await updateHousehold(db, rowId, { [c.field]: valueOf(c.field, c.n) });
			localLast.set(`${rowId}.${c.field}`, valueOf(c.field, c.n));
		} else if (c.kind === 'other') {
			const rowId = rows[c.row % rows.length];
			const held = await server.household(rowId);
			if (!held) continue;
			otherIds += 1;
			// A larger or smaller id than any of this device's, from the latest or an older base.
			const other: Mutation = {
				id: idOf(c.wins ? 'ffffffff' : '00000000', otherIds),
				table: 'households',
				op: 'update',
				rowId,
				baseVersion: Math.max(0, held.version - (c.stale ? 1 : 0)),
				fields: { [c.field]: valueOf(c.field, 100 + c.n) }
			};
			expect((await phone.push([other]))[0].status).toBe('applied');
		} else {
			link.beforePush = c.fault === 'request lost' ? () => fail('request lost') : null;
			link.afterPush = c.fault === 'answer lost' ? () => fail('answer lost') : null;
			link.beforePull = c.fault === 'pull fails' ? () => fail('pull failed') : null;
			await engine.syncNow();
			link.beforePush = link.afterPush = link.beforePull = null;
		}
	}
	// The network is good again: a few passes deliver everything and settle the screens.
	for (let i = 0; i < 4; i++) await engine.syncNow();
	const device = new Map((await db.households.toArray()).map((h) => [h.id, h]));
	const outbox = await db.outbox.toArray();
	db.close();
	return { grid, device, outbox, rows, localLast };
}

function fail(message: string): never {
	throw new OfflineError(message);
}

describe('sync properties', () => {
	it('device and server converge to the same rows, whatever the faults and other devices do', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(command, { maxLength: 30 }), async (commands) => {
				const { device, outbox, rows } = await run(commands);
				expect(outbox).toEqual([]);
				expect(device.size).toBe(rows.length);
				for (const rowId of rows) {
					const held = (await server.household(rowId))!;
					const mine = device.get(rowId)!;
					expect({ address: mine.address, tags: mine.tags }).toEqual({
						address: held.address,
						tags: held.tags
					});
					expect(mine.hasLocalEdits).toBeUndefined();
					expect(mine.version).toBe(held.version);
				}
			}),
			{ numRuns: RUNS }
		);
	}, 30_000);

	it('with no other device, the server ends with every field’s last local value', async () => {
		const ownCommands = command.filter((c) => c.kind !== 'other');
		await fc.assert(
			fc.asyncProperty(fc.array(ownCommands, { maxLength: 30 }), async (commands) => {
				const { grid, localLast, rows } = await run(commands);
				for (const [key, value] of localLast) {
					const [rowId, field] = key.split('.');
					const held = await server.household(rowId);
					expect(held?.[field as Field]).toEqual(value);
				}
				// Every insert was applied exactly once, however often it was resent.
				const log = await server.changeLog(grid);
				expect(log.filter((change) => change.op === 'insert')).toHaveLength(rows.length);
			}),
			{ numRuns: RUNS }
		);
	}, 30_000);
});
