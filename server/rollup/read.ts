// Reading figures for a node and its children: one primary-key lookup for the stored figures
// of every node asked for, plus one range count of overdue incidents (see store.ts).
import type { NodeLevel } from '../../src/lib/shared/enums';
import type { Store } from '../store/types';
import { dayPeriod, NOW, zeroMetrics, type Metrics, type MetricName } from './metrics';
import { levelOf } from './nodes';
import { dayInZone } from '../../src/lib/domain/day';

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

/** Which stored period each metric is read from. Check-ins are daily: a round shows today's. */
function periodOf(metric: MetricName, period: string, today: string): string {
	switch (metric) {
		case 'households':
		case 'openIncidents':
		case 'checkinsExpected':
			return NOW;
		case 'checkinsDone':
			return period.startsWith('day:') ? period : dayPeriod(today);
		default:
			return period;
	}
}

/**
 * Metrics of a node and of its children for a period ("day:…" or "round:…"), at `now`.
 * Returns one Metrics per code, in the order asked.
 */
export async function readMetrics(
	store: Store,
	node: { code: string; level: NodeLevel },
	childCodes: string[],
	period: string,
	now: Date,
	timeZone: string
): Promise<Map<string, Metrics>> {
	const sup = store.supervision();
	const today = dayInZone(now, timeZone);
	const codes = [node.code, ...childCodes];
	const periods = [...new Set([period, NOW, dayPeriod(today)])];
	const rows = await sup.figures(codes, periods);
	const stored = new Map<string, number>();
	for (const r of rows) stored.set(`${r.nodeCode}|${r.period}|${r.metric}`, r.value);

	const overdue = new Map<string, number>();
	if (node.level === 'grid') overdue.set(node.code, await sup.overdueOfGrid(node.code, now));
	else {
		const byChild = await sup.overdueByChild(node.code, CHILD_LENGTH[node.level] ?? null, now);
		let total = 0;
		for (const [code, n] of byChild) {
			overdue.set(code, n);
			total += n;
		}
		overdue.set(node.code, total);
	}

	const out = new Map<string, Metrics>();
	for (const code of codes) {
		const m = zeroMetrics();
		for (const metric of [
			'households',
			'visitedHouseholds',
			'visits',
			'abnormalResidents',
			'openIncidents',
			'checkinsExpected',
			'checkinsDone'
		] as const)
			m[metric] = stored.get(`${code}|${periodOf(metric, period, today)}|${metric}`) ?? 0;
		m.missedCheckins = Math.max(0, m.checkinsExpected - m.checkinsDone);
		m.overdueIncidents = overdue.get(code) ?? 0;
		out.set(code, m);
	}
	return out;
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
	const rows = await store.supervision().figures([code], [...unique.map(dayPeriod), NOW]);
	const stored = new Map<string, number>();
	for (const r of rows) stored.set(`${r.period}|${r.metric}`, r.value);
	const level = levelOf(code);
	const sup = store.supervision();
	const overdueNow =
		level === 'grid'
			? await sup.overdueOfGrid(code, now)
			: [...(await sup.overdueByChild(code, CHILD_LENGTH[level] ?? null, now)).values()].reduce(
					(a, b) => a + b,
					0
				);
	return unique.map((date) => {
		const m = zeroMetrics();
		const period = dayPeriod(date);
		for (const metric of [
			'visitedHouseholds',
			'visits',
			'abnormalResidents',
			'checkinsDone'
		] as const)
			m[metric] = stored.get(`${period}|${metric}`) ?? 0;
		// State metrics are kept for "now" only: each day shows the current value.
		for (const metric of ['households', 'openIncidents', 'checkinsExpected'] as const)
			m[metric] = stored.get(`${NOW}|${metric}`) ?? 0;
		m.missedCheckins = Math.max(0, m.checkinsExpected - m.checkinsDone);
		m.overdueIncidents = overdueNow;
		return { date, metrics: m };
	});
}
