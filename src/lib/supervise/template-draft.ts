// The check template editor's state (docs/check-templates.md): what the supervisor types, kept
// as text, and turned into the input the shared schemas take. The schemas decide what is valid;
// this module only converts drafts, generates question keys and says where each problem belongs.
import type { z } from 'zod';
import { parseNumber } from '$lib/domain/answers';
import { problemOfIssue, type FieldProblem } from '$lib/forms/problems';
import {
	templateInputSchema,
	templateUpdateSchema,
	type AbnormalRule,
	type Question,
	type QuestionKind,
	type TemplateInput,
	type TemplateUpdate,
	type TemplateVersion
} from '$lib/shared/templates';

/** The abnormal rule as the editor offers it: choices mark their abnormal options instead. */
export type RuleChoice = 'none' | 'yes' | 'no' | 'atLeast' | 'atMost';

/** The rules a kind offers (`choice` and `choices` mark options; text has none). */
export const RULES_BY_KIND: Record<QuestionKind, readonly RuleChoice[]> = {
	yes_no: ['none', 'yes', 'no'],
	number: ['none', 'atLeast', 'atMost'],
	choice: ['none'],
	choices: ['none'],
	text: ['none']
};

export interface QuestionDraft {
	/** Stable while the question is edited and moved (list keys, element ids). */
	uid: string;
	key: string;
	/** A question of a saved version: its key is its identity across versions, never changed. */
	saved: boolean;
	label: string;
	labelEn: string;
	kind: QuestionKind;
	perResident: boolean;
	/** One option per line. */
	options: string;
	/** One English label per line, in the options' order. */
	optionsEn: string;
	unit: string;
	min: string;
	max: string;
	rule: RuleChoice;
	/** The threshold of an atLeast / atMost rule, as typed. */
	ruleValue: string;
	/** Options marked abnormal (choice and choices). */
	abnormalOptions: string[];
}

export interface TemplateDraft {
	name: string;
	nameEn: string;
	questions: QuestionDraft[];
}

