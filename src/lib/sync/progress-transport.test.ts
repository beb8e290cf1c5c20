import { describe, expect, it } from 'vitest';
import {
	addPage,
	emptyProgress,
	ProgressTransport,
	summarizePage,
	type PullProgress
} from './progress-transport';
import type { PullPage, SyncTransport } from './transport';

const page = (changes: [string, string][], hasMore: boolean): PullPage => ({
	changes: changes.map(([table, op], i) => ({
		table,
		op,
		rowId: `r${i}`,
		fields: {},
		version: i + 1
	})),
	cursor: 'c',
	hasMore
});

describe('progress of pulls', () => {
	it('counts pages, new rows by table and all changes, and passes pages on unchanged', async () => {
		const pages = [
			{
				...page(
					[
						['households', 'insert'],
						['residents', 'insert'],
						['residents', 'insert']
					],
					true
				),
				estimate: { households: 2, residents: 2, visits: 1 }
			},
			page(
				[
					['households', 'update'],
					['visits', 'insert'],
					['wardrobes', 'insert']
				],
				false
			)
		];
		const inner: SyncTransport = {
			push: async () => [],
			pull: async () => pages.shift()!
		};
		const seen: PullProgress[] = [];
		const transport = new ProgressTransport(inner, (p) => seen.push(p));
		const first = await transport.pull(null, 3);
		expect(first.changes).toHaveLength(3);
		await transport.pull('c', 3);
		expect(transport.progress).toEqual({
			pages: 2,
			rows: { households: 1, residents: 2, visits: 1, wardrobes: 1 },
			changes: 6,
			hasMore: false,
			totals: { households: 2, residents: 2, visits: 1 }
		});
		expect(seen.map((p) => p.pages)).toEqual([1, 2]);
		expect(seen[0].hasMore).toBe(true);
		transport.reset();
		expect(transport.progress.pages).toBe(0);
	});

	it('counts pages pulled elsewhere from their summaries, as if it had pulled them itself', async () => {
		const first = {
			...page(
				[
					['households', 'insert'],
					['residents', 'insert']
				],
				true
			),
			estimate: { households: 1, residents: 3 }
		};
		const second = page(
			[
				['residents', 'insert'],
				['residents', 'insert'],
				['households', 'update']
			],
			false
		);
		expect(summarizePage(first)).toEqual({
			changes: 2,
			inserts: { households: 1, residents: 1 },
			hasMore: true,
			estimate: { households: 1, residents: 3 }
		});
		const seen: PullProgress[] = [];
		const transport = new ProgressTransport(
			{ push: async () => [], pull: async () => first },
			(p) => seen.push(p)
		);
		transport.record(summarizePage(first));
		transport.record(summarizePage(second));
		const expected = {
			pages: 2,
			rows: { households: 1, residents: 3 },
			changes: 5,
			hasMore: false,
			totals: { households: 1, residents: 3 }
		};
		expect(transport.progress).toEqual(expected);
		expect(seen).toHaveLength(2);
		expect(addPage(addPage(emptyProgress(), summarizePage(first)), summarizePage(second))).toEqual(
			expected
		);
	});
});
