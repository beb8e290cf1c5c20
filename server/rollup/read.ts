// Reading figures for a node and its children: one primary-key lookup for the stored figures
// of every node asked for, plus, today, one range count of overdue incidents (queries.ts), or,
// for a past day, one primary-key lookup of the day whose end-of-day snapshot it reads.
import type { NodeLevel } from '../../src/lib/shared/enums';
import type { Store } from '../store/types';
import {
	dayPeriod,
	duePeriod,
	NOW,
	questionMetric,
	zeroMetrics,
	type Metrics,
	type MetricName
} from './metrics';
import type { QuestionFigures } from '../../src/lib/shared/metrics';
import { countedKeys, type Question } from '../../src/lib/shared/templates';
import { levelOf } from './nodes';
import { addDays, dayInZone, endOfDayInZone } from '../../src/lib/domain/day';
import { MAX_GAP_DAYS } from './snapshots';

export interface RollupNode {
	code: string;
	name: string;
	level: NodeLevel;
}

/** Code length of a division level's children; null when the children are grids. */
const CHILD_LENGTH: Partial<Record<NodeLevel, number | null>> = {
	province: 4,
	city: 6,
	county: 9,
	street: 12,
	community: null
};

/** Where the state metrics of a period are read, and its overdue incidents. */
interface StateSource {
	/** "now" (the live figures) or the "day:…" period of a frozen day's snapshot. */
	period: string;
	/** The "day:…" period whose stored overdue incidents are read; null: counted live. */
	overduePeriod: string | null;
	/** The instant overdue incidents are counted at when they are counted live. */
	overdueAt: Date;
}

/**
 * Today, a later day and a round read the live state figures, with overdue incidents counted
 * now. A past day that is frozen reads the snapshot of its state day and its own overdue count
 * (snapshots.ts); a day before the first one frozen reads that one's, the best known. When no
 * day since has been frozen yet (just past midnight), nothing has changed since the day ended:
 * the live figures, with overdue incidents counted at the day's end. `frozen` lists the frozen
 * days from the day on, oldest first.
 */
function stateSource(
	day: string | null,
	today: string,
	frozen: { day: string; stateDay: string }[],
	now: Date,
	timeZone: string
): StateSource {
	if (day === null || day >= today) return { period: NOW, overduePeriod: null, overdueAt: now };
	const first = frozen.find((f) => f.day >= day && f.day < today);
	return first
		? {
				period: dayPeriod(first.stateDay),
				overduePeriod: dayPeriod(first.day),
				overdueAt: now
			}
		: { period: NOW, overduePeriod: null, overdueAt: endOfDayInZone(day, timeZone) };
}

const dayOf = (period: string) => (period.startsWith('day:') ? period.slice(4) : null);

/** Which stored period each metric is read from. Check-ins are daily: a round shows today's. */
function periodOf(metric: MetricName, period: string, today: string, state: StateSource): string {
	switch (metric) {
		case 'households':
		case 'openIncidents':
		case 'checkinsExpected':
			return state.period;
		case 'checkinsDone':
			return period.startsWith('day:') ? period : dayPeriod(today);
		default:
			return period;
	}
}

/** Overdue incidents at an instant: of one grid, or per child of a division and in all. */
async function overdueAt(
	store: Store,
	node: { code: string; level: NodeLevel },
	at: Date
): Promise<Map<string, number>> {
	const rollup = store.rollup();
	const overdue = new Map<string, number>();
	if (node.level === 'grid') overdue.set(node.code, await rollup.overdueOfGrid(node.code, at));
	else {
		const byChild = await rollup.overdueByChild(node.code, CHILD_LENGTH[node.level] ?? null, at);
		let total = 0;
		for (const [code, n] of byChild) {
			overdue.set(code, n);
			total += n;
		}
		overdue.set(node.code, total);
	}
	return overdue;
}

/**
 * Households due and overdue for a visit at day `day` from the live figures counted at `asOf`
 * (docs/care-tiers.md): the households due on the days between, not yet moved in by the day's
 * first job run (just past midnight), are added as that run will add them.
 */
