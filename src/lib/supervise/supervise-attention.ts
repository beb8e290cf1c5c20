// Pure rules of the supervision screens: what needs attention first, coverage, stale devices,
// incident urgency, totals and the settings form's checks.
import type { IncidentStatus, Severity } from '$lib/shared/enums';
import { METRICS, type Metrics } from '$lib/shared/metrics';
import {
	CARE_TAGS,
	visitFrequencySchema,
	type CareTag,
	type VisitFrequency
} from '$lib/domain/care';

/** Share of households visited, 0–1; a node with no households has nothing left to visit. */
export function coverageShare(metrics: Pick<Metrics, 'households' | 'visitedHouseholds'>): number {
	if (metrics.households <= 0) return 1;
	return Math.min(1, metrics.visitedHouseholds / metrics.households);
}

export function coveragePercent(
	metrics: Pick<Metrics, 'households' | 'visitedHouseholds'>
): number {
	return Math.round(coverageShare(metrics) * 100);
}

/**
 * Children in the order a supervisor should look at them: overdue incidents (most first), then
 * low coverage, then missed elderly check-ins (most first); ties by name so the order is stable.
 */
export function byAttention<T extends { name: string; metrics: Metrics }>(rows: readonly T[]): T[] {
	return [...rows].sort(
		(a, b) =>
			b.metrics.overdueIncidents - a.metrics.overdueIncidents ||
			coverageShare(a.metrics) - coverageShare(b.metrics) ||
			b.metrics.missedCheckins - a.metrics.missedCheckins ||
			a.name.localeCompare(b.name, 'zh-CN', { numeric: true })
	);
}

/** Whether a row deserves a "needs attention" mark (words beside it, not colour alone). */
export function needsAttention(metrics: Metrics): boolean {
	return metrics.overdueIncidents > 0 || metrics.missedCheckins > 0;
}

export function sumMetrics(list: readonly Metrics[]): Metrics {
	const total = Object.fromEntries(METRICS.map((name) => [name, 0])) as Metrics;
	for (const metrics of list) for (const name of METRICS) total[name] += metrics[name];
	return total;
}

export const STALE_SYNC_MS = 24 * 3600_000;

/** A worker whose device has not synced for a day (or never) stands out on the grid table. */
export function isStaleSync(lastSyncAt: string | null, now: Date): boolean {
	if (!lastSyncAt) return true;
	const at = Date.parse(lastSyncAt);
	return Number.isNaN(at) || now.getTime() - at > STALE_SYNC_MS;
}

const SEVERITY_RANK: Record<Severity, number> = { urgent: 0, high: 1, medium: 2, low: 3 };

export interface QueuedIncident {
	id: string;
	status: IncidentStatus;
	severity: Severity;
	dueAt?: string | null;
	createdAt?: string | null;
}

export function isOverdue(incident: QueuedIncident, now: Date): boolean {
	if (incident.status === 'closed' || !incident.dueAt) return false;
	return Date.parse(incident.dueAt) < now.getTime();
}

const timeOf = (value: string | null | undefined) =>
	value ? Date.parse(value) : Number.POSITIVE_INFINITY;

/** The incident queue: overdue first, then by severity, then the nearest due time. */
export function byUrgency<T extends QueuedIncident>(incidents: readonly T[], now: Date): T[] {
	return [...incidents].sort(
		(a, b) =>
			Number(isOverdue(b, now)) - Number(isOverdue(a, now)) ||
			SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
			timeOf(a.dueAt) - timeOf(b.dueAt) ||
			timeOf(a.createdAt) - timeOf(b.createdAt) ||
			a.id.localeCompare(b.id)
	);
}

/** A visit-frequency field of the settings form: `visitFrequency.<tier>` (docs/care-tiers.md). */
export type FrequencyField = `visitFrequency.${CareTag}`;
export const frequencyField = (tag: CareTag): FrequencyField => `visitFrequency.${tag}`;

export type SettingsField =
	| 'checkinCutoff'
	| 'abnormalResidents'
	| 'missedCheckins'
	| 'coverageBehindPct'
	| 'visitsOverdue'
	| FrequencyField;
export type SettingsProblem = 'required' | 'time' | 'whole_number' | 'percent' | 'interval';

export type SettingsInput = {
	checkinCutoff: string;
	abnormalResidents: string;
	missedCheckins: string;
	coverageBehindPct: string;
	visitsOverdue: string;
} & Record<FrequencyField, string>;

export interface ParsedSettings {
	checkinCutoff: string;
	thresholds: {
		abnormalResidents: number;
		missedCheckins: number;
		coverageBehindPct: number;
		visitsOverdue: number;
	};
	visitFrequency: VisitFrequency;
}

