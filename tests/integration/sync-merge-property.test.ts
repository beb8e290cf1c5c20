// Property tests of the sync engine on a real SQLite file: whatever the interleaving of two
// devices' edits, with duplicates and re-deliveries, every mutation applies once, the server and
// both devices converge, and no value is lost (a losing value is in the row's history).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPushBatch, type PushResult } from '../../server/sync/push';
import { compareKeys, type EditKey } from '../../server/sync/merge';
import type { Mutation } from '../../src/lib/shared/schemas';
import { seedFixture, type Fixture } from './fixtures';
import { openTestStore, type TestStore } from './stores';

const FIELDS = ['address', 'tags'] as const;
type Field = (typeof FIELDS)[number];
const valueOf = (field: Field, n: number) => (field === 'address' ? `地址${n}` : [`tag${n}`]);
// Mutation ids are unique per run and ordered within a run, as time-ordered ids are.
let run = 0;
const runId = (group: string, i: number) =>
	`${(run % 0xffffffff).toString(16).padStart(8, '0')}-0000-4000-${group}-${String(i).padStart(12, '0')}`;

describe('field merge properties (sqlite)', () => {
	let db: TestStore;
	let fx: Fixture;
	beforeAll(async () => {
		db = await openTestStore('sqlite');
		fx = await seedFixture(db.store);
	});
	afterAll(async () => db.dispose());

	const ctx = () => ({
		user: fx.users.worker_a1,
		deviceId: 'prop',
		timeZone: 'Asia/Shanghai',
		now: new Date()
	});
	const push = (mutations: Mutation[]) => applyPushBatch(db.store, ctx(), mutations);
	const newHousehold = async () => {
		const rowId = crypto.randomUUID();
		const [r] = await push([
			{
				id: crypto.randomUUID(),
				table: 'households',
				op: 'insert',
				rowId,
				fields: { gridId: fx.grids.a1, address: '初始', tags: [] }
			}
		]);
		return { rowId, version: (r as { version: number }).version };
	};
	const serverRow = async (rowId: string) =>
		(await db.store.householdsOfGrid(fx.grids.a1)).find((h) => h.id === rowId)!;

	it('concurrent edits from one snapshot converge to the same row in any delivery order', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.array(
					fc.record({ field: fc.constantFrom(...FIELDS), n: fc.nat(99), extraBase: fc.nat(2) }),
					{ minLength: 1, maxLength: 8 }
				),
				fc.infiniteStream(fc.nat()),
				async (edits, randomness) => {
					run++;
					const a = await newHousehold();
					const b = await newHousehold();
					const make = (rowId: string, base: number) =>
						edits.map((e, i) => ({
							id: runId('8000', i),
							table: 'households' as const,
							op: 'update' as const,
							rowId,
							baseVersion: base,
							fields: { [e.field]: valueOf(e.field, e.n) }
						}));
					// Same edits to two rows; one delivered in order, the other shuffled with re-deliveries.
					const inOrder = make(a.rowId, a.version).map((m) => ({
						...m,
						id: m.id.replace('8000', '8001')
					}));
					const shuffled = make(b.rowId, b.version).map((m) => ({
						...m,
						id: m.id.replace('8000', '8002')
					}));
					const it = randomness[Symbol.iterator]();
					const deliveries = [...shuffled, ...shuffled.filter(() => it.next().value % 2 === 0)];
					for (let i = deliveries.length - 1; i > 0; i--) {
						const j = it.next().value % (i + 1);
						[deliveries[i], deliveries[j]] = [deliveries[j], deliveries[i]];
					}
					const applied = new Map<string, number>();
					const count = (rs: PushResult[]) =>
						rs.forEach(
							(r) => r.status === 'applied' && applied.set(r.id, (applied.get(r.id) ?? 0) + 1)
						);
					for (const m of inOrder) count(await push([m]));
					for (let i = 0; i < deliveries.length; i += 3)
						count(await push(deliveries.slice(i, i + 3)));
					expect([...applied.values()].every((n) => n === 1)).toBe(true);
					expect(applied.size).toBe(edits.length * 2);
					const [ra, rb] = [await serverRow(a.rowId), await serverRow(b.rowId)];
					expect(rb.address).toEqual(ra.address);
					expect(rb.tags).toEqual(ra.tags);
					// No value is lost: each pushed value is in the history, applied or lost.
					const history = await db.store.fieldHistory('households', b.rowId);
					for (const m of shuffled) {
						const [field, value] = Object.entries(m.fields)[0];
						expect(
							history.some(
								(h) =>
									h.field === field &&
									JSON.stringify(h.value) === JSON.stringify(value) &&
									h.mutationId === m.id
							)
						).toBe(true);
					}
				}
			),
			{ numRuns: 40 }
		);
	});

	it('two devices editing, pushing with lost responses and pulling in any interleaving converge', async () => {
		type Step = {
			device: 0 | 1;
			action: 'edit' | 'push' | 'pushLost' | 'pull';
			field: Field;
			n: number;
		};
		const step = fc.record({
			device: fc.constantFrom(0 as const, 1 as const),
			action: fc.constantFrom(
				'edit' as const,
				'edit' as const,
				'push' as const,
				'pushLost' as const,
				'pull' as const
			),
			field: fc.constantFrom(...FIELDS),
			n: fc.nat(999)
		});
		await fc.assert(
			fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 30 }), async (steps: Step[]) => {
				run++;
				const { rowId, version } = await newHousehold();
				let counter = 0;
				const devices = [0, 1].map((d) => ({
					base: version,
					view: { address: '初始', tags: [] as unknown } as Record<Field, unknown>,
					outbox: [] as Mutation[],
					sent: new Set<string>(),
					group: `800${d}`
				}));
				const created: Mutation[] = [];
				const applyResults = (d: (typeof devices)[number], results: PushResult[]) => {
					for (const r of results) {
						if (r.status === 'rejected') throw new Error(`unexpected rejection: ${r.reason}`);
						if (r.status === 'applied' && r.version) d.base = Math.max(d.base, r.version);
					}
					const done = new Set(results.map((r) => r.id));
					d.outbox = d.outbox.filter((m) => !done.has(m.id));
				};
				const pull = async (d: (typeof devices)[number]) => {
					const row = await serverRow(rowId);
					if (d.outbox.length === 0) {
						d.view = { address: row.address, tags: row.tags };
						d.base = row.version;
					}
				};
				for (const s of steps) {
					const d = devices[s.device];
					if (s.action === 'edit') {
						// Ids grow with creation order on each device, as time-ordered ids do.
						const id = runId(d.group, ++counter);
						const value = valueOf(s.field, s.n);
						const m: Mutation = {
							id,
							table: 'households',
							op: 'update',
							rowId,
							baseVersion: d.base,
							fields: { [s.field]: value }
						};
						d.view[s.field] = value;
						d.outbox.push(m);
						created.push(m);
					} else if (s.action === 'push' && d.outbox.length) {
						applyResults(d, await push(d.outbox));
					} else if (s.action === 'pushLost' && d.outbox.length) {
						await push(d.outbox); // the server applied it; the answer never arrived
					} else if (s.action === 'pull') {
						await pull(d);
					}
				}
				for (const d of devices) if (d.outbox.length) applyResults(d, await push(d.outbox));
				for (const d of devices) await pull(d);
				const row = await serverRow(rowId);
				for (const d of devices) expect(d.view).toEqual({ address: row.address, tags: row.tags });
				const history = await db.store.fieldHistory('households', rowId);
				expect(new Set(history.map((h) => h.mutationId)).size).toBe(created.length);
				for (const m of created) {
					const [field, value] = Object.entries(m.fields)[0];
					const entries = history.filter((h) => h.mutationId === m.id);
					expect(entries).toHaveLength(1);
					expect(entries[0]).toMatchObject({ field, value });
				}
				// The value held for each field is the edit with the greatest key.
				for (const field of FIELDS) {
					const edits = created.filter((m) => field in m.fields);
					if (!edits.length) continue;
					const best = edits.reduce((x, y) =>
						compareKeys([y.baseVersion!, y.id] as EditKey, [x.baseVersion!, x.id] as EditKey) > 0
							? y
							: x
					);
					expect(row[field]).toEqual(best.fields[field]);
				}
			}),
			{ numRuns: 40 }
		);
	});
});
