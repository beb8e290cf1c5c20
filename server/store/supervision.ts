// Database side of the supervisors' API: rounds, community settings, the incident queue and
// escalation, alerts, last sync per device. One body of drizzle queries for both dialects, like
// drizzle-store.ts; reached through Store.supervision(). The roll-up figures have their own
// (server/rollup/queries.ts, Store.rollup()).
import { and, asc, desc, eq, gte, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import type { Db, Driver, Tables } from './driver';
import { chunk } from './driver';
import { recordDeviceSync } from './devices';
import { dayInZone } from '../../src/lib/domain/day';
import { subtreeEnd } from '../rollup/nodes';
import type { DayClock } from '../rollup/snapshots';

import type { RoundRow } from './rows';

export type { RoundRow };
export type IncidentRow = Tables['incidents']['$inferSelect'];
export type AlertRow = Tables['alerts']['$inferSelect'];
export type TransitionRow = Tables['incidentTransitions']['$inferSelect'];

export class SupervisionQueries {
	private readonly t: Tables;
	constructor(
		private readonly driver: Pick<Driver, 'db' | 'tables' | 'transaction' | 'maxParams'>
	) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	async getRound(id: string): Promise<RoundRow | null> {
		const [row] = await this.db
			.select()
			.from(this.t.rounds)
			.where(eq(this.t.rounds.id, id))
			.limit(1);
		return row ?? null;
	}

	/** Rounds whose division is one of these codes (a node and its ancestors), newest first. */
	async roundsOf(divisionCodes: string[]): Promise<RoundRow[]> {
		const r = this.t.rounds;
		return this.db
			.select()
			.from(r)
			.where(inArray(r.divisionCode, divisionCodes))
			.orderBy(desc(r.startDate), asc(r.id));
	}

	async getSetting<T>(key: string): Promise<T | null> {
		const s = this.t.settings;
		const [row] = await this.db.select().from(s).where(eq(s.key, key)).limit(1);
		return (row?.value as T | undefined) ?? null;
	}

	async putSetting(key: string, value: unknown): Promise<void> {
		const s = this.t.settings;
		await this.db
			.insert(s)
			.values({ key, value })
			.onConflictDoUpdate({ target: s.key, set: { value: sql`excluded.value` } });
	}

	/** Remember when a user's device last pushed or pulled successfully. */
	async recordSync(userId: string, deviceId: string, at: Date): Promise<void> {
		await recordDeviceSync(this.db, this.t, userId, deviceId, at);
	}

	/** Grid workers assigned to any of these grids, with their latest sync over all their devices. */
	async workersOfGrids(gridIds: string[]): Promise<
		{
			id: string;
			username: string;
			displayName: string | null;
			scope: string[];
			lastSyncAt: Date | null;
		}[]
	> {
		if (gridIds.length === 0) return [];
		const u = this.t.users;
		const d = this.t.devices;
		const rows = await this.db
			.select({
				id: u.id,
				username: u.username,
				displayName: u.displayName,
				scope: u.scope,
				lastSyncAt: sql<unknown>`max(${d.lastSyncAt})`
			})
			.from(u)
			.leftJoin(d, eq(d.userId, u.id))
			.where(
				and(
					eq(u.role, 'grid_worker'),
					sql`(${sql.join(
						gridIds.map((id) => sql`cast(${u.scope} as text) like ${`%"${id}"%`}`),
						sql` or `
					)})`
				)
			)
			.groupBy(u.id, u.username, u.displayName, u.scope)
			.orderBy(asc(u.username));
		return rows.map((r) => ({
			id: r.id,
			username: r.username,
			displayName: r.displayName,
			scope: (typeof r.scope === 'string' ? JSON.parse(r.scope) : r.scope) as string[],
			lastSyncAt: toDate(r.lastSyncAt)
		}));
	}

	async getIncident(id: string): Promise<IncidentRow | null> {
		const i = this.t.incidents;
		const [row] = await this.db.select().from(i).where(eq(i.id, id)).limit(1);
		return row ?? null;
	}

	async transitionsOf(incidentId: string): Promise<TransitionRow[]> {
		const x = this.t.incidentTransitions;
		return this.db
			.select()
			.from(x)
			.where(eq(x.incidentId, incidentId))
			.orderBy(asc(x.at), asc(x.id));
	}

	/** Incidents of a subtree, newest first; only open ones unless `all`. */
	async incidentsOf(prefix: string, all: boolean, limit = 500): Promise<IncidentRow[]> {
		const i = this.t.incidents;
		return this.db
			.select()
			.from(i)
			.where(
				and(
					gte(i.communityCode, prefix),
					lt(i.communityCode, subtreeEnd(prefix)),
					all ? undefined : ne(i.status, 'closed')
				)
			)
			.orderBy(desc(i.createdAt), asc(i.id))
			.limit(limit);
	}

	/** Open incidents past `now` whose escalation is due: every open incident past due (few). */
	async overdueIncidents(now: Date): Promise<IncidentRow[]> {
		const i = this.t.incidents;
		return this.db
			.select()
			.from(i)
			.where(and(sql`${i.status} <> 'closed'`, lt(i.dueAt, now)))
			.orderBy(asc(i.dueAt));
	}

	/** Names of grids and households, for queue rows. */
	async namesOf(table: 'grids' | 'divisions', ids: string[]): Promise<Map<string, string>> {
		const out = new Map<string, string>();
		if (table === 'grids') {
			const g = this.t.grids;
			for (const part of chunk([...new Set(ids)], 1, this.driver.maxParams))
				for (const r of await this.db
					.select({ id: g.id, name: g.name })
					.from(g)
					.where(inArray(g.id, part)))
					out.set(r.id, r.name);
		} else {
			const d = this.t.divisions;
			for (const part of chunk([...new Set(ids)], 1, this.driver.maxParams))
				for (const r of await this.db
					.select({ id: d.code, name: d.name })
					.from(d)
					.where(inArray(d.code, part)))
					out.set(r.id, r.name);
		}
		return out;
	}

	async addressesOf(householdIds: string[]): Promise<Map<string, string>> {
		const h = this.t.households;
		const out = new Map<string, string>();
		for (const part of chunk([...new Set(householdIds)], 1, this.driver.maxParams))
			for (const r of await this.db
				.select({ id: h.id, address: h.address })
				.from(h)
				.where(inArray(h.id, part)))
				out.set(r.id, r.address);
		return out;
	}

	/** Who the users are, as a history names them: username, display name and role. */
	async peopleOf(
		userIds: string[]
	): Promise<Map<string, { username: string; displayName: string | null; role: string }>> {
		const u = this.t.users;
		const out = new Map<string, { username: string; displayName: string | null; role: string }>();
		for (const part of chunk([...new Set(userIds)], 1, this.driver.maxParams))
			for (const r of await this.db
				.select({ id: u.id, username: u.username, displayName: u.displayName, role: u.role })
				.from(u)
				.where(inArray(u.id, part)))
				out.set(r.id, { username: r.username, displayName: r.displayName, role: r.role });
		return out;
	}

	async alertsOf(communityCodes: string[], openOnly: boolean): Promise<AlertRow[]> {
		const a = this.t.alerts;
		if (communityCodes.length === 0) return [];
		return this.db
			.select()
			.from(a)
			.where(
				and(
					inArray(a.communityCode, communityCodes),
					openOnly ? isNull(a.acknowledgedAt) : undefined
				)
			)
			.orderBy(desc(a.raisedAt), asc(a.id));
	}

	/** Alerts of a subtree (a community and everything below a division). */
	async alertsInSubtree(prefix: string): Promise<AlertRow[]> {
		const a = this.t.alerts;
		return this.db
			.select()
			.from(a)
			.where(and(gte(a.communityCode, prefix), lt(a.communityCode, subtreeEnd(prefix))))
			.orderBy(desc(a.raisedAt), asc(a.id))
			.limit(500);
	}

	async getAlert(id: string): Promise<AlertRow | null> {
		const a = this.t.alerts;
		const [row] = await this.db.select().from(a).where(eq(a.id, id)).limit(1);
		return row ?? null;
	}

	/**
	 * A reading over its threshold: one open (unacknowledged) alert per community and kind, which
	 * follows the value while open; once acknowledged, the kind is not raised again the same day.
	 * Read and written in one writer transaction, so two evaluators can never both raise it.
	 * Returns whether a new alert was raised.
	 */
	raiseAlert(
		communityCode: string,
		reading: { kind: string; value: number; threshold: number },
		clock: DayClock
	): Promise<boolean> {
		const a = this.t.alerts;
		return this.driver.transaction(async (tx) => {
			const [latest] = await tx
				.select()
				.from(a)
				.where(and(eq(a.communityCode, communityCode), eq(a.kind, reading.kind)))
				.orderBy(desc(a.raisedAt))
				.limit(1);
			if (latest && latest.acknowledgedAt === null) {
				if (latest.value !== reading.value || latest.threshold !== reading.threshold)
					await tx
						.update(a)
						.set({ value: reading.value, threshold: reading.threshold })
						.where(eq(a.id, latest.id));
				return false;
			}
			const today = dayInZone(clock.now, clock.timeZone);
			if (latest && dayInZone(latest.raisedAt, clock.timeZone) === today) return false;
			await tx.insert(a).values({
				id: crypto.randomUUID(),
				communityCode,
				kind: reading.kind,
				value: reading.value,
				threshold: reading.threshold,
				raisedAt: clock.now,
				acknowledgedBy: null,
				acknowledgedAt: null
			});
			return true;
		});
	}

	async updateAlert(id: string, set: Partial<AlertRow>): Promise<void> {
		const a = this.t.alerts;
		await this.db.update(a).set(set).where(eq(a.id, id));
	}

	/** Every community code (for the periodic alert evaluation). */
	/**
	 * Live households whose due day was never worked out (stored before care tiers), at most
	 * `limit`: the partial index households_due_unknown_idx holds only those.
	 */
	async householdsWithoutDueDay(limit: number): Promise<string[]> {
		const h = this.t.households;
		const rows = await this.db
			.select({ id: h.id })
			.from(h)
			.where(and(isNull(h.dueOn), eq(h.deleted, false)))
			.limit(limit);
		return rows.map((r) => r.id);
	}

	async communitiesWithGrids(): Promise<string[]> {
		const g = this.t.grids;
		const rows = await this.db.selectDistinct({ code: g.communityCode }).from(g);
		return rows.map((r) => r.code);
	}
}

function toDate(v: unknown): Date | null {
	if (v === null || v === undefined) return null;
	if (v instanceof Date) return v;
	// SQLite keeps timestamps as epoch milliseconds; PostgreSQL's max() comes back as text.
	const d = typeof v === 'number' ? new Date(v) : new Date(String(v));
	return Number.isNaN(d.getTime()) ? null : d;
}
