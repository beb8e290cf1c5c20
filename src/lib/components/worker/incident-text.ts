// The incident a visit with abnormal findings leads to: its words, its category and severity.
import { m } from '$lib/paraglide/messages';
import type { ResidentRow, VisitRow } from '$lib/db/db';
import { abnormalOfVisit, type AnsweredQuestion } from '$lib/domain/findings';
import type { IncidentCategory, Severity } from '$lib/shared/enums';
import { findingText } from '$lib/i18n/worker-labels';
import { formatShortDateTime } from '$lib/i18n/format';

type FoundVisit = Pick<VisitRow, 'checks' | 'answers'>;

/**
 * "入户走访发现异常（11/24 16:20）：黄建国 体温 38.2 °C、咳嗽；韦秀英 身体状况：较差；有燃气异味：是"
 * (members by name, the household's answers last). `questions`: of the template the visit
 * answered (docs/check-templates.md).
 */
export function abnormalVisitDescription(
	visit: Pick<VisitRow, 'visitedAt'> & FoundVisit,
	residents: Pick<ResidentRow, 'id' | 'name'>[],
	questions: readonly AnsweredQuestion[] = []
): string {
	const names = new Map(residents.map((r) => [r.id, r.name]));
	const found = abnormalOfVisit(visit, questions).map((entry) => {
		const text = entry.findings.map(findingText).join('、');
		return entry.residentId === null
			? text
			: `${names.get(entry.residentId) ?? m.w_member_unknown()} ${text}`;
	});
	return m.w_incident_from_visit({
		time: formatShortDateTime(visit.visitedAt),
		findings: found.join('；')
	});
}

/** High for a red code or a high fever (≥ 38.5 °C), medium otherwise. */
export function abnormalVisitSeverity(visit: Pick<VisitRow, 'checks'>): Severity {
	const serious = visit.checks.some(
		(check) => check.healthCode === 'red' || (check.temperature ?? 0) >= 38.5
	);
	return serious ? 'high' : 'medium';
}

/**
 * A health incident when a member was found abnormal; a safety one when only the household's
 * answers were (a gas smell, a house that is not safe).
 */
export function abnormalVisitCategory(
	visit: FoundVisit,
	questions: readonly AnsweredQuestion[] = []
): IncidentCategory {
	return abnormalOfVisit(visit, questions).some((entry) => entry.residentId !== null)
		? 'health'
		: 'safety';
}
