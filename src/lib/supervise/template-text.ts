// The template editor's problems in words (docs/check-templates.md): "第 2 题选项：选项不能重复".
// Every message names its field, so it reads on its own beside the field or in a summary.
import { m } from '$lib/paraglide/messages';
import { problemText } from '$lib/forms/field-text';
import type { TemplateProblem } from './template-draft';

const QUESTION_FIELDS: Record<string, () => string> = {
	key: m.ct_key,
	label: m.ct_label,
	labelEn: m.ct_label_en,
	kind: m.ct_kind,
	perResident: m.ct_asked,
	options: m.ct_options,
	optionsEn: m.ct_options_en,
	unit: m.ct_unit,
	min: m.ct_min,
	max: m.ct_max,
	abnormal: m.ct_rule
};

/** "模板名称", "第 2 题选项" for a field named as template-draft's fieldOf names it. */
export function templateFieldLabel(field: string): string {
	if (field === 'name') return m.ct_name();
	if (field === 'nameEn') return m.ct_name_en();
	if (field === 'questions') return m.ct_questions();
	const [, index, name] = field.split('.');
	const label = QUESTION_FIELDS[name]?.() ?? name ?? '';
	return m.ct_field_of({ n: Number(index) + 1, field: label });
}

export function templateProblemText(problem: TemplateProblem): string {
	switch (problem.kind) {
		case 'options_min':
			return m.ct_p_options_min({ min: problem.min });
		case 'options_repeat':
			return m.ct_p_options_repeat();
		case 'options_en_count':
			return m.ct_p_options_en_count();
		case 'key_format':
			return m.ct_p_key_format();
		case 'key_taken':
			return m.ct_p_key_taken();
		case 'max_below_min':
			return m.ct_p_max_below_min();
		case 'rule_threshold':
			return m.ct_p_rule_threshold();
		case 'rule_option':
			return m.ct_p_rule_option();
		case 'questions_min':
			return m.ct_p_questions_min();
		default:
			return problemText(problem);
	}
}

/** "第 2 题选项：选项不能重复" */
export const templateErrorText = (field: string, problem: TemplateProblem) =>
	m.f_error_field({ field: templateFieldLabel(field), problem: templateProblemText(problem) });
