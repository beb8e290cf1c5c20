// The grid's household list: one summary per household built from the cached rows of the grid,
// then searched and filtered in memory. Building is linear in the grid's rows; a search or a
// filter is a single pass over the summaries (a few hundred), so typing stays instant.
import type { HouseholdTag, IncidentCategory, IncidentStatus, VisitOutcome } from '../shared/enums';
import { inRange, type TimeRange } from './calendar';
import { dueState, type VisitFrequency } from './care';
import { dayVisitsByHousehold, effectiveDue, type DayVisit, type DueHousehold } from './due-visits';

export interface HouseholdSummary {
	id: string;
	address: string;
	tags: string[];
	memberCount: number;
	/** Residents' names in the order they are stored. */
	names: string[];
	visitedThisMonth: boolean;
	lastVisitAt: string | null;
	lastVisitOutcome: VisitOutcome | null;
	lastVisitAbnormal: boolean;
	openHelpRequests: number;
	/** A visit of this household is still waiting to reach the server. */
	pendingVisit: boolean;
	/** Due for a visit today or overdue (docs/care-tiers.md), this device's visits counted. */
	due: 'overdue' | 'due' | null;
	/** Lower-case text a search looks in: address, names and the words of the tags. */
	searchText: string;
}

export const HOUSEHOLD_FILTERS = [
	'not_visited',
	'due',
	'overdue',
	'elderly_alone',
	'abnormal',
	'help'
] as const;
export type HouseholdFilter = (typeof HOUSEHOLD_FILTERS)[number];

export interface GridRows {
	households: readonly (DueHousehold & {
		id: string;
		address: string;
		tags: string[];
		memberCount?: number;
	})[];
	residents: readonly { householdId: string; name: string }[];
	/** Any order. */
	visits: readonly {
		householdId: string;
		visitedAt: string;
		/** Calendar day in the deployment's zone, as the server sends it. */
		day?: string;
		outcome: VisitOutcome;
		abnormal: boolean;
	}[];
	incidents: readonly {
		householdId: string | null;
		category: IncidentCategory;
		status: IncidentStatus;
	}[];
	/** Households with a visit in the outbox. */
	pendingVisitHouseholds: ReadonlySet<string>;
}

export interface SummaryOptions {
	month: TimeRange;
	/** Words a person may search a tag by (e.g. its label in every language). */
	tagWords: (tag: string) => string[];
	/** Orders addresses as people read them ("2号" before "12号"). */
	compareAddress: (a: string, b: string) => number;
	/** What "due" is measured against; without it no household is due (a screen not showing it). */
	care?: DueOptions;
}

export interface DueOptions {
	/** Today in the deployment's zone, YYYY-MM-DD. */
	today: string;
	timeZone: string;
	frequency: VisitFrequency;
}

export const ELDERLY_ALONE: HouseholdTag = 'elderly_alone';

/** One summary per household, sorted by address. */
export function summarizeHouseholds(rows: GridRows, options: SummaryOptions): HouseholdSummary[] {
	const names = new Map<string, string[]>();
	for (const resident of rows.residents) {
		const list = names.get(resident.householdId);
		if (list) list.push(resident.name);
		else names.set(resident.householdId, [resident.name]);
	}
	const lastVisit = new Map<string, GridRows['visits'][number]>();
	const visitedThisMonth = new Set<string>();
	const care = options.care;
	const dayVisits = care
		? dayVisitsByHousehold(rows.visits, care.timeZone)
		: new Map<string, DayVisit[]>();
	for (const visit of rows.visits) {
		const previous = lastVisit.get(visit.householdId);
		if (!previous || visit.visitedAt > previous.visitedAt) lastVisit.set(visit.householdId, visit);
		if (inRange(visit.visitedAt, options.month)) visitedThisMonth.add(visit.householdId);
	}
	const help = new Map<string, number>();
	for (const incident of rows.incidents) {
		if (incident.category !== 'help_request' || incident.status === 'closed') continue;
		if (!incident.householdId) continue;
		help.set(incident.householdId, (help.get(incident.householdId) ?? 0) + 1);
	}
	const summaries = rows.households.map((household): HouseholdSummary => {
		const members = names.get(household.id) ?? [];
		const last = lastVisit.get(household.id);
		const tagText = household.tags.flatMap((tag) => [tag, ...options.tagWords(tag)]);
		const due = care && effectiveDue(household, dayVisits.get(household.id) ?? [], care.frequency);
		return {
			id: household.id,
			address: household.address,
			tags: household.tags,
			memberCount: household.memberCount ?? members.length,
			names: members,
			visitedThisMonth: visitedThisMonth.has(household.id),
			lastVisitAt: last?.visitedAt ?? null,
			lastVisitOutcome: last?.outcome ?? null,
			lastVisitAbnormal: last?.abnormal ?? false,
			openHelpRequests: help.get(household.id) ?? 0,
			pendingVisit: rows.pendingVisitHouseholds.has(household.id),
			due: care && due ? dueState(due.dueOn, care.today) : null,
			searchText: [household.address, ...members, ...tagText].join('\n').toLowerCase()
		};
	});
	return summaries.sort((a, b) => options.compareAddress(a.address, b.address));
}

const FILTER_TESTS: Record<HouseholdFilter, (summary: HouseholdSummary) => boolean> = {
	not_visited: (s) => !s.visitedThisMonth,
	due: (s) => s.due !== null,
	overdue: (s) => s.due === 'overdue',
	elderly_alone: (s) => s.tags.includes(ELDERLY_ALONE),
	abnormal: (s) => s.lastVisitAbnormal,
	help: (s) => s.openHelpRequests > 0
};

/** Every word of the query must occur (in address, a name or a tag) and every filter must hold. */
export function filterHouseholds(
	summaries: readonly HouseholdSummary[],
	query: string,
	filters: readonly HouseholdFilter[]
): HouseholdSummary[] {
	const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
	const tests = filters.map((filter) => FILTER_TESTS[filter]);
	if (terms.length === 0 && tests.length === 0) return [...summaries];
	return summaries.filter(
		(summary) =>
			tests.every((test) => test(summary)) &&
			terms.every((term) => summary.searchText.includes(term))
	);
}

export interface Coverage {
	households: number;
	visitedHouseholds: number;
	visitsToday: number;
}

/** Households of a grid, distinct households visited in the month, and visit records today. */
export function coverageOf(
	householdIds: readonly string[],
	visits: readonly { householdId: string; visitedAt: string }[],
	month: TimeRange,
	today: TimeRange
): Coverage {
	const ids = new Set(householdIds);
	const visited = new Set<string>();
	let visitsToday = 0;
	for (const visit of visits) {
		if (!ids.has(visit.householdId)) continue;
		if (inRange(visit.visitedAt, month)) visited.add(visit.householdId);
		if (inRange(visit.visitedAt, today)) visitsToday += 1;
	}
	return { households: ids.size, visitedHouseholds: visited.size, visitsToday };
}