let counter = 0;
const newUid = () => `q-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** Lines of a text area, trimmed, empty ones dropped. */
export const lines = (text: string): string[] =>
	text
		.split('\n')
		.map((line) => line.trim())
		.filter(Boolean);

/**
 * The key of a question added at `position` (0-based): `q<position + 1>`, or the next free number
 * when another question already has it.
 */
export function generatedKey(position: number, taken: readonly string[]): string {
	let n = position + 1;
	while (taken.includes(`q${n}`)) n++;
	return `q${n}`;
}

/** A new question, added at the end. */
export function newQuestion(existing: readonly QuestionDraft[]): QuestionDraft {
	return {
		uid: newUid(),
		key: generatedKey(
			existing.length,
			existing.map((q) => q.key)
		),
		saved: false,
		label: '',
		labelEn: '',
		kind: 'yes_no',
		perResident: false,
		options: '',
		optionsEn: '',
		unit: '',
		min: '',
		max: '',
		rule: 'none',
		ruleValue: '',
		abnormalOptions: []
	};
}

/** The draft after the kind changed: a rule the new kind does not offer is dropped. */
export function withKind(q: QuestionDraft, kind: QuestionKind): QuestionDraft {
	return {
		...q,
		kind,
		rule: RULES_BY_KIND[kind].includes(q.rule) ? q.rule : 'none'
	};
}

/** Move the question at `index` by `by` places (-1 up, +1 down); out of range changes nothing. */
export function moved<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
	const to = index + by;
	if (to < 0 || to >= list.length) return [...list];
	const next = [...list];
	[next[index], next[to]] = [next[to], next[index]];
	return next;
}

const numberText = (n: number | undefined) => (n === undefined ? '' : String(n));

function questionDraft(q: Question, saved: boolean): QuestionDraft {
	const rule = q.abnormal;
	return {
		uid: newUid(),
		key: q.key,
		saved,
		label: q.label,
		labelEn: q.labelEn ?? '',
		kind: q.kind,
		perResident: q.perResident,
		options: (q.options ?? []).join('\n'),
		optionsEn: (q.optionsEn ?? []).join('\n'),
		unit: q.unit ?? '',
		min: numberText(q.min),
		max: numberText(q.max),
		rule: !rule
			? 'none'
			: 'equals' in rule
				? rule.equals
					? 'yes'
					: 'no'
				: 'atLeast' in rule
					? 'atLeast'
					: 'atMost' in rule
						? 'atMost'
						: 'none',
		ruleValue:
			rule && 'atLeast' in rule
				? String(rule.atLeast)
				: rule && 'atMost' in rule
					? String(rule.atMost)
					: '',
		abnormalOptions: rule && 'oneOf' in rule ? [...rule.oneOf] : []
	};
}

/** An empty template with one question to start from. */
export function emptyTemplate(): TemplateDraft {
	return { name: '', nameEn: '', questions: [newQuestion([])] };
}

/**
 * A saved template to edit (`copy: false`: its questions keep their keys for good) or to copy
 * (`copy: true`: "<name>（副本）", new questions that start from the same keys).
 */
export function draftOf(
	template: Pick<TemplateVersion, 'name' | 'nameEn' | 'questions'>,
	{ copy }: { copy: boolean }
): TemplateDraft {
	return {
		name: copy ? `${template.name}（副本）` : template.name,
		nameEn: copy && template.nameEn ? `${template.nameEn} (copy)` : (template.nameEn ?? ''),
		questions: template.questions.map((q) => questionDraft(q, !copy))
	};
}

/** A number typed (full-width digits accepted); empty → undefined; not a number → NaN. */
const typedNumber = (text: string) => parseNumber(text);

function abnormalOf(q: QuestionDraft, options: readonly string[]): AbnormalRule | undefined {
	switch (q.kind) {
		case 'yes_no':
			return q.rule === 'yes' ? { equals: true } : q.rule === 'no' ? { equals: false } : undefined;
		case 'number': {
			if (q.rule !== 'atLeast' && q.rule !== 'atMost') return undefined;
			// An empty threshold is no number: the schema says so at the rule.
			const value = typedNumber(q.ruleValue) ?? Number.NaN;
			return q.rule === 'atLeast' ? { atLeast: value } : { atMost: value };
		}
		case 'choice':
		case 'choices': {
			const oneOf = q.abnormalOptions.filter((o) => options.includes(o));
			return oneOf.length ? { oneOf } : undefined;
		}
		default:
			return undefined;
	}
}

/** One question draft as the schema's input (not yet valid: the schema says what is wrong). */
export function questionOf(q: QuestionDraft): Question {
	const choosing = q.kind === 'choice' || q.kind === 'choices';
	const options = lines(q.options);
	const optionsEn = lines(q.optionsEn);
	const optional = <T>(value: T | undefined, keep: boolean) => (keep ? value : undefined);
	const question: Question = {
		key: q.key.trim(),
		label: q.label.trim(),
		labelEn: optional(q.labelEn.trim(), q.labelEn.trim() !== ''),
		kind: q.kind,
		perResident: q.perResident,
		options: optional(options, choosing),
		optionsEn: optional(optionsEn, choosing && optionsEn.length > 0),
		unit: optional(q.unit.trim(), q.kind === 'number' && q.unit.trim() !== ''),
		min: optional(typedNumber(q.min), q.kind === 'number'),
		max: optional(typedNumber(q.max), q.kind === 'number'),
		abnormal: abnormalOf(q, options)
	};
	// Absent, not undefined: the schemas are strict and the server reads JSON.
	return Object.fromEntries(
		Object.entries(question).filter(([, v]) => v !== undefined)
	) as Question;
}

/** `POST /check-templates` input. */
export function inputOf(draft: TemplateDraft, divisionCode: string): TemplateInput {
	const nameEn = draft.nameEn.trim();
	return {
		name: draft.name.trim(),
		...(nameEn ? { nameEn } : {}),
		divisionCode,
		questions: draft.questions.map(questionOf)
	};
}

/**
 * `PUT /check-templates/:id` input: the name, and the questions only when they differ from the
 * saved version's (a change of the questions makes the next version; of the name alone, not).
 */
export function updateOf(draft: TemplateDraft, saved: readonly Question[] | null): TemplateUpdate {
	const nameEn = draft.nameEn.trim();
	const questions = draft.questions.map(questionOf);
	const same = saved !== null && JSON.stringify(questions) === JSON.stringify(saved.map(canonical));
	return { name: draft.name.trim(), ...(nameEn ? { nameEn } : {}), ...(same ? {} : { questions }) };
}

/** A question with its fields in the order questionOf writes them, for comparison. */
function canonical(q: Question): Question {
	const order: (keyof Question)[] = [
		'key',
		'label',
		'labelEn',
		'kind',
		'perResident',
		'options',
		'optionsEn',
		'unit',
		'min',
		'max',
		'abnormal'
	];
	return Object.fromEntries(
		order.filter((k) => q[k] !== undefined).map((k) => [k, q[k]])
	) as Question;
}

/**
 * Where a problem shows: `name`, `nameEn`, `questions` (the list itself) or
 * `questions.<i>.<field>` with the draft's field (`abnormal` is the rule, for every kind).
 */
export function fieldOf(path: readonly PropertyKey[] | string): string {
	const parts = typeof path === 'string' ? path.split('.') : path.map(String);
	if (parts[0] !== 'questions' || parts.length < 3) return parts[0] ?? '';
	return parts.slice(0, 3).join('.');
}

/** A template's problem: the shared field problems, and those only a template has. */
export type TemplateProblem =
	| FieldProblem
	| { kind: 'options_min'; min: number }
	| { kind: 'options_repeat' }
	| { kind: 'options_en_count' }
	| { kind: 'key_format' }
	| { kind: 'key_taken' }
	| { kind: 'max_below_min' }
	| { kind: 'rule_threshold' }
	| { kind: 'rule_option' }
	| { kind: 'questions_min' };

function templateProblem(issue: z.core.$ZodIssue): TemplateProblem {
	const field = String(issue.path.at(2) ?? issue.path.at(0) ?? '');
	const last = issue.path.at(-1);
	if (issue.code === 'too_small' && issue.origin === 'array')
		return field === 'options'
			? { kind: 'options_min', min: Number(issue.minimum) }
			: { kind: 'questions_min' };
	if (field === 'key' && issue.code === 'invalid_format') return { kind: 'key_format' };
	if (field === 'abnormal' && (issue.code === 'invalid_type' || issue.code === 'invalid_union'))
		return { kind: 'rule_threshold' };
	if (issue.code === 'custom') {
		const message = issue.message;
		if (field === 'key') return { kind: 'key_taken' };
		if (message.includes('must not repeat')) return { kind: 'options_repeat' };
		if (field === 'optionsEn') return { kind: 'options_en_count' };
		if (field === 'max' && message.includes('below min')) return { kind: 'max_below_min' };
		if (field === 'abnormal' && message.includes('not one of the options'))
			return { kind: 'rule_option' };
		if (field === 'options' && message.includes('required')) return { kind: 'options_min', min: 2 };
	}
	// A number field left with a word in it: NaN is no number.
	if (last !== undefined && issue.code === 'invalid_type') return { kind: 'not_number' };
	return problemOfIssue(issue);
}

/** Every field's first problem (see fieldOf for the field names). */
export type TemplateProblems = Record<string, TemplateProblem>;

function problemsOf(result: z.ZodSafeParseResult<unknown>): TemplateProblems {
	const problems: TemplateProblems = {};
	if (result.success) return problems;
	for (const issue of result.error.issues) problems[fieldOf(issue.path)] ??= templateProblem(issue);
	return problems;
}

/** The draft's problems, checked by the shared schema of the request it will be. */
export function draftProblems(
	draft: TemplateDraft,
	mode: { create: string } | { update: readonly Question[] | null }
): TemplateProblems {
	if ('create' in mode)
		return problemsOf(templateInputSchema.safeParse(inputOf(draft, mode.create)));
	// An update checks the questions even when they are unchanged (the form shows them all).
	const { name, nameEn } = updateOf(draft, mode.update);
	const questions = draft.questions.map(questionOf);
	return problemsOf(templateUpdateSchema.safeParse({ name, nameEn, questions }));
}

/** The server's 400 (`field` "questions.2.label"), put where the form shows that field. */
export function serverProblem(
	field: string | undefined,
	message: string
): { field: string; problem: TemplateProblem } | null {
	if (!field) return null;
	return { field: fieldOf(field), problem: { kind: 'invalid', detail: message } };
}

/**
 * The question as the preview shows it while it is typed: what the schema would reject is left
 * out (a half-typed range, a repeated option), so the preview never breaks mid-word.
 */
export function previewQuestion(q: QuestionDraft, placeholder: string): Question {
	const question = questionOf(q);
	const options = [...new Set(question.options ?? [])];
	const finite = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n : undefined);
	const rule = question.abnormal;
	const ruleOk =
		rule &&
		(('atLeast' in rule && Number.isFinite(rule.atLeast)) ||
			('atMost' in rule && Number.isFinite(rule.atMost)) ||
			'equals' in rule ||
			'oneOf' in rule);
	const min = finite(question.min);
	const max = finite(question.max);
	return Object.fromEntries(
		Object.entries({
			...question,
			label: question.label || placeholder,
			options: question.options ? options : undefined,
			optionsEn:
				question.optionsEn && question.optionsEn.length === options.length
					? question.optionsEn
					: undefined,
			min,
			max: min !== undefined && max !== undefined && max < min ? undefined : max,
			abnormal: ruleOk ? rule : undefined
		}).filter(([, v]) => v !== undefined)
	) as Question;
}
