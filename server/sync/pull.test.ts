// A page folds the successive changes of one row into one (server/sync/pull.ts, foldChanges):
// what a device builds from the folded page equals what it builds from every change one by one,
// the page never holds more than `limit` changes, and its cursor never passes a change it left out.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldChange } from '../../src/lib/sync/pull';
import type { ChangeRow } from '../store/rows';
import { foldChanges, type PulledChange } from './pull';

const row = (seq: number, rowId: string, op: string, fields: Record<string, unknown> = {}) => ({
	seq,
	tableName: 'households',
	rowId,
	op,
	fields
});

/** Rows as a device holds them after applying `changes` in order, one by one. */
function replay(changes: readonly PulledChange[]) {
	const rows = new Map<string, Record<string, unknown> | null>();
	for (const change of changes) {
		const key = `${change.table}/${change.rowId}`;
		rows.set(key, foldChange((rows.get(key) ?? undefined) as never, change as never));
	}
	return rows;
}

const asChanges = (rows: readonly ChangeRow[]): PulledChange[] =>
	rows.map((r) => ({
		table: r.tableName as PulledChange['table'],
		op: r.op as PulledChange['op'],
		rowId: r.rowId,
		fields: r.fields,
		version: r.seq
	}));

describe('foldChanges', () => {
	it("brings a row's updates as one, in the place of the last, after the row's insert", () => {
		const { changes, read } = foldChanges(
			[
				row(1, 'h1', 'insert', { address: 'A', dueOn: null }),
				row(2, 'h2', 'insert', { address: 'B' }),
				row(3, 'h1', 'update', { dueOn: '2026-12-01' }),
				row(5, 'h1', 'update', { dueOn: '2026-12-08', lastVisitedOn: '2026-12-01' })
			],
			10
		);
		expect(read).toBe(4);
		expect(changes).toEqual([
			{
				table: 'households',
				op: 'insert',
				rowId: 'h1',
				fields: { address: 'A', dueOn: null },
				version: 1
			},
			{ table: 'households', op: 'insert', rowId: 'h2', fields: { address: 'B' }, version: 2 },
			{
				table: 'households',
				op: 'update',
				rowId: 'h1',
				fields: { dueOn: '2026-12-08', lastVisitedOn: '2026-12-01' },
				version: 5
			}
		]);
	});

	it('never merges a delete, nor what follows it, and keeps rows of other tables apart', () => {
		const { changes } = foldChanges(
			[
				row(1, 'h1', 'update', { address: 'A' }),
				row(2, 'h1', 'delete'),
				row(3, 'h1', 'update', { address: 'B' }),
				{ ...row(4, 'h1', 'update', { note: 'x' }), tableName: 'visits' }
			],
			10
		);
		expect(changes.map((c) => [c.table, c.op, c.version])).toEqual([
			['households', 'update', 1],
			['households', 'delete', 2],
			['households', 'update', 3],
			['visits', 'update', 4]
		]);
	});

	it('stops before the change that would pass the limit, and reads no row after it', () => {
		const { changes, read } = foldChanges(
			[
				row(1, 'h1', 'update', { a: 1 }),
				row(2, 'h2', 'insert', { a: 2 }),
				row(3, 'h1', 'update', { a: 3 }),
				row(4, 'h3', 'insert', { a: 4 }),
				row(5, 'h1', 'update', { a: 5 })
			],
			2
		);
		// h3 would be a third change: the page ends before it, h1's update at 5 waits with it.
		expect(read).toBe(3);
		expect(changes.map((c) => [c.rowId, c.fields, c.version])).toEqual([
			['h2', { a: 2 }, 2],
			['h1', { a: 3 }, 3]
		]);
	});

	it('gives a device the same rows as every change one by one, page after page', () => {
		const op = fc.record({
			rowId: fc.constantFrom('h1', 'h2', 'h3', 'h4'),
			op: fc.constantFrom('insert', 'update', 'update', 'update', 'delete'),
			fields: fc.dictionary(fc.constantFrom('address', 'dueOn', 'tags'), fc.integer(), {
				maxKeys: 2
			})
		});
		fc.assert(
			fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 1, max: 6 }), (ops, limit) => {
				const log: ChangeRow[] = ops.map((o, i) => row(i + 1, o.rowId, o.op, o.fields));
				const pages: PulledChange[] = [];
				let at = 0;
				while (at < log.length) {
					const { changes, read } = foldChanges(log.slice(at, at + limit * 2), limit);
					expect(changes.length).toBeLessThanOrEqual(limit);
					const versions = changes.map((c) => c.version);
					expect(versions).toEqual([...versions].sort((a, b) => a - b));
					expect(read).toBeGreaterThan(0);
					pages.push(...changes);
					at += read;
				}
				expect(replay(pages)).toEqual(replay(asChanges(log)));
			})
		);
	});
});
