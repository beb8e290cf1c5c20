// What exactly was abnormal in a resident's check or in a visit's answers to a check template,
// so a screen can say it in words (not only a colour) and an incident can be described without
// re-typing. Same rules as visit.ts and the shared templates (docs/check-templates.md).
import type { HealthCode } from '../shared/enums';
import type { Answer, ResidentCheck } from '../shared/schemas';
import { isAbnormalAnswer, type Question, type StoredAnswer } from '../shared/templates';
import { FEVER_THRESHOLD } from './visit';

/** What a screen needs of a question to say an answer to it in words. */
export type AnsweredQuestion = Pick<
	Question,
	'key' | 'label' | 'labelEn' | 'kind' | 'options' | 'optionsEn' | 'unit'
>;

export type Finding =
	| { kind: 'fever'; temperature: number }
	| { kind: 'symptom'; symptom: string }
	| { kind: 'health_code'; code: Exclude<HealthCode, 'green'> }
	| { kind: 'risk_area' }
	/** An abnormal answer; a purged one has no value left. */
	| { kind: 'answer'; question: AnsweredQuestion; value?: Answer['value'] };

/** The abnormal findings of one check, in a fixed order (fever, symptoms, code, risk area). */
export function findingsOfCheck(check: Omit<ResidentCheck, 'residentId'>): Finding[] {
	const findings: Finding[] = [];
	if (check.temperature !== undefined && check.temperature >= FEVER_THRESHOLD)
		findings.push({ kind: 'fever', temperature: check.temperature });
	for (const symptom of check.symptoms ?? []) findings.push({ kind: 'symptom', symptom });
	if (check.healthCode === 'yellow' || check.healthCode === 'red')
		findings.push({ kind: 'health_code', code: check.healthCode });
	if (check.fromRiskArea === true) findings.push({ kind: 'risk_area' });
	return findings;
}

/** Residents of a visit with at least one finding, in check order. */
export function abnormalChecks(
	checks: readonly ResidentCheck[]
): { residentId: string; findings: Finding[] }[] {
	return checks
		.map((check) => ({ residentId: check.residentId, findings: findingsOfCheck(check) }))
		.filter((entry) => entry.findings.length > 0);
}

/** One answer as a screen lists it. */
export interface AnswerEntry {
	question: AnsweredQuestion;
	value?: Answer['value'];
	abnormal: boolean;
}

/** A visit's answers of one member (`residentId`), or of the household (null). */
export interface AnswerGroup {
	residentId: string | null;
	answers: AnswerEntry[];
}

/**
 * A visit's answers grouped by member in the order they come, the household's last. A key the
 * questions do not hold (a version not on this device) is named by its key.
 */
export function answerGroups(
	answers: readonly StoredAnswer[],
	questions: readonly AnsweredQuestion[]
): AnswerGroup[] {
	const byKey = new Map(questions.map((q) => [q.key, q]));
	const groups = new Map<string | null, AnswerEntry[]>();
	for (const answer of answers) {
		const who = answer.residentId ?? null;
		const list = groups.get(who) ?? [];
		list.push({
			question: byKey.get(answer.key) ?? { key: answer.key, label: answer.key, kind: 'text' },
			...(answer.value === undefined ? {} : { value: answer.value }),
			abnormal: isAbnormalAnswer(answer)
		});
		groups.set(who, list);
	}
	const household = groups.get(null);
	groups.delete(null);
	const out = [...groups].map(([residentId, list]) => ({ residentId, answers: list }));
	return household ? [...out, { residentId: null, answers: household }] : out;
}

/** The abnormal answers among some, as findings, in their order. */
export function findingsOfAnswers(entries: readonly AnswerEntry[]): Finding[] {
	return entries
		.filter((entry) => entry.abnormal)
		.map(({ question, value }) => ({
			kind: 'answer',
			question,
			...(value === undefined ? {} : { value })
		}));
}

/**
 * Who was found abnormal in a visit, and how: each member with findings (by their check, then
 * their answers), then the household (residentId null) by its answers.
 */
export function abnormalOfVisit(
	visit: { checks: readonly ResidentCheck[]; answers?: readonly StoredAnswer[] },
	questions: readonly AnsweredQuestion[]
): { residentId: string | null; findings: Finding[] }[] {
	const found = new Map<string | null, Finding[]>();
	for (const { residentId, findings } of abnormalChecks(visit.checks))
		found.set(residentId, findings);
	for (const group of answerGroups(visit.answers ?? [], questions)) {
		const findings = findingsOfAnswers(group.answers);
		if (findings.length)
			found.set(group.residentId, [...(found.get(group.residentId) ?? []), ...findings]);
	}
	// The household's findings last, whatever came first.
	const household = found.get(null);
	found.delete(null);
	const out = [...found].map(([residentId, findings]) => ({ residentId, findings }));
	return household ? [...out, { residentId: null, findings: household }] : out;
}