function liveDue(
	stored: (period: string, metric: string) => number,
	asOf: string | null,
	day: string
): { visitsDue: number; visitsOverdue: number } {
	let visitsDue = stored(NOW, 'visitsDue');
	let visitsOverdue = stored(NOW, 'visitsOverdue');
	for (const d of dueDaysBetween(asOf, day)) {
		const n = stored(duePeriod(d), 'households');
		if (d > asOf!) visitsDue += n;
		if (d < day) visitsOverdue += n;
	}
	return { visitsDue, visitsOverdue };
}

/** The days from `asOf` to `day` (both included) whose due rows liveDue reads; none when equal. */
function dueDaysBetween(asOf: string | null, day: string): string[] {
	const days: string[] = [];
	if (asOf === null) return days;
	for (let d = asOf; d <= day && days.length <= MAX_GAP_DAYS; d = addDays(d, 1)) days.push(d);
	return days.length > 1 ? days : [];
}

const STORED = [
	'households',
	'visitedHouseholds',
	'visits',
	'abnormalResidents',
	'openIncidents',
	'checkinsExpected',
	'checkinsDone'
] as const;

/**
 * Metrics of a node and of its children for a period ("day:…" or "round:…"), at `now`.
 * Returns one Metrics per code, in the order asked. A past day costs one more primary-key lookup
 * (its snapshot day) and no count of overdue incidents.
 */
export async function readMetrics(
	store: Store,
	node: { code: string; level: NodeLevel },
	childCodes: string[],
	period: string,
	now: Date,
	timeZone: string
): Promise<Map<string, Metrics>> {
	const figures = await readFigures(store, node, childCodes, period, now, timeZone, []);
	return new Map([...figures].map(([code, f]) => [code, f.metrics]));
}

/**
 * readMetrics, and for a round's period the question figures of `questionKeys` (the counted
 * keys of the round's template version, in its order; docs/check-templates.md, "Figures"): read
 * from the same figure rows, zeros when nothing was answered.
 */
export async function readFigures(
	store: Store,
	node: { code: string; level: NodeLevel },
	childCodes: string[],
	period: string,
	now: Date,
	timeZone: string,
	questionKeys: readonly string[]
): Promise<Map<string, { metrics: Metrics; questions: QuestionFigures }>> {
	const rollup = store.rollup();
	const today = dayInZone(now, timeZone);
	const codes = [node.code, ...childCodes];
	const day = dayOf(period);
	const frozen = day !== null && day < today ? await rollup.frozenDays(day, today, 1) : [];
	const state = stateSource(day, today, frozen, now, timeZone);
	// Due figures: a frozen day's own, else the live ones moved to the day (today for a round).
	const dueDay = day !== null && day < today ? day : today;
	const asOf = state.overduePeriod ? null : await rollup.dueAsOf();
	const periods = [
		period,
		state.period,
		dayPeriod(today),
		state.overduePeriod ?? NOW,
		...dueDaysBetween(asOf, dueDay).map(duePeriod)
	];
	const rows = await rollup.figures(codes, [...new Set(periods)]);
	const stored = new Map<string, number>();
	for (const r of rows) stored.set(`${r.nodeCode}|${r.period}|${r.metric}`, r.value);
	const overdue = state.overduePeriod ? null : await overdueAt(store, node, state.overdueAt);

	const out = new Map<string, { metrics: Metrics; questions: QuestionFigures }>();
	for (const code of codes) {
		const m = zeroMetrics();
		for (const metric of STORED)
			m[metric] = stored.get(`${code}|${periodOf(metric, period, today, state)}|${metric}`) ?? 0;
		m.missedCheckins = Math.max(0, m.checkinsExpected - m.checkinsDone);
		m.overdueIncidents = overdue
			? (overdue.get(code) ?? 0)
			: (stored.get(`${code}|${state.overduePeriod}|overdueIncidents`) ?? 0);
		const at = (p: string, metric: string) => stored.get(`${code}|${p}|${metric}`) ?? 0;
		Object.assign(
			m,
			state.overduePeriod
				? {
						visitsDue: at(state.overduePeriod, 'visitsDue'),
						visitsOverdue: at(state.overduePeriod, 'visitsOverdue')
					}
				: liveDue(at, asOf, dueDay)
		);
		const questions: QuestionFigures = {};
		for (const key of questionKeys)
			questions[key] = {
				asked: stored.get(`${code}|${period}|${questionMetric(key, 'asked')}`) ?? 0,
				abnormal: stored.get(`${code}|${period}|${questionMetric(key, 'abnormal')}`) ?? 0
			};
		out.set(code, { metrics: m, questions });
	}
	return out;
}

