// Words of a check template in the interface language: a template's questions carry their own
// Chinese and (optional) English labels (docs/check-templates.md), read here once.
import type { Question, TemplateVersion } from '$lib/shared/templates';
import { i18n } from './locale.svelte';

const english = () => i18n.current === 'en';

/** The question's label in the interface language (Chinese when it has no English one). */
export const questionLabel = (q: Pick<Question, 'label' | 'labelEn'>) =>
	english() && q.labelEn ? q.labelEn : q.label;

/** An option's label; the stored value is the Chinese option itself. */
export function optionLabel(q: Pick<Question, 'options' | 'optionsEn'>, option: string): string {
	if (!english() || !q.optionsEn) return option;
	const i = q.options?.indexOf(option) ?? -1;
	return i >= 0 ? (q.optionsEn[i] ?? option) : option;
}

/** The template's name in the interface language. */
export const templateName = (t: Pick<TemplateVersion, 'name' | 'nameEn'>) =>
	english() && t.nameEn ? t.nameEn : t.name;
