// The health incident a visit with abnormal findings leads to: its words and its severity.
import { m } from '$lib/paraglide/messages';
import type { ResidentRow, VisitRow } from '$lib/db/db';
import { abnormalChecks } from '$lib/domain/findings';
import type { Severity } from '$lib/shared/enums';
import { findingText } from '$lib/i18n/worker-labels';
import { formatShortDateTime } from '$lib/i18n/format';

/** "入户走访发现异常（11/24 16:20）：黄建国 体温 38.2 °C、咳嗽；韦秀英 黄码" */
export function abnormalVisitDescription(
	visit: Pick<VisitRow, 'visitedAt' | 'checks'>,
	residents: Pick<ResidentRow, 'id' | 'name'>[]
): string {
	const names = new Map(residents.map((r) => [r.id, r.name]));
	const people = abnormalChecks(visit.checks).map(
		(entry) =>
			`${names.get(entry.residentId) ?? m.w_member_unknown()} ${entry.findings.map(findingText).join('、')}`
	);
	return m.w_incident_from_visit({
		time: formatShortDateTime(visit.visitedAt),
		findings: people.join('；')
	});
}

/** High for a red code or a high fever (≥ 38.5 °C), medium otherwise. */
export function abnormalVisitSeverity(visit: Pick<VisitRow, 'checks'>): Severity {
	const serious = visit.checks.some(
		(check) => check.healthCode === 'red' || (check.temperature ?? 0) >= 38.5
	);
	return serious ? 'high' : 'medium';
}
