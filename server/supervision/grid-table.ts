// The community head's table of their community's grids: each grid's figures today and in the
// current round, and its workers with their last sync. Today's figures include the households
// due and overdue for a visit (docs/care-tiers.md), read from the roll-up like the others.
import { dayInZone } from '../../src/lib/domain/day';
import { forbidden } from '../api-error';
import { lookupCommunity, runsCommunity } from '../auth/nodes';
import { dayPeriod, roundPeriod, type Metrics } from '../rollup/metrics';
import { readMetrics } from '../rollup/read';
import type { Store, UserRow } from '../store/types';
import { currentRound } from './rounds';

export interface GridTable {
	code: string;
	name: string;
	date: string;
	round: { id: string; name: string; dueDate: string } | null;
	/** The community's own figures today: its total, households due and overdue included. */
	metrics: Metrics;
	grids: {
		id: string;
		name: string;
		metrics: Metrics;
		roundMetrics: Metrics | null;
		/** The community's own workers: the head runs the community and sees their names. */
		workers: {
			id: string;
			username: string;
			displayName: string | null;
			lastSyncAt: string | null;
		}[];
	}[];
}

/** The grid table of a community at `at`, for the one who runs it. */
export async function communityGridTable(
	store: Store,
	user: UserRow,
	code: string,
	at: Date,
	timeZone: string
): Promise<GridTable> {
	const community = await lookupCommunity(store, user, code);
	if (!runsCommunity(user, code))
		throw forbidden('code', 'only the community head sees the grid table');
	const today = dayInZone(at, timeZone);
	const current = await currentRound(store, code, today);
	const grids = await store.gridsOfCommunity(code);
	const node = { code, level: 'community' as const };
	const ids = grids.map((g) => g.id);
	const daily = await readMetrics(store, node, ids, dayPeriod(today), at, timeZone);
	const byRound = current
		? await readMetrics(store, node, ids, roundPeriod(current.id), at, timeZone)
		: null;
	const workers = await store.supervision().workersOfGrids(ids);
	return {
		code,
		name: community.name,
		date: today,
		round: current ? { id: current.id, name: current.name, dueDate: current.dueDate } : null,
		metrics: daily.get(code)!,
		grids: grids.map((g) => ({
			id: g.id,
			name: g.name,
			metrics: daily.get(g.id)!,
			roundMetrics: byRound?.get(g.id) ?? null,
			workers: workers
				.filter((w) => w.scope.includes(g.id))
				.map((w) => ({
					id: w.id,
					username: w.username,
					displayName: w.displayName,
					lastSyncAt: w.lastSyncAt?.toISOString() ?? null
				}))
		}))
	};
}