/**
 * The questions a round's figures count, in its pinned version's order: those with an abnormal
 * rule (countedKeys). None for a round without a template.
 */
export async function roundQuestions(
	store: Store,
	round: { templateId: string | null; templateVersion: number | null }
): Promise<Question[]> {
	if (!round.templateId || round.templateVersion === null) return [];
	const questions =
		(await store.templates().get(round.templateId, round.templateVersion))?.questions ?? [];
	const counted = new Set(countedKeys(questions));
	return questions.filter((q) => counted.has(q.key));
}

/** Daily metrics of one node for the last `days` days (oldest first; days with nothing are zeros). */
export async function readTrend(
	store: Store,
	code: string,
	days: number,
	now: Date,
	timeZone: string
): Promise<{ date: string; metrics: Metrics }[]> {
	const dates: string[] = [];
	for (let i = days - 1; i >= 0; i--)
		dates.push(dayInZone(new Date(now.getTime() - i * 86_400_000), timeZone));
	const unique = [...new Set(dates)];
	const today = dayInZone(now, timeZone);
	const rollup = store.rollup();
	const frozen = await rollup.frozenDays(unique[0], today, unique.length);
	const sources = unique.map((date) => stateSource(date, today, frozen, now, timeZone));
	const asOf = sources.some((s) => !s.overduePeriod) ? await rollup.dueAsOf() : null;
	const periods = new Set([
		...unique.map(dayPeriod),
		...sources.flatMap((s) => [s.period, s.overduePeriod ?? NOW]),
		...dueDaysBetween(asOf, today).map(duePeriod)
	]);
	const rows = await rollup.figures([code], [...periods]);
	const stored = new Map<string, number>();
	for (const r of rows) stored.set(`${r.period}|${r.metric}`, r.value);
	// Overdue incidents counted live: today, and the past days no snapshot covers yet (rare).
	const node = { code, level: levelOf(code) };
	const counted = new Map<number, number>();
	for (const s of sources)
		if (!s.overduePeriod && !counted.has(s.overdueAt.getTime()))
			counted.set(
				s.overdueAt.getTime(),
				(await overdueAt(store, node, s.overdueAt)).get(code) ?? 0
			);
	return unique.map((date, i) => {
		const m = zeroMetrics();
		const period = dayPeriod(date);
		const state = sources[i];
		for (const metric of STORED)
			m[metric] = stored.get(`${periodOf(metric, period, today, state)}|${metric}`) ?? 0;
		m.missedCheckins = Math.max(0, m.checkinsExpected - m.checkinsDone);
		m.overdueIncidents = state.overduePeriod
			? (stored.get(`${state.overduePeriod}|overdueIncidents`) ?? 0)
			: counted.get(state.overdueAt.getTime())!;
		const at = (p: string, metric: string) => stored.get(`${p}|${metric}`) ?? 0;
		Object.assign(
			m,
			state.overduePeriod
				? {
						visitsDue: at(state.overduePeriod, 'visitsDue'),
						visitsOverdue: at(state.overduePeriod, 'visitsOverdue')
					}
				: liveDue(at, asOf, date < today ? date : today)
		);
		return { date, metrics: m };
	});
}
