// What a worker types or taps for a check template's question, before it is an answer
// (docs/check-templates.md): a draft per question and member, read leniently (full-width digits
// from a Chinese input method), and turned into the answer the shared schema takes.
import type { Answer } from '$lib/shared/schemas';
import {
	answerAbnormal,
	normalAnswer,
	shippedTemplate,
	type Question,
	type TemplateVersion
} from '$lib/shared/templates';

/**
 * yes_no: true, false or undefined (not asked); choice: the option or ''; choices: the options
 * chosen; number and text: the text as typed.
 */
export type AnswerDraft = boolean | string | string[] | undefined;

/** The draft of a question nobody has answered yet. */
export function emptyDraft(question: Question): AnswerDraft {
	switch (question.kind) {
		case 'yes_no':
			return undefined;
		case 'choices':
			return [];
		default:
			return '';
	}
}

/** The "all normal" draft: the question's normal answer where it has one, else empty. */
export function normalDraft(question: Question): AnswerDraft {
	const value = normalAnswer(question);
	// A normal answer is never a number (numbers are measured).
	return value === undefined || typeof value === 'number' ? emptyDraft(question) : value;
}

/** "37,5", "３７．５", " 12 " → the number; empty → undefined; anything else → NaN. */
export function parseNumber(text: string): number | undefined {
	const normalized = text
		.trim()
		.replace(/[０-９．，－]/g, (c) =>
			c === '．' || c === '，'
				? '.'
				: c === '－'
					? '-'
					: String.fromCharCode(c.charCodeAt(0) - 0xfee0)
		)
		.replace(',', '.');
	if (normalized === '') return undefined;
	return /^-?\d{1,9}(\.\d{1,3})?$/.test(normalized) ? Number(normalized) : Number.NaN;
}

export type DraftReading =
	{ kind: 'empty' } | { kind: 'value'; value: Answer['value'] } | { kind: 'not_a_number' };

/** The answer a draft gives: nothing (not asked), a value, or a number that is no number. */
export function readDraft(question: Question, draft: AnswerDraft): DraftReading {
	switch (question.kind) {
		case 'yes_no':
			return typeof draft === 'boolean' ? { kind: 'value', value: draft } : { kind: 'empty' };
		case 'choices':
			return Array.isArray(draft) && draft.length
				? { kind: 'value', value: [...draft] }
				: // No option chosen is an answer ("none of these") only when a rule counts it.
					Array.isArray(draft) && question.abnormal
					? { kind: 'value', value: [] }
					: { kind: 'empty' };
		case 'number': {
			const n = parseNumber(typeof draft === 'string' ? draft : '');
			if (n === undefined) return { kind: 'empty' };
			return Number.isNaN(n) ? { kind: 'not_a_number' } : { kind: 'value', value: n };
		}
		default: {
			const text = typeof draft === 'string' ? draft.trim() : '';
			return text ? { kind: 'value', value: text } : { kind: 'empty' };
		}
	}
}

/** Whether a draft, as filled in so far, is abnormal by its question's rule. */
export function draftAbnormal(question: Question, draft: AnswerDraft): boolean {
	const reading = readDraft(question, draft);
	return reading.kind === 'value' && answerAbnormal(question, reading.value) === true;
}

/**
 * A template version as this device knows it: shipped with GridCare, or pinned by a round it
 * pulled; undefined otherwise (the server holds every version).
 */
export function knownTemplate(
	id: string,
	version: number,
	rounds: readonly { template?: TemplateVersion }[]
): TemplateVersion | undefined {
	return (
		shippedTemplate(id, version) ??
		rounds.find((r) => r.template?.id === id && r.template.version === version)?.template
	);
}

/** The questions of the template version a visit answered, when this device knows it. */
export function questionsOfVisit(
	visit: { templateId?: string | null; templateVersion?: number | null },
	rounds: readonly { template?: TemplateVersion }[]
): readonly Question[] {
	if (!visit.templateId || !visit.templateVersion) return [];
	return knownTemplate(visit.templateId, visit.templateVersion, rounds)?.questions ?? [];
}
