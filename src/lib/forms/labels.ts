// The choices the forms offer: the enumerations' words (from $lib/i18n/labels, the same words
// the lists show) with the hints that help someone choose, in the interface language.
import { m } from '$lib/paraglide/messages';
import { DUE_HOURS } from '$lib/domain/incident';
import { categoryLabel, severityLabel, tagLabel } from '$lib/i18n/labels';
import {
	HOUSEHOLD_TAGS,
	INCIDENT_CATEGORIES,
	SEVERITIES,
	type IncidentCategory,
	type Severity
} from '$lib/shared/enums';

/** The tags of the contract (HOUSEHOLD_TAGS), and any other tag a row already carries (kept). */
export function tagOptions(current: readonly string[] = []): { value: string; label: string }[] {
	const extra = current.filter((tag) => !(HOUSEHOLD_TAGS as readonly string[]).includes(tag));
	return [...HOUSEHOLD_TAGS, ...extra].map((tag) => ({ value: tag, label: tagLabel(tag) }));
}

const CATEGORY_HINTS: Record<IncidentCategory, () => string> = {
	health: m.f_category_health_hint,
	help_request: m.f_category_help_request_hint,
	safety: m.f_category_safety_hint,
	environment: m.f_category_environment_hint,
	dispute: m.f_category_dispute_hint,
	other: m.f_category_other_hint
};

export function categoryOptions() {
	return INCIDENT_CATEGORIES.map((value) => ({
		value,
		label: categoryLabel(value),
		description: CATEGORY_HINTS[value]()
	}));
}

/** "2 小时" / "3 天": the time allowed, in the unit people use for it. */
export function dueSpan(severity: Severity): string {
	const hours = DUE_HOURS[severity];
	return hours >= 48 && hours % 24 === 0
		? m.f_due_days({ days: hours / 24 })
		: m.f_due_hours({ hours });
}

const SEVERITY_HINTS: Record<Severity, () => string> = {
	low: m.f_severity_low_hint,
	medium: m.f_severity_medium_hint,
	high: m.f_severity_high_hint,
	urgent: m.f_severity_urgent_hint
};

export function severityOptions() {
	return SEVERITIES.map((value) => ({
		value,
		label: severityLabel(value),
		badge:
			value === 'urgent'
				? m.f_severity_due_handle({ due: dueSpan(value) })
				: m.f_severity_due({ due: dueSpan(value) }),
		description: SEVERITY_HINTS[value]()
	}));
}
