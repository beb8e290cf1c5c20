// Reading figures for a node and its children: one primary-key lookup for the stored figures
// of every node asked for, plus, for a past day, one primary-key lookup of the day whose
// end-of-day snapshot it reads. Every figure comes from the figure tables (rollup_figures,
// rollup_days), never from the rows they count, so a roll-up-only server whose figures arrive by
// replication answers the same (docs/scaling.md). The nation (node "00") is the sum of its
// provinces, each read with its own frozen days.
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
import { addDays, dayInZone } from '../../src/lib/domain/day';
import { MAX_GAP_DAYS } from './snapshots';

export interface RollupNode {
	code: string;
	name: string;
	level: NodeLevel;
}

/** Where the state metrics of a period are read, and its overdue incidents. */
interface StateSource {
	/** "now" (the live figures) or the "day:…" period of a frozen day's snapshot. */
	period: string;
	/** The "day:…" period whose stored overdue incidents and due figures are read; null: live. */
	overduePeriod: string | null;
}

/**
 * Today, a later day and a round read the live state figures. A past day that is frozen reads
 * the snapshot of its state day and its own overdue count (snapshots.ts); a day before the first
 * one frozen reads that one's, the best known. When no day since has been frozen yet (just past
 * midnight, until the first write or job run of the day), nothing has changed since the day
 * ended but the clock: the live figures. `frozen` lists the frozen days from the day on, oldest
 * first.
 */
function stateSource(
	day: string | null,
	today: string,
	frozen: { day: string; stateDay: string }[]
): StateSource {
	const live = { period: NOW, overduePeriod: null };
	if (day === null || day >= today) return live;
	const first = frozen.find((f) => f.day >= day && f.day < today);
	return first ? { period: dayPeriod(first.stateDay), overduePeriod: dayPeriod(first.day) } : live;
}

/** The province whose frozen days a node reads: a division's own; a grid reads its database's. */
export function provinceOf(node: { code: string; level: NodeLevel }): string | null {
	return node.level === 'grid' ? null : node.code.slice(0, 2);
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

/** Add metrics (and question figures) of parts into a sum. */
function addInto(
	sum: { metrics: Metrics; questions: QuestionFigures },
	part: { metrics: Metrics; questions: QuestionFigures }
): void {
	for (const key of Object.keys(sum.metrics) as MetricName[]) sum.metrics[key] += part.metrics[key];
	for (const [key, q] of Object.entries(part.questions)) {
		const s = (sum.questions[key] ??= { asked: 0, abnormal: 0 });
		s.asked += q.asked;
		s.abnormal += q.abnormal;
	}
}

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
 * from the same figure rows, zeros when nothing was answered. The nation's children are its
 * provinces, and its figures their sum.
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
	if (node.level === 'nation') {
		const total = {
			metrics: zeroMetrics(),
			questions: Object.fromEntries(questionKeys.map((k) => [k, { asked: 0, abnormal: 0 }]))
		};
		const provinces = await Promise.all(
			childCodes.map(async (code) => {
				const province = { code, level: 'province' as const };
				const figures = await readFigures(store, province, [], period, now, timeZone, questionKeys);
				return [code, figures.get(code)!] as const;
			})
		);
		for (const [, f] of provinces) addInto(total, f);
		return new Map([[node.code, total], ...provinces]);
	}
	const rollup = store.rollup();
	const today = dayInZone(now, timeZone);
	const codes = [node.code, ...childCodes];
	const day = dayOf(period);
	const province = provinceOf(node);
	const frozen =
		day !== null && day < today ? await rollup.frozenDays(province, day, today, 1) : [];
	const state = stateSource(day, today, frozen);
	// Due figures: a frozen day's own, else the live ones moved to the day (today for a round).
	const dueDay = day !== null && day < today ? day : today;
	const asOf = state.overduePeriod ? null : await rollup.dueAsOf(province);
	const clockPeriod = state.overduePeriod ?? NOW;
	const periods = [
		period,
		state.period,
		dayPeriod(today),
		clockPeriod,
		...dueDaysBetween(asOf, dueDay).map(duePeriod)
	];
	const rows = await rollup.figures(codes, [...new Set(periods)]);
	const stored = new Map<string, number>();
	for (const r of rows) stored.set(`${r.nodeCode}|${r.period}|${r.metric}`, r.value);

	const out = new Map<string, { metrics: Metrics; questions: QuestionFigures }>();
	for (const code of codes) {
		const m = zeroMetrics();
		for (const metric of STORED)
			m[metric] = stored.get(`${code}|${periodOf(metric, period, today, state)}|${metric}`) ?? 0;
		m.missedCheckins = Math.max(0, m.checkinsExpected - m.checkinsDone);
		m.overdueIncidents = stored.get(`${code}|${clockPeriod}|overdueIncidents`) ?? 0;
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

/** The last `days` days to `now`, oldest first, each once. */
function trendDates(days: number, now: Date, timeZone: string): string[] {
	const dates: string[] = [];
	for (let i = days - 1; i >= 0; i--)
		dates.push(dayInZone(new Date(now.getTime() - i * 86_400_000), timeZone));
	return [...new Set(dates)];
}

/**
 * Daily metrics of one node for the last `days` days (oldest first; days with nothing are
 * zeros). The nation's are the sum of its provinces' (`provinces`).
 */
export async function readTrend(
	store: Store,
	code: string,
	days: number,
	now: Date,
	timeZone: string,
	provinces: string[] = []
): Promise<{ date: string; metrics: Metrics }[]> {
	const level = levelOf(code);
	if (level === 'nation') {
		const parts = await Promise.all(provinces.map((p) => readTrend(store, p, days, now, timeZone)));
		const total = trendDates(days, now, timeZone).map((date) => ({
			date,
			metrics: zeroMetrics(),
			questions: {}
		}));
		for (const part of parts)
			part.forEach((d, i) => addInto(total[i], { metrics: d.metrics, questions: {} }));
		return total.map(({ date, metrics }) => ({ date, metrics }));
	}
	const unique = trendDates(days, now, timeZone);
	const today = dayInZone(now, timeZone);
	const rollup = store.rollup();
	const province = provinceOf({ code, level });
	const frozen = await rollup.frozenDays(province, unique[0], today, unique.length);
	const sources = unique.map((date) => stateSource(date, today, frozen));
	const asOf = sources.some((s) => !s.overduePeriod) ? await rollup.dueAsOf(province) : null;
	const periods = new Set([
		...unique.map(dayPeriod),
		...sources.flatMap((s) => [s.period, s.overduePeriod ?? NOW]),
		...dueDaysBetween(asOf, today).map(duePeriod)
	]);
	const rows = await rollup.figures([code], [...periods]);
	const stored = new Map<string, number>();
	for (const r of rows) stored.set(`${r.period}|${r.metric}`, r.value);
	return unique.map((date, i) => {
		const m = zeroMetrics();
		const period = dayPeriod(date);
		const state = sources[i];
		for (const metric of STORED)
			m[metric] = stored.get(`${periodOf(metric, period, today, state)}|${metric}`) ?? 0;
		m.missedCheckins = Math.max(0, m.checkinsExpected - m.checkinsDone);
		m.overdueIncidents = stored.get(`${state.overduePeriod ?? NOW}|overdueIncidents`) ?? 0;
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
