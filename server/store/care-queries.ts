// What the care tiers read from the stored rows (docs/care-tiers.md): a household's last visit,
// its signals since, its residents' tags and its community's visit frequencies. Indexed lookups
// by household id only (visits, residents and incidents each have one), so the cost follows the
// households asked about. The write path (server/write/care.ts) adds the batch's own rows.
import { and, eq, gte, inArray, max } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import {
	DEFAULT_VISIT_FREQUENCY,
	earlierSignal,
	visitFrequencySchema,
	type DueSignal,
	type Signal,
	type VisitFrequency
} from '../../src/lib/domain/care';
import { dayInZone, startOfDayInZone } from '../../src/lib/domain/day';
import type { Db, Tables } from './driver';

/** Where a community's settings are stored in the settings table. */
export const communitySettingsKey = (code: string) => `community:${code}`;

export interface CareReader {
	db: Db;
	t: Tables;
	oneOf(column: PgColumn, values: string[]): SQL;
}

/** A community's visit frequencies: what it stored, defaults for what it did not. */
export async function visitFrequencyOf(r: CareReader, code: string): Promise<VisitFrequency> {
	const s = r.t.settings;
	const [row] = await r.db
		.select({ value: s.value })
		.from(s)
		.where(eq(s.key, communitySettingsKey(code)))
		.limit(1);
	const stored = (row?.value as { visitFrequency?: unknown } | undefined)?.visitFrequency;
	const parsed = visitFrequencySchema.partial().safeParse(stored ?? {});
	return { ...DEFAULT_VISIT_FREQUENCY, ...(parsed.success ? parsed.data : {}) };
}

/** Per household, the day of its last stored visit with outcome `visited`. */
export async function lastVisitedDays(
	r: CareReader,
	householdIds: string[]
): Promise<Map<string, string>> {
	const v = r.t.visits;
	const out = new Map<string, string>();
	if (householdIds.length === 0) return out;
	for (const row of await r.db
		.select({ householdId: v.householdId, day: max(v.day) })
		.from(v)
		.where(and(r.oneOf(v.householdId, householdIds), eq(v.outcome, 'visited')))
		.groupBy(v.householdId))
		if (row.day) out.set(row.householdId, row.day);
	return out;
}

/** A stored help request: its household and the day it was made, and its id (the batch may hold a newer category). */
export interface StoredHelpRequest {
	id: string;
	householdId: string;
	day: string;
}

/**
 * Per household, its earliest stored signal on or after `since` (every one when null):
 * abnormal visits, unwell or need-help check-ins of any of its residents, and help requests
 * (their ids returned apart, as `requests`, for the caller to check against its own rows).
 */
export async function storedSignals(
	r: CareReader,
	since: Map<string, string | null>,
	timeZone: string
): Promise<{ signals: Map<string, Signal>; requests: StoredHelpRequest[] }> {
	const signals = new Map<string, Signal>();
	const requests: StoredHelpRequest[] = [];
	const ids = [...since.keys()];
	if (ids.length === 0) return { signals, requests };
	const floors = [...since.values()];
	const from = floors.some((d) => d === null) ? null : floors.sort()[0];
	const counts = (householdId: string, day: string) => {
		const floor = since.get(householdId);
		return floor === null || floor === undefined || day >= floor;
	};
	const add = (householdId: string, day: string, kind: DueSignal) => {
		if (!counts(householdId, day)) return;
		signals.set(householdId, earlierSignal(signals.get(householdId) ?? null, { day, kind })!);
	};
	const { visits: v, checkins: c, residents: res, incidents: i } = r.t;
	for (const row of await r.db
		.selectDistinct({ householdId: v.householdId, day: v.day })
		.from(v)
		.where(
			and(r.oneOf(v.householdId, ids), eq(v.abnormal, true), from ? gte(v.day, from) : undefined)
		))
		add(row.householdId, row.day, 'abnormal');
	for (const row of await r.db
		.selectDistinct({ householdId: res.householdId, day: c.day, status: c.status })
		.from(c)
		.innerJoin(res, eq(res.id, c.residentId))
		.where(
			and(
				r.oneOf(res.householdId, ids),
				inArray(c.status, ['unwell', 'need_help']),
				from ? gte(c.day, from) : undefined
			)
		))
		add(row.householdId, row.day, row.status as DueSignal);
	for (const row of await r.db
		.select({ id: i.id, householdId: i.householdId, createdAt: i.createdAt })
		.from(i)
		.where(
			and(
				r.oneOf(i.householdId, ids),
				eq(i.category, 'help_request'),
				from ? gte(i.createdAt, startOfDayInZone(from, timeZone)) : undefined
			)
		))
		if (row.householdId)
			requests.push({
				id: row.id,
				householdId: row.householdId,
				day: dayInZone(row.createdAt, timeZone)
			});
	return { signals, requests };
}

/** Tags of the stored residents (not deleted) of some households, with the residents' ids. */
export async function storedResidentTags(
	r: CareReader,
	householdIds: string[]
): Promise<{ id: string; householdId: string; tags: string[]; deleted: boolean }[]> {
	if (householdIds.length === 0) return [];
	const res = r.t.residents;
	return r.db
		.select({ id: res.id, householdId: res.householdId, tags: res.tags, deleted: res.deleted })
		.from(res)
		.where(r.oneOf(res.householdId, householdIds));
}

/** Ids of the live households of a community's grids. */
export async function householdIdsOfCommunity(r: CareReader, code: string): Promise<string[]> {
	const { households: h, grids: g } = r.t;
	const rows = await r.db
		.select({ id: h.id })
		.from(h)
		.innerJoin(g, eq(g.id, h.gridId))
		.where(and(eq(g.communityCode, code), eq(h.deleted, false)));
	return rows.map((x) => x.id);
}
