// The visit form's state: the template's questions as drafts (per member the worker saw, and once
// for the household), the outcome, needs and note (docs/check-templates.md, "On the tablet"). The
// drafts turn into the visit's answers; every problem (a number that is no number, whatever the
// shared validateAnswers or the visit schema refuses) comes back at once as errors keyed by the
// member and question, so each shows beside its field and names it in words.
import type { GridcareDb, ResidentRow, VisitRow } from '$lib/db/db';
import { recordVisit, ValidationError, type VisitInput } from '$lib/db/repositories';
import {
	normalDraft,
	readDraft,
	emptyDraft,
	type AnswerDraft,
	type DraftReading
} from '$lib/domain/answers';
import { isoAt } from '$lib/domain/calendar';
import { answerGroups, findingsOfAnswers, type Finding } from '$lib/domain/findings';
import { splitOther } from '$lib/domain/visit-input';
import type { CommonNeed } from '$lib/domain/visit-options';
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

/** Where an error belongs: an answer (member or household, question key), or a visit field. */
export type ErrorKey = `answer.${string}.${string}` | 'outcome' | 'needs' | 'note' | 'form';

export interface FormError {
	key: ErrorKey;
	/** Id of the input to focus. */
	target: string;
	/** The field's path: "answers.3.value", "needs.0" or "note". */
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

/** One question's draft as read at save time. */
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

export class VisitFormState {
	readonly template: TemplateVersion;
	/** Asked of each member seen. */
	readonly memberQuestions: Question[];
	/** Asked once of the household. */
	readonly householdQuestions: Question[];
	outcome = $state<VisitOutcome>('visited');
	members = $state<MemberDraft[]>([]);
	/** A draft per question key of the household's questions. */
	household = $state<Record<string, AnswerDraft>>({});
	needs = $state<CommonNeed[]>([]);
	otherNeeds = $state('');
	note = $state('');
	errors = $state.raw<FormError[]>([]);
	saving = $state(false);

	constructor(residents: readonly ResidentRow[], template: TemplateVersion) {
		this.template = template;
		this.memberQuestions = template.questions.filter((q) => q.perResident);
		this.householdQuestions = template.questions.filter((q) => !q.perResident);
		this.members = residents.map((resident) => ({
			residentId: resident.id,
			name: resident.name,
			seen: true,
			answers: this.#drafts(this.memberQuestions, emptyDraft)
		}));
		this.household = this.#drafts(this.householdQuestions, emptyDraft);
	}

	#drafts(
		questions: readonly Question[],
		draft: (q: Question) => AnswerDraft
	): Record<string, AnswerDraft> {
		return Object.fromEntries(questions.map((q) => [q.key, draft(q)]));
	}

