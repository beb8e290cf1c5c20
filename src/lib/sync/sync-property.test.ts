// Properties of the whole device side (repositories + outbox + engine + pull) against the in-memory
// server that merges per field like server/sync/merge.ts: whatever the interleaving of local edits,
// other devices' edits, lost requests, lost answers and failed pulls, once the network is good the
// device and the server hold the same rows; and with no other device, the server ends with every
// field's last local value (folding and resending never reorder a device's own edits).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Mutation } from '$lib/shared/schemas';
import { addHousehold, updateHousehold } from '$lib/db/repositories';
import { SyncEngine } from './engine';
import { FakeSyncServer, ManualTimers, openTestDb } from './test-support';
import { OfflineError } from './transport';

const GRID = '0196f1d2-0000-7000-8000-000000000001';
const SEEDED = [1, 2, 3].map((i) => `0196f1d2-0000-7000-9000-00000000000${i}`);
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
	const timers = new ManualTimers();
	const db = openTestDb({ now: () => timers.now });
	const server = new FakeSyncServer();
	const engine = new SyncEngine({
		db,
		transport: server.transport,
		deviceId: 'tablet',
		userId: 'u',
		timers,
		now: () => timers.now,
		random: () => 0.5,
		network: null,
		batchSize: 3
	});
	SEEDED.forEach((rowId, i) =>
		server.applyFromOtherDevice({
			id: `0196f1d2-0000-7000-a000-00000000000${i}`,
			table: 'households',
			op: 'insert',
			rowId,
			fields: { gridId: GRID, address: `种子 ${i}`, tags: [] }
		})
	);
	await engine.syncNow();
	const rows = [...SEEDED];
	/** Each field's last value set on this device. */
	const localLast = new Map<string, unknown>();
	let otherIds = 0;
	for (const c of commands) {
		timers.advance(1_000);
		if (c.kind === 'insert') {
			const row = await addHousehold(db, { gridId: GRID, address: `新 ${c.n}`, tags: [] });
			rows.push(row.id);
			localLast.set(`${row.id}.address`, row.address);
			localLast.set(`${row.id}.tags`, []);
		} else if (c.kind === 'edit') {
			const rowId = rows[c.row % rows.length];
			await updateHousehold(db, rowId, { [c.field]: valueOf(c.field, c.n) });
			localLast.set(`${rowId}.${c.field}`, valueOf(c.field, c.n));
		} else if (c.kind === 'other') {
			const rowId = rows[c.row % rows.length];
			const held = server.row('households', rowId);
			if (!held) continue;
			otherIds += 1;
			// A larger or smaller id than any of this device's, from the latest or an older base.
			const prefix = c.wins ? 'ffffffff' : '00000000';
			const other: Mutation = {
				id: `${prefix}-0000-7000-8000-${String(otherIds).padStart(12, '0')}`,
				table: 'households',
				op: 'update',
				rowId,
				baseVersion: Math.max(0, held.version - (c.stale ? 1 : 0)),
				fields: { [c.field]: valueOf(c.field, 100 + c.n) }
			};
			server.applyFromOtherDevice(other);
		} else {
			server.beforePush = c.fault === 'request lost' ? () => fail('request lost') : null;
			server.afterPush = c.fault === 'answer lost' ? () => fail('answer lost') : null;
			server.beforePull = c.fault === 'pull fails' ? () => fail('pull failed') : null;
			await engine.syncNow();
			server.beforePush = server.afterPush = server.beforePull = null;
		}
	}
	// The network is good again: a few passes deliver everything and settle the screens.
	for (let i = 0; i < 4; i++) await engine.syncNow();
	const device = new Map((await db.households.toArray()).map((h) => [h.id, h]));
	const outbox = await db.outbox.toArray();
	db.close();
	return { server, device, outbox, rows, localLast };
}

function fail(message: string): never {
	throw new OfflineError(message);
}

describe('sync properties', () => {
	it('device and server converge to the same rows, whatever the faults and other devices do', async () => {
		await fc.assert(
			fc.asyncProperty(fc.array(command, { maxLength: 30 }), async (commands) => {
				const { server, device, outbox, rows } = await run(commands);
				expect(outbox).toEqual([]);
				expect(device.size).toBe(rows.length);
				for (const rowId of rows) {
					const held = server.row('households', rowId)!;
					const mine = device.get(rowId)!;
					expect({ address: mine.address, tags: mine.tags }).toEqual({
						address: held.fields.address,
						tags: held.fields.tags
					});
					expect(mine.hasLocalEdits).toBeUndefined();
					expect(mine.version).toBe(held.version);
				}
			}),
			{ numRuns: 60 }
		);
	});

	it('with no other device, the server ends with every field’s last local value', async () => {
		const ownCommands = command.filter((c) => c.kind !== 'other');
		await fc.assert(
			fc.asyncProperty(fc.array(ownCommands, { maxLength: 30 }), async (commands) => {
				const { server, localLast, rows } = await run(commands);
				for (const [key, value] of localLast) {
					const [rowId, field] = key.split('.');
					expect(server.row('households', rowId)?.fields[field]).toEqual(value);
				}
				// Every insert was applied exactly once, however often it was resent.
				expect(server.log.filter((change) => change.op === 'insert')).toHaveLength(rows.length);
			}),
			{ numRuns: 60 }
		);
	});
});
