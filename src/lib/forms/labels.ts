// Words for the choices the forms offer, in the interface language.
import { m } from '$lib/paraglide/messages';
import { DUE_HOURS } from '$lib/domain/incident';
import {
	HOUSEHOLD_TAGS,
	INCIDENT_CATEGORIES,
	SEVERITIES,
	type IncidentCategory,
	type Severity
} from '$lib/shared/enums';

const TAG_LABELS: Record<string, () => string> = {
	elderly_alone: m.f_tag_elderly_alone,
	disabled: m.f_tag_disabled,
	low_income: m.f_tag_low_income,
	key_care: m.f_tag_key_care
};

export function tagLabel(tag: string): string {
	return TAG_LABELS[tag]?.() ?? tag;
}

/** The four tags of the contract, and any other tag a row already carries (kept, not lost). */
export function tagOptions(current: readonly string[] = []): { value: string; label: string }[] {
	const extra = current.filter((tag) => !(HOUSEHOLD_TAGS as readonly string[]).includes(tag));
	return [...HOUSEHOLD_TAGS, ...extra].map((tag) => ({ value: tag, label: tagLabel(tag) }));
}

const CATEGORY_TEXT: Record<IncidentCategory, [() => string, () => string]> = {
	health: [m.f_category_health, m.f_category_health_hint],
	help_request: [m.f_category_help_request, m.f_category_help_request_hint],
	safety: [m.f_category_safety, m.f_category_safety_hint],
	environment: [m.f_category_environment, m.f_category_environment_hint],
	dispute: [m.f_category_dispute, m.f_category_dispute_hint],
	other: [m.f_category_other, m.f_category_other_hint]
};

export function categoryLabel(category: IncidentCategory): string {
	return CATEGORY_TEXT[category][0]();
}

export function categoryOptions() {
	return INCIDENT_CATEGORIES.map((value) => ({
		value,
		label: CATEGORY_TEXT[value][0](),
		description: CATEGORY_TEXT[value][1]()
	}));
}

/** "2 小时" / "3 天": the time allowed, in the unit people use for it. */
export function dueSpan(severity: Severity): string {
	const hours = DUE_HOURS[severity];
	return hours >= 48 && hours % 24 === 0
		? m.f_due_days({ days: hours / 24 })
		: m.f_due_hours({ hours });
}

const SEVERITY_TEXT: Record<Severity, [() => string, () => string]> = {
	low: [m.f_severity_low, m.f_severity_low_hint],
	medium: [m.f_severity_medium, m.f_severity_medium_hint],
	high: [m.f_severity_high, m.f_severity_high_hint],
	urgent: [m.f_severity_urgent, m.f_severity_urgent_hint]
};

export function severityLabel(severity: Severity): string {
	return SEVERITY_TEXT[severity][0]();
}

export function severityOptions() {
	return SEVERITIES.map((value) => ({
		value,
		label: SEVERITY_TEXT[value][0](),
		badge:
			value === 'urgent'
				? m.f_severity_due_handle({ due: dueSpan(value) })
				: m.f_severity_due({ due: dueSpan(value) }),
		description: SEVERITY_TEXT[value][1]()
	}));
}
