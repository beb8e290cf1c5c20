// What the visit form holds, as plain data, and what it turns into (docs/check-templates.md, "On
// the tablet"): the template's questions as drafts (per member the worker saw, and once for the
// household), the outcome, needs and note. The drafts give the visit's answers; every problem (a
// number that is no number, whatever the shared validateAnswers or the visit schema refuses)
// comes back at once as errors keyed by member and question, so each shows beside its field and
// names it in words. visit-form.svelte.ts keeps these in reactive state.
import type { VisitInput } from '$lib/db/repositories';
import {
	emptyDraft,
	normalDraft,
	readDraft,
	type AnswerDraft,
	type DraftReading
} from '$lib/domain/answers';
import { isoAt } from '$lib/domain/calendar';
import { answerGroups, findingsOfAnswers, type Finding } from '$lib/domain/findings';
import { splitOther } from '$lib/domain/visit-input';
import type { VisitOutcome } from '$lib/shared/enums';
import { INSERT_FIELDS, type Answer } from '$lib/shared/schemas';
import {
	storedAnswers,
	validateAnswers,
	type Question,
	type TemplateVersion
} from '$lib/shared/templates';

/** Who an answer is about: a member's resident id, or this for the household's questions. */
export const HOUSEHOLD = 'household';

export interface MemberDraft {
	residentId: string;
	name: string;
	/** The worker saw and asked this member; only those are answered for. */
	seen: boolean;
	/** A draft per question key of the questions asked per resident. */
	answers: Record<string, AnswerDraft>;
}

/** Everything the form holds. */
export interface VisitDrafts {
	outcome: VisitOutcome;
	members: MemberDraft[];
	/** A draft per question key of the household's questions. */
	household: Record<string, AnswerDraft>;
	needs: string[];
	otherNeeds: string;
	note: string;
}

/** Where an error belongs: an answer (member or household, question key), or a visit field. */
export type ErrorKey = `answer.${string}.${string}` | 'outcome' | 'needs' | 'note' | 'form';

export interface FormError {
	key: ErrorKey;
	/** Id of the input to focus. */
	target: string;
	/** The field's path: a question's key, "answers.3.value", "needs.0" or "note". */
	path: string;
	problem: 'not_a_number' | 'schema';
	/** The message of what refused it ("answers.3.value: must be at most 43") for 'schema'. */
	message?: string;
	/** The question an answer's error is about. */
	question?: Question;
	/** The member an answer's error is about (none for a household question). */
	member?: string;
}

/** Id of a question's field for a member (resident id) or the household (HOUSEHOLD). */
export const answerFieldId = (who: string, key: string) => `q-${who}-${key}`;

export const memberQuestions = (template: TemplateVersion) =>
	template.questions.filter((q) => q.perResident);

export const householdQuestions = (template: TemplateVersion) =>
	template.questions.filter((q) => !q.perResident);

/** A draft per question, made by `draft` (emptyDraft, normalDraft). */
export function draftsOf(
	questions: readonly Question[],
	draft: (q: Question) => AnswerDraft = emptyDraft
): Record<string, AnswerDraft> {
	return Object.fromEntries(questions.map((q) => [q.key, draft(q)]));
}

/** A new form: every member seen, nothing answered. */
export function newDrafts(
	residents: readonly { id: string; name: string }[],
	template: TemplateVersion
): VisitDrafts {
	return {
		outcome: 'visited',
		members: residents.map((resident) => ({
			residentId: resident.id,
			name: resident.name,
			seen: true,
			answers: draftsOf(memberQuestions(template))
		})),
		household: draftsOf(householdQuestions(template)),
		needs: [],
		otherNeeds: '',
		note: ''
	};
}

/**
 * "全部正常": everyone at home was seen and all is well. Each question takes its obvious normal
 * answer (normalDraft); numbers and text stay empty (they are measured). The note stays.
 */
export function setAllFine(drafts: VisitDrafts, template: TemplateVersion): void {
	drafts.outcome = 'visited';
	for (const member of drafts.members) {
		member.seen = true;
		member.answers = draftsOf(memberQuestions(template), normalDraft);
	}
	drafts.household = draftsOf(householdQuestions(template), normalDraft);
	drafts.needs = [];
	drafts.otherNeeds = '';
}

/** One question's draft as read. */
interface Drafted {
	who: string;
	member?: string;
	question: Question;
	reading: DraftReading;
}

const answerOf = (who: string, key: string, value: Answer['value']): Answer => ({
	...(who === HOUSEHOLD ? {} : { residentId: who }),
	key,
	value
});

