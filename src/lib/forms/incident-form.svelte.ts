// Reporting an incident (上报事件): saved on this device at once with status "reported" and
// queued; the server sets the real due time when it receives it.
import type { IncidentRow } from '$lib/db/db';
import { reportIncident } from '$lib/db/repositories';
import { dueAt } from '$lib/domain/incident';
import {
	INCIDENT_CATEGORIES,
	SEVERITIES,
	type IncidentCategory,
	type Severity
} from '$lib/shared/enums';
import { incidentFields } from '$lib/shared/schemas';
import { FormState, localDb } from './form-state.svelte';
import { fieldProblems, type FieldProblems } from './problems';

/** Prefill from the query string (a household page links here with the category it means). */
export interface IncidentPrefill {
	gridId: string | null;
	householdId: string | null;
	category: string | null;
	description: string | null;
	severity?: string | null;
}

const isCategory = (value: string | null): value is IncidentCategory =>
	(INCIDENT_CATEGORIES as readonly (string | null)[]).includes(value);
const isSeverity = (value: string | null | undefined): value is Severity =>
	(SEVERITIES as readonly (string | null | undefined)[]).includes(value);

const insertSchema = incidentFields.omit({ status: true }).strict();

export class IncidentFormState extends FormState<IncidentRow> {
	protected readonly fields = [
		['gridId', 'inc-grid'],
		['category', 'inc-category-health'],
		['severity', 'inc-severity-low'],
		['description', 'inc-description'],
		['householdId', '']
	] as const;

	gridId = $state('');
	householdId = $state<string | null>(null);
	category = $state<IncidentCategory | ''>('');
	severity = $state<Severity | ''>('');
	description = $state('');

	constructor(prefill: IncidentPrefill) {
		super();
		this.gridId = prefill.gridId ?? '';
		this.householdId = prefill.householdId;
		this.category = isCategory(prefill.category) ? prefill.category : '';
		this.severity = isSeverity(prefill.severity) ? prefill.severity : '';
		this.description = prefill.description?.slice(0, 2000) ?? '';
	}

	/** When it would be due if reported at `now`, for the chosen severity. */
	dueIfReportedAt(severity: Severity, now: Date): Date {
		return dueAt(now, severity);
	}

	#fields() {
		return {
			gridId: this.gridId,
			...(this.householdId ? { householdId: this.householdId } : {}),
			category: this.category,
			severity: this.severity,
			description: this.description
		};
	}

	protected check(): FieldProblems {
		return fieldProblems(insertSchema, this.#fields()) ?? {};
	}

	protected async save(): Promise<IncidentRow> {
		const db = localDb();
		const fields = this.#fields();
		if (!isCategory(fields.category) || !isSeverity(fields.severity))
			throw new Error('category and severity are checked before saving');
		return reportIncident(db, { ...fields, category: fields.category, severity: fields.severity });
	}
}
