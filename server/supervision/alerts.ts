// Community alerts, evaluated shortly after a write changes a community's figures or settings
// (alert-scheduler.ts) and by the periodic job (callable with an injected clock): abnormal
// residents today ≥ threshold; missed check-ins after the cut-off ≥ threshold; households
// overdue for a visit ≥ threshold (docs/care-tiers.md); the current
// round's coverage behind schedule within its last 3 days. One open (unacknowledged) alert per
// community and kind: while open it follows the value; once acknowledged, the kind is not raised
// again that day (SupervisionQueries.raiseAlert).
import {
	ALERT_KINDS,
	coverageBehind,
	reachesThreshold,
	type AlertKind
} from '../../src/lib/domain/alerts';
import { dayInZone } from '../../src/lib/domain/day';
import { forbidden, notFound } from '../api-error';
import { lookupNode } from '../auth/nodes';
import type { AlertRow } from '../store/supervision';
import type { Store, UserRow } from '../store/types';
import { mayAcknowledge } from './access';
import { dayPeriod, roundPeriod } from '../rollup/metrics';
import { readMetrics } from '../rollup/read';
import { currentRound } from './rounds';
import { communitySettings } from './settings';

export { ALERT_KINDS, type AlertKind };

const DAY_MS = 86_400_000;

/** Minutes past midnight of an instant in a time zone. */
function minutesInZone(at: Date, timeZone: string): number {
	const parts = new Intl.DateTimeFormat('en-GB', {
		timeZone,
		hour: '2-digit',
		minute: '2-digit',
		hourCycle: 'h23'
	}).formatToParts(at);
	const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
	return get('hour') * 60 + get('minute');
}

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / DAY_MS;

/** What each kind measures now for one community, and its threshold; null when not applicable. */
export async function alertReadings(
	store: Store,
	communityCode: string,
	now: Date,
	timeZone: string
): Promise<{ kind: AlertKind; value: number; threshold: number; raised: boolean }[]> {
	const settings = await communitySettings(store, communityCode);
	const today = dayInZone(now, timeZone);
	const node = { code: communityCode, level: 'community' as const };
	const daily = (await readMetrics(store, node, [], dayPeriod(today), now, timeZone)).get(
		communityCode
	)!;
	const [h, m] = settings.checkinCutoff.split(':').map(Number);
	const afterCutoff = minutesInZone(now, timeZone) >= h * 60 + m;
	const out: { kind: AlertKind; value: number; threshold: number; raised: boolean }[] = [
		{
			kind: 'abnormal_residents',
			value: daily.abnormalResidents,
			threshold: settings.thresholds.abnormalResidents,
			raised: reachesThreshold(daily.abnormalResidents, settings.thresholds.abnormalResidents)
		},
		{
			kind: 'missed_checkins',
			value: daily.missedCheckins,
			threshold: settings.thresholds.missedCheckins,
			raised:
				afterCutoff && reachesThreshold(daily.missedCheckins, settings.thresholds.missedCheckins)
		},
		{
			kind: 'visits_overdue',
			value: daily.visitsOverdue,
			threshold: settings.thresholds.visitsOverdue,
			raised: reachesThreshold(daily.visitsOverdue, settings.thresholds.visitsOverdue)
		}
	];
	const round = await currentRound(store, communityCode, today);
	if (round) {
		const figures = (await readMetrics(store, node, [], roundPeriod(round.id), now, timeZone)).get(
			communityCode
		)!;
		const total = dayNumber(round.dueDate) - dayNumber(round.startDate) + 1;
		const elapsed = dayNumber(today) - dayNumber(round.startDate) + 1;
		const elapsedPct = (100 * elapsed) / total;
		const coveragePct =
			figures.households === 0 ? 100 : (100 * figures.visitedHouseholds) / figures.households;
		const lastDays = dayNumber(round.dueDate) - dayNumber(today) < 3;
		const coverage = coverageBehind(
			coveragePct,
			elapsedPct - settings.thresholds.coverageBehindPct
		);
		out.push({
			kind: 'coverage_behind',
			value: coverage.value,
			threshold: coverage.threshold,
			raised: lastDays && coverage.behind
		});
	}
	return out;
}

/** Evaluate the alerts of some communities (all with grids by default); returns alerts raised. */
export async function evaluateAlerts(
	store: Store,
	now: Date,
	timeZone: string,
	communityCodes?: string[]
): Promise<number> {
	const sup = store.supervision();
	const codes = communityCodes ?? (await sup.communitiesWithGrids());
	let raised = 0;
	for (const code of codes)
		for (const r of await alertReadings(store, code, now, timeZone))
			if (r.raised && (await sup.raiseAlert(code, r, { now, timeZone }))) raised++;
	return raised;
}

/** Alerts of the communities in a node's subtree the user may see, newest first. */
export async function alertsOfNode(
	store: Store,
	user: UserRow,
	code: string,
	openOnly: boolean
): Promise<AlertRow[]> {
	await lookupNode(store, user, code);
	const rows = await store.supervision().alertsInSubtree(code);
	return openOnly ? rows.filter((a) => a.acknowledgedAt === null) : rows;
}

/** Acknowledge an alert (once: acknowledging again changes nothing); returns it. */
export async function acknowledgeAlert(
	store: Store,
	user: UserRow,
	id: string,
	now: Date
): Promise<AlertRow> {
	const sup = store.supervision();
	const alert = await sup.getAlert(id);
	if (!alert) throw notFound('id', 'no such alert');
	if (!mayAcknowledge(user, alert)) throw forbidden('id', 'outside your scope');
	if (alert.acknowledgedAt === null) {
		await sup.updateAlert(id, { acknowledgedBy: user.id, acknowledgedAt: now });
		alert.acknowledgedBy = user.id;
		alert.acknowledgedAt = now;
	}
	return alert;
}
