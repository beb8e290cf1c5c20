// What is wrong with a form field, as a small code rather than text: the shared zod schemas
// decide, this module only classifies their issues, and field-text.ts puts them into words in
// the interface language (so a message follows a language switch without re-validating).
import type { z } from 'zod';
import type { IdNumberProblem } from '$lib/shared/id-number';
import type { TextProblem } from '$lib/shared/schemas';
import type { ValidationError } from '$lib/db/local-rows';

export type FieldProblem =
	| { kind: 'required' }
	| { kind: 'too_long'; max: number }
	| { kind: 'too_many'; max: number }
	| { kind: 'min'; min: number }
	| { kind: 'max'; max: number }
	| { kind: 'not_number' }
	| { kind: 'not_whole_number' }
	| { kind: 'id_number'; problem: IdNumberProblem }
	| { kind: TextProblem }
	| { kind: 'phone' }
	| { kind: 'landline' }
	| { kind: 'choice' }
	| { kind: 'cannot_clear' }
	| { kind: 'invalid'; detail: string };

/** The first problem of each field, keyed by the field's name in the schema. */
export type FieldProblems = Record<string, FieldProblem>;

const ID_PROBLEMS: readonly IdNumberProblem[] = ['format', 'birthDate', 'checkChar'];
const TEXT_PROBLEMS: readonly TextProblem[] = ['control_character', 'lone_surrogate'];

/** Classify one zod issue. */
export function problemOfIssue(issue: z.core.$ZodIssue): FieldProblem {
	switch (issue.code) {
		case 'custom': {
			const problem = (issue.params as { problem?: unknown } | undefined)?.problem;
			if (ID_PROBLEMS.includes(problem as IdNumberProblem))
				return { kind: 'id_number', problem: problem as IdNumberProblem };
			if (TEXT_PROBLEMS.includes(problem as TextProblem)) return { kind: problem as TextProblem };
			return { kind: 'invalid', detail: issue.message };
		}
		case 'too_small':
			if (issue.origin === 'string') return { kind: 'required' };
			return { kind: 'min', min: Number(issue.minimum) };
		case 'too_big':
			if (issue.origin === 'string') return { kind: 'too_long', max: Number(issue.maximum) };
			if (issue.origin === 'array') return { kind: 'too_many', max: Number(issue.maximum) };
			return { kind: 'max', max: Number(issue.maximum) };
		case 'invalid_type':
			if (issue.expected === 'int') return { kind: 'not_whole_number' };
			if (issue.expected === 'number') return { kind: 'not_number' };
			return { kind: 'required' };
		case 'invalid_format':
			// Phones are the only patterns a person types; ids and codes are set by the app.
			if (issue.format === 'regex' && issue.path.at(-1) === 'phone') return { kind: 'phone' };
			if (issue.format === 'regex' && issue.path.at(-1) === 'landline') return { kind: 'landline' };
			return { kind: 'invalid', detail: issue.message };
		case 'invalid_value':
			return { kind: 'choice' };
		default:
			return { kind: 'invalid', detail: issue.message };
	}
}

/** Every field's first problem, or null when the value passes the schema. */
export function fieldProblems(schema: z.ZodType, value: unknown): FieldProblems | null {
	const result = schema.safeParse(value);
	if (result.success) return null;
	const problems: FieldProblems = {};
	for (const issue of result.error.issues) {
		const field =
			issue.code === 'unrecognized_keys' ? String(issue.keys[0]) : String(issue.path[0] ?? '');
		problems[field] ??= problemOfIssue(issue);
	}
	return problems;
}

/**
 * A ValidationError from a repository function, as a field problem. The forms check the same
 * schema first, so this is a fallback; it keeps the schema's own words as the detail.
 */
export function problemOfValidationError(error: ValidationError): {
	field: string;
	problem: FieldProblem;
} {
	const detail = error.message.startsWith(`${error.field}: `)
		? error.message.slice(error.field.length + 2)
		: error.message;
	return { field: error.field, problem: { kind: 'invalid', detail } };
}
