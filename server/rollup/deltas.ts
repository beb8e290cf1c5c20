// Figure deltas aggregated per node + period + metric, then written with one upsert in a fixed
// key order (writers adding to the same province row then take row locks in the same order).
import { sql } from 'drizzle-orm';
import type { Db, Tables } from '../store/driver';
import { chunk } from '../store/driver';
import { levelOf, nodesOfGrid } from './nodes';
import type { NodeLevel } from '../../src/lib/shared/enums';
import type { FigureMetric } from './metrics';

const SEP = '\u0000';

export class FigureDeltas {
	/** Deltas per grid (and its community), period and metric; spread over the ancestors in rows(). */
	private readonly grids = new Map<string, number>();

	/** Add `n` to a metric of a grid for a period, and to every ancestor of the grid. */
	addForGrid(
		gridId: string,
		communityCode: string,
		period: string,
		metric: FigureMetric,
		n: number
	): void {
		if (n === 0) return;
		const key = `${gridId}${SEP}${communityCode}${SEP}${period}${SEP}${metric}`;
		this.grids.set(key, (this.grids.get(key) ?? 0) + n);
	}

	/** Non-zero deltas of every node, in key order. */
	rows(): { nodeCode: string; period: string; metric: string; value: number }[] {
		const nodes = new Map<string, number>();
		for (const [key, n] of this.grids) {
			if (n === 0) continue;
			const [gridId, communityCode, period, metric] = key.split(SEP);
			for (const node of nodesOfGrid(gridId, communityCode)) {
				const nodeKey = `${node}${SEP}${period}${SEP}${metric}`;
				nodes.set(nodeKey, (nodes.get(nodeKey) ?? 0) + n);
			}
		}
		return [...nodes.entries()]
			.filter(([, v]) => v !== 0)
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([key, value]) => {
				const [nodeCode, period, metric] = key.split(SEP);
				return { nodeCode, period, metric, value };
			});
	}

	/** Nodes of one level with a non-zero delta. */
	nodesAt(level: NodeLevel): string[] {
		return [...new Set(this.rows().map((r) => r.nodeCode))].filter((c) => levelOf(c) === level);
	}
}

/**
 * Add the deltas to rollup_figures: `INSERT … ON CONFLICT DO UPDATE SET value = value +
 * excluded.value`, one statement per batch (split only past the driver's parameter limit).
 */
export async function upsertDeltas(
	db: Db,
	t: Tables,
	deltas: FigureDeltas,
	maxParams: number
): Promise<number> {
	const rows = deltas.rows();
	const { rollupFigures: f } = t;
	for (const part of chunk(rows, 4, maxParams))
		await db
			.insert(f)
			.values(part)
			.onConflictDoUpdate({
				target: [f.nodeCode, f.period, f.metric],
				set: { value: sql`${f.value} + excluded.value` }
			});
	return rows.length;
}