/** Check the settings form; every problem names its field. */
export function parseSettings(
	input: SettingsInput
):
	| { ok: true; value: ParsedSettings }
	| { ok: false; problems: Partial<Record<SettingsField, SettingsProblem>> } {
	const problems: Partial<Record<SettingsField, SettingsProblem>> = {};
	const cutoff = input.checkinCutoff.trim();
	if (!cutoff) problems.checkinCutoff = 'required';
	else if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(cutoff)) problems.checkinCutoff = 'time';

	const whole = (field: 'abnormalResidents' | 'missedCheckins' | 'visitsOverdue') => {
		const text = input[field].trim();
		if (!text) problems[field] = 'required';
		else if (!/^\d{1,6}$/.test(text)) problems[field] = 'whole_number';
		return Number(text);
	};
	const abnormalResidents = whole('abnormalResidents');
	const missedCheckins = whole('missedCheckins');
	const visitsOverdue = whole('visitsOverdue');

	const pctText = input.coverageBehindPct.trim();
	const coverageBehindPct = Number(pctText);
	if (!pctText) problems.coverageBehindPct = 'required';
	else if (!/^\d{1,3}$/.test(pctText) || coverageBehindPct > 100)
		problems.coverageBehindPct = 'percent';

	// Days between visits per tier: the range the server takes (visitFrequencySchema).
	const visitFrequency = {} as VisitFrequency;
	for (const tag of CARE_TAGS) {
		const field = frequencyField(tag);
		const text = input[field].trim();
		const days = Number(text);
		if (!text) problems[field] = 'required';
		else if (!/^\d{1,3}$/.test(text) || !visitFrequencySchema.shape[tag].safeParse(days).success)
			problems[field] = 'interval';
		visitFrequency[tag] = days;
	}

	if (Object.keys(problems).length > 0) return { ok: false, problems };
	return {
		ok: true,
		value: {
			checkinCutoff: cutoff,
			thresholds: { abnormalResidents, missedCheckins, coverageBehindPct, visitsOverdue },
			visitFrequency
		}
	};
}

/** Points of a line chart of `values` in a width × height box (y grows downwards). */
export function chartPoints(
	values: readonly number[],
	width: number,
	height: number,
	/** The value drawn at the top; by default the largest value (at least 1). */
	top = Math.max(1, ...values)
): [number, number][] {
	if (values.length === 0) return [];
	const max = Math.max(1, top);
	const step = values.length > 1 ? width / (values.length - 1) : 0;
	return values.map((value, index) => [
		Math.round(index * step * 10) / 10,
		Math.round((height - (value / max) * height) * 10) / 10
	]);
}

export type CoverageBand = 'low' | 'middle' | 'high';

/** The map's colour band for a coverage share (0–1): below 40 %, below 80 %, and the rest. */
export function coverageBand(share: number): CoverageBand {
	if (share < 0.4) return 'low';
	if (share < 0.8) return 'middle';
	return 'high';
}

export type RoundField = 'name' | 'startDate' | 'dueDate';
export type RoundProblem = 'required' | 'date' | 'due_before_start' | 'too_long';

const isDate = (text: string) =>
	/^\d{4}-\d{2}-\d{2}$/.test(text) &&
	!Number.isNaN(Date.parse(`${text}T00:00:00Z`)) &&
	new Date(`${text}T00:00:00Z`).toISOString().startsWith(text);

/** Check the "start a round" form; every problem names its field. */
export function parseRound(input: {
	name: string;
	startDate: string;
	dueDate: string;
}):
	| { ok: true; value: { name: string; startDate: string; dueDate: string } }
	| { ok: false; problems: Partial<Record<RoundField, RoundProblem>> } {
	const problems: Partial<Record<RoundField, RoundProblem>> = {};
	const name = input.name.trim();
	if (!name) problems.name = 'required';
	else if (name.length > 100) problems.name = 'too_long';
	for (const field of ['startDate', 'dueDate'] as const) {
		if (!input[field]) problems[field] = 'required';
		else if (!isDate(input[field])) problems[field] = 'date';
	}
	if (!problems.startDate && !problems.dueDate && input.dueDate < input.startDate)
		problems.dueDate = 'due_before_start';
	if (Object.keys(problems).length > 0) return { ok: false, problems };
	return { ok: true, value: { name, startDate: input.startDate, dueDate: input.dueDate } };
}

/** A Date for a time in milliseconds (screens keep the clock as a number). */
export const dateAt = (millis: number): Date => new Date(millis);