/** Every question asked as the form stands: per member seen, then the household's. */
function asked(drafts: VisitDrafts, template: TemplateVersion): Drafted[] {
	if (drafts.outcome !== 'visited') return [];
	const out: Drafted[] = [];
	for (const member of drafts.members)
		if (member.seen)
			for (const question of memberQuestions(template))
				out.push({
					who: member.residentId,
					member: member.name,
					question,
					reading: readDraft(question, member.answers[question.key])
				});
	for (const question of householdQuestions(template))
		out.push({
			who: HOUSEHOLD,
			question,
			reading: readDraft(question, drafts.household[question.key])
		});
	return out;
}

/** The questions answered, in the order their answers go into the visit. */
const answered = (drafts: VisitDrafts, template: TemplateVersion) =>
	asked(drafts, template).filter((d) => d.reading.kind === 'value');

const valueOf = (d: Drafted) => (d.reading as { value: Answer['value'] }).value;

/**
 * The abnormal findings of a member (resident id) or of the household (HOUSEHOLD) as filled in
 * so far; a value the template refuses is an error to correct, not a finding.
 */
export function findingsOf(drafts: VisitDrafts, template: TemplateVersion, who: string): Finding[] {
	const answers: Answer[] = [];
	for (const d of answered(drafts, template))
		if (d.who === who) {
			const answer = answerOf(who, d.question.key, valueOf(d));
			if (validateAnswers([d.question], [answer]).length === 0) answers.push(answer);
		}
	const questions = template.questions;
	return answerGroups(storedAnswers(questions, answers), questions).flatMap((group) =>
		findingsOfAnswers(group.answers)
	);
}

/** How many answers are abnormal so far. */
export function abnormalCount(drafts: VisitDrafts, template: TemplateVersion): number {
	return [...drafts.members.map((member) => member.residentId), HOUSEHOLD].reduce(
		(sum, who) => sum + findingsOf(drafts, template, who).length,
		0
	);
}

function answerError(d: Drafted): Pick<FormError, 'key' | 'target' | 'question' | 'member'> {
	return {
		key: `answer.${d.who}.${d.question.key}`,
		target: answerFieldId(d.who, d.question.key),
		question: d.question,
		...(d.member === undefined ? {} : { member: d.member })
	};
}

/**
 * The visit as the shared schema takes it, with the answers of the questions answered (checks
 * empty), or every problem with it at once: numbers that are no number, answers validateAnswers
 * refuses, and whatever the visit schema refuses (the checks recordVisit applies too).
 */
export function visitInput(
	drafts: VisitDrafts,
	template: TemplateVersion,
	householdId: string,
	atMs: number
): VisitInput | FormError[] {
	const errors: FormError[] = [];
	for (const d of asked(drafts, template))
		if (d.reading.kind === 'not_a_number')
			errors.push({ ...answerError(d), path: d.question.key, problem: 'not_a_number' });
	const answers = answered(drafts, template).map((d) =>
		answerOf(d.who, d.question.key, valueOf(d))
	);
	const needs = [...drafts.needs, ...splitOther(drafts.otherNeeds)];
	const note = drafts.note.trim();
	const input: VisitInput = {
		householdId,
		visitedAt: isoAt(atMs),
		outcome: drafts.outcome,
		checks: [],
		...(needs.length ? { needs } : {}),
		...(note ? { note } : {}),
		templateId: template.id,
		templateVersion: template.version,
		answers
	};
	const add = (error: FormError) => {
		if (!errors.some((e) => e.key === error.key)) errors.push(error);
	};
	// Answers come from the household's own members; recordVisit checks membership again.
	for (const issue of validateAnswers(template.questions, answers))
		add(errorAt(drafts, template, issue.path, issue.message));
	const parsed = INSERT_FIELDS.visits.safeParse(input);
	if (!parsed.success)
		for (const issue of parsed.error.issues) {
			const path = issue.path.join('.');
			add(errorAt(drafts, template, path, `${path}: ${issue.message}`));
		}
	return errors.length ? errors : input;
}

/** Put an error (path like "answers.3.value", or a ValidationError's field) next to its field. */
export function errorAt(
	drafts: VisitDrafts,
	template: TemplateVersion,
	path: string,
	message: string
): FormError {
	const answer = /^(?:fields\.)?answers\.(\d+)/.exec(path);
	const d = answer ? answered(drafts, template)[Number(answer[1])] : undefined;
	if (d) return { ...answerError(d), path, problem: 'schema', message };
	const top = path.replace(/^fields\./, '').split('.')[0];
	const key: ErrorKey = top === 'needs' || top === 'note' || top === 'outcome' ? top : 'form';
	return {
		key,
		target: key === 'needs' ? 'visit-other-needs' : key === 'note' ? 'visit-note' : 'visit-save',
		path,
		problem: 'schema',
		message
	};
}