	/** Every question asked as the form stands: per member seen, then the household's. */
	#asked(): Drafted[] {
		if (this.outcome !== 'visited') return [];
		const asked: Drafted[] = [];
		for (const member of this.members)
			if (member.seen)
				for (const question of this.memberQuestions)
					asked.push({
						who: member.residentId,
						member: member.name,
						question,
						reading: readDraft(question, member.answers[question.key])
					});
		for (const question of this.householdQuestions)
			asked.push({
				who: HOUSEHOLD,
				question,
				reading: readDraft(question, this.household[question.key])
			});
		return asked;
	}

	/**
	 * The abnormal findings of a member (resident id) or of the household (HOUSEHOLD) as filled
	 * in so far; a value the template refuses is an error to correct, not a finding.
	 */
	findingsOf(who: string): Finding[] {
		const answers: Answer[] = [];
		for (const { who: of, question, reading } of this.#asked())
			if (of === who && reading.kind === 'value') {
				const answer = answerOf(who, question.key, reading.value);
				if (validateAnswers([question], [answer]).length === 0) answers.push(answer);
			}
		const questions = this.template.questions;
		return answerGroups(storedAnswers(questions, answers), questions).flatMap((group) =>
			findingsOfAnswers(group.answers)
		);
	}

	/** How many answers are abnormal so far. */
	abnormalCount = $derived(
		[...this.members.map((member) => member.residentId), HOUSEHOLD].reduce(
			(sum, who) => sum + this.findingsOf(who).length,
			0
		)
	);

	errorFor(key: ErrorKey): FormError | undefined {
		return this.errors.find((error) => error.key === key);
	}

	/**
	 * Everyone at home was seen and all is well: the routine visit. Each question takes its
	 * obvious normal answer (normalDraft); numbers and text stay empty (they are measured).
	 */
	setAllFine(): void {
		this.outcome = 'visited';
		for (const member of this.members) {
			member.seen = true;
			member.answers = this.#drafts(this.memberQuestions, normalDraft);
		}
		this.household = this.#drafts(this.householdQuestions, normalDraft);
		this.needs = [];
		this.otherNeeds = '';
		this.errors = [];
	}

	/**
	 * The visit as the shared schema takes it, with the answers of the questions answered, or
	 * every problem with it at once: numbers that are no number, answers validateAnswers refuses,
	 * and whatever the visit schema refuses (the checks recordVisit applies too).
	 */
	toInput(householdId: string, atMs: number): VisitInput | FormError[] {
		const asked = this.#asked();
		const errors: FormError[] = [];
		for (const drafted of asked)
			if (drafted.reading.kind === 'not_a_number')
				errors.push({
					...this.#answerError(drafted),
					path: drafted.question.key,
					problem: 'not_a_number'
				});
		const given = asked.filter((d) => d.reading.kind === 'value');
		const answers = given.map((d) =>
			answerOf(d.who, d.question.key, (d.reading as { value: Answer['value'] }).value)
		);
		const needs = [...this.needs, ...splitOther(this.otherNeeds)];
		const note = this.note.trim();
		const input: VisitInput = {
			householdId,
			visitedAt: isoAt(atMs),
			outcome: this.outcome,
			checks: [],
			...(needs.length ? { needs } : {}),
			...(note ? { note } : {}),
			templateId: this.template.id,
			templateVersion: this.template.version,
			answers
		};
		const add = (error: FormError) => {
			if (!errors.some((e) => e.key === error.key)) errors.push(error);
		};
		// Answers come from the household's own members; recordVisit checks membership again.
		for (const issue of validateAnswers(this.template.questions, answers))
			add(this.#errorAt(issue.path, issue.message, given));
		const parsed = INSERT_FIELDS.visits.safeParse(input);
		if (!parsed.success)
			for (const issue of parsed.error.issues) {
				const path = issue.path.join('.');
				add(this.#errorAt(path, `${path}: ${issue.message}`, given));
			}
		return errors.length ? errors : input;
	}

	/** Save on this device (queued for sync); null with `errors` set when something is wrong. */
	async save(db: GridcareDb, householdId: string, atMs = Date.now()): Promise<VisitRow | null> {
		const input = this.toInput(householdId, atMs);
		if (Array.isArray(input)) {
			this.errors = input;
			return null;
		}
		this.saving = true;
		try {
			const visit = await recordVisit(db, input);
			this.errors = [];
			return visit;
		} catch (error) {
			if (!(error instanceof ValidationError)) throw error;
			const given = this.#asked().filter((d) => d.reading.kind === 'value');
			this.errors = [this.#errorAt(error.field, error.message, given)];
			return null;
		} finally {
			this.saving = false;
		}
	}

	#answerError(drafted: Drafted): Pick<FormError, 'key' | 'target' | 'question' | 'member'> {
		return {
			key: `answer.${drafted.who}.${drafted.question.key}`,
			target: answerFieldId(drafted.who, drafted.question.key),
			question: drafted.question,
			...(drafted.member === undefined ? {} : { member: drafted.member })
		};
	}

	/** Put an error (path like "answers.3.value") next to the field it names. */
	#errorAt(path: string, message: string, given: readonly Drafted[]): FormError {
		const answer = /^(?:fields\.)?answers\.(\d+)/.exec(path);
		const drafted = answer ? given[Number(answer[1])] : undefined;
		if (drafted) return { ...this.#answerError(drafted), path, problem: 'schema', message };
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
}
