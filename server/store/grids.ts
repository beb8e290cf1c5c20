// Database side of grid administration (docs/administration.md, "Grids"): a community's grids
// with their household counts and workers, renaming, boundaries and retirement. One body of
// drizzle queries for both dialects like drizzle-store.ts, reached through Store.grids().
import { and, asc, count, eq, ne, sql } from 'drizzle-orm';
import type { Db, Driver, Tables } from './driver';

export type GridRecord = Tables['grids']['$inferSelect'];

/** A grid as the administration screens list it. */
export interface GridSummary {
	id: string;
	communityCode: string;
	name: string;
	boundary: unknown;
	retiredAt: Date | null;
	/** Live (not deleted) households. */
	households: number;
	/** Incidents not yet closed. */
	openIncidents: number;
	/** Enabled grid workers whose scope holds the grid, by display name. */
	workers: { id: string; name: string }[];
}

export class GridQueries {
	private readonly t: Tables;
	constructor(private readonly driver: Pick<Driver, 'db' | 'tables'>) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	/** A community's grids in creation order, retired ones included, with counts and workers. */
	async ofCommunity(communityCode: string): Promise<GridSummary[]> {
		const { grids, households, incidents, users } = this.t;
		const [rows, householdCounts, incidentCounts, workers] = await Promise.all([
			this.db
				.select()
				.from(grids)
				.where(eq(grids.communityCode, communityCode))
				.orderBy(asc(grids.createdAt), asc(grids.name)),
			this.db
				.select({ gridId: households.gridId, n: count() })
				.from(households)
				.innerJoin(grids, eq(grids.id, households.gridId))
				.where(and(eq(grids.communityCode, communityCode), eq(households.deleted, false)))
				.groupBy(households.gridId),
			this.db
				.select({ gridId: incidents.gridId, n: count() })
				.from(incidents)
				.where(and(eq(incidents.communityCode, communityCode), ne(incidents.status, 'closed')))
				.groupBy(incidents.gridId),
			this.db
				.select({
					id: users.id,
					username: users.username,
					displayName: users.displayName,
					scope: users.scope
				})
				.from(users)
				.where(and(eq(users.role, 'grid_worker'), eq(users.disabled, false)))
		]);
		const households_ = new Map(householdCounts.map((r) => [r.gridId, Number(r.n)]));
		const incidents_ = new Map(incidentCounts.map((r) => [r.gridId, Number(r.n)]));
		return rows.map((g) => ({
			id: g.id,
			communityCode: g.communityCode,
			name: g.name,
			boundary: g.boundary ?? null,
			retiredAt: g.retiredAt ?? null,
			households: households_.get(g.id) ?? 0,
			openIncidents: incidents_.get(g.id) ?? 0,
			workers: workers
				.filter((w) => w.scope.includes(g.id))
				.map((w) => ({ id: w.id, name: w.displayName ?? w.username }))
		}));
	}

	/** The grid of the community named `name` (case and spaces as written), if any. */
	async named(communityCode: string, name: string): Promise<GridRecord | null> {
		const { grids } = this.t;
		const [row] = await this.db
			.select()
			.from(grids)
			.where(and(eq(grids.communityCode, communityCode), eq(grids.name, name)))
			.limit(1);
		return row ?? null;
	}

	/** Live households and open incidents of a grid: what stops it being retired. */
	async contents(gridId: string): Promise<{ households: number; openIncidents: number }> {
		const { households, incidents } = this.t;
		const [[h], [i]] = await Promise.all([
			this.db
				.select({ n: count() })
				.from(households)
				.where(and(eq(households.gridId, gridId), eq(households.deleted, false))),
			this.db
				.select({ n: count() })
				.from(incidents)
				.where(and(eq(incidents.gridId, gridId), sql`${incidents.status} <> 'closed'`))
		]);
		return { households: Number(h?.n ?? 0), openIncidents: Number(i?.n ?? 0) };
	}

	/** Change a grid's name, boundary or retirement; returns the row as it is now. */
	async update(
		id: string,
		change: Partial<Pick<GridRecord, 'name' | 'boundary' | 'retiredAt'>>
	): Promise<GridRecord | null> {
		const { grids } = this.t;
		if (Object.keys(change).length > 0)
			await this.db.update(grids).set(change).where(eq(grids.id, id));
		const [row] = await this.db.select().from(grids).where(eq(grids.id, id)).limit(1);
		return row ?? null;
	}
}
