// The visit form's state: one draft per member, the outcome, needs and note. The draft turns into
// the shared schema's input; every problem (a temperature that is no number, whatever the schema
// refuses) comes back at once as errors keyed by the member's draft, so each shows beside its
// field and names it (member and field) in words.
import type { GridcareDb, ResidentRow, VisitRow } from '$lib/db/db';
import { recordVisit, ValidationError, type VisitInput } from '$lib/db/repositories';
import { isoAt } from '$lib/domain/calendar';
import { findingsOfCheck, type Finding } from '$lib/domain/findings';
import { parseTemperature, splitOther } from '$lib/domain/visit-input';
import type { CommonNeed, CommonSymptom } from '$lib/domain/visit-options';
import type { HealthCode, VisitOutcome } from '$lib/shared/enums';
import {
	INSERT_FIELDS,
	TEMPERATURE_MAX,
	TEMPERATURE_MIN,
	type ResidentCheck
} from '$lib/shared/schemas';

export interface CheckDraft {
	residentId: string;
	name: string;
	/** The worker saw and asked this member; only those go into the visit's checks. */
	seen: boolean;
	/** As typed; "36.5" or "36,5". */
	temperature: string;
	symptoms: CommonSymptom[];
	otherSymptoms: string;
	healthCode: HealthCode | '';
	fromRiskArea: boolean;
}

/** Where an error belongs: a member's field, or a field of the visit. */
export type ErrorKey = `check.${string}.${string}` | 'outcome' | 'needs' | 'note' | 'form';

export interface FormError {
	key: ErrorKey;
	/** Id of the input to focus. */
	target: string;
	/** The field's path: "temperature" for a member's field, "needs.0" or "note" otherwise. */
	path: string;
	problem: 'not_a_number' | 'schema';
	/** The schema's message ("checks.0.temperature: must be at most 43 °C") for 'schema'. */
	message?: string;
	/** The member the error is about. */
	member?: string;
}

export const fieldId = (residentId: string, field: string) => `check-${residentId}-${field}`;

/** A member's check as far as it can be read: a temperature that is no number is left out. */
function checkOf(draft: CheckDraft): ResidentCheck {
	const temperature = parseTemperature(draft.temperature);
	return {
		residentId: draft.residentId,
		...(temperature !== undefined && !Number.isNaN(temperature) ? { temperature } : {}),
		symptoms: [...draft.symptoms, ...splitOther(draft.otherSymptoms)],
		...(draft.healthCode ? { healthCode: draft.healthCode } : {}),
		fromRiskArea: draft.fromRiskArea
	};
}

export class VisitFormState {
	outcome = $state<VisitOutcome>('visited');
	checks = $state<CheckDraft[]>([]);
	needs = $state<CommonNeed[]>([]);
	otherNeeds = $state('');
	note = $state('');
	errors = $state.raw<FormError[]>([]);
	saving = $state(false);

	constructor(residents: readonly ResidentRow[]) {
		this.checks = residents.map((resident) => ({
			residentId: resident.id,
			name: resident.name,
			seen: true,
			temperature: '',
			symptoms: [],
			otherSymptoms: '',
			healthCode: '',
			fromRiskArea: false
		}));
	}

	/** Abnormal findings of a member as filled in so far. */
	findingsOf(draft: CheckDraft): Finding[] {
		if (!draft.seen || this.outcome !== 'visited') return [];
		const check = checkOf(draft);
		const t = check.temperature;
		// A temperature out of the possible range is an error to correct, not a finding.
		if (t !== undefined && (t < TEMPERATURE_MIN || t > TEMPERATURE_MAX)) delete check.temperature;
		return findingsOfCheck(check);
	}

	abnormalCount = $derived(this.checks.filter((draft) => this.findingsOf(draft).length).length);

	errorFor(key: ErrorKey): FormError | undefined {
		return this.errors.find((error) => error.key === key);
	}

	/** Everyone at home was seen and is fine: the routine visit. */
	setAllFine(): void {
		this.outcome = 'visited';
		for (const draft of this.checks) {
			draft.seen = true;
			draft.temperature = '';
			draft.symptoms = [];
			draft.otherSymptoms = '';
			draft.healthCode = '';
			draft.fromRiskArea = false;
		}
		this.needs = [];
		this.otherNeeds = '';
		this.errors = [];
	}

	/**
	 * The visit as the shared schema takes it, or every problem with it at once: temperatures that
	 * are no number, and whatever the shared schema refuses (the schema recordVisit applies too).
	 */
	toInput(householdId: string, atMs: number): VisitInput | FormError[] {
		const seen = this.outcome === 'visited' ? this.checks.filter((draft) => draft.seen) : [];
		const errors: FormError[] = [];
		for (const draft of seen)
			if (Number.isNaN(parseTemperature(draft.temperature)))
				errors.push({
					key: `check.${draft.residentId}.temperature`,
					target: fieldId(draft.residentId, 'temperature'),
					path: 'temperature',
					problem: 'not_a_number',
					member: draft.name
				});
		const needs = [...this.needs, ...splitOther(this.otherNeeds)];
		const note = this.note.trim();
		const input: VisitInput = {
			householdId,
			visitedAt: isoAt(atMs),
			outcome: this.outcome,
			checks: seen.map(checkOf),
			...(needs.length ? { needs } : {}),
			...(note ? { note } : {})
		};
		const parsed = INSERT_FIELDS.visits.safeParse(input);
		if (!parsed.success)
			for (const issue of parsed.error.issues) {
				const path = issue.path.join('.');
				const error = this.#errorAt(path, `${path}: ${issue.message}`, input);
				if (!errors.some((e) => e.key === error.key)) errors.push(error);
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
			this.errors = [this.#errorAt(error.field, error.message, input)];
			return null;
		} finally {
			this.saving = false;
		}
	}

	/** Put a schema error (path like "checks.0.temperature") next to the field it names. */
	#errorAt(path: string, message: string, input: VisitInput): FormError {
		const check = /^checks\.(\d+)\.(\w+)/.exec(path);
		if (check) {
			const residentId = input.checks[Number(check[1])]?.residentId ?? '';
			const field = check[2] === 'symptoms' ? 'other-symptoms' : check[2];
			const draft = this.checks.find((d) => d.residentId === residentId);
			return {
				key: `check.${residentId}.${check[2]}`,
				target: fieldId(residentId, field),
				path: check[2],
				problem: 'schema',
				message,
				member: draft?.name
			};
		}
		const top = path.split('.')[0];
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
