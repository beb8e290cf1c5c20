// The resident form: add or edit. The full ID number is typed here, sent to the server once (in
// the outbox entry) and never kept on the device afterwards: the cached row holds only the masked
// form (local-rows.ts), and this form forgets what was typed as soon as it is saved.
import type { ResidentRow } from '$lib/db/db';
import { addResident, updateResident, type ResidentChanges } from '$lib/db/repositories';
import type { Sex } from '$lib/shared/enums';
import { FormState, localDb } from './form-state.svelte';
import { applyIdNumber, prefillShown, type IdPrefill, type PrefillShown } from './id-prefill';
import { currentYear, toggled } from './values';
import type { FieldProblems } from './problems';
import {
	residentChanges,
	residentInsertFields,
	residentProblems,
	valuesOf,
	type ResidentValues
} from './resident-values';

export class ResidentFormState extends FormState<ResidentRow> {
	protected readonly fields = [
		['name', 'res-name'],
		['relation', 'res-relation'],
		['idNumber', 'res-id'],
		['birthYear', 'res-birth-year'],
		['sex', 'res-sex-F'],
		['phone', 'res-phone'],
		['landline', 'res-landline'],
		['tags', 'res-tags'],
		['dailyCheckIn', 'res-daily'],
		['note', 'res-note']
	] as const;

	name = $state('');
	idNumber = $state('');
	phone = $state('');
	birthYear = $state('');
	sex = $state<Sex | ''>('');
	relation = $state('');
	landline = $state('');
	note = $state('');
	tags = $state<string[]>([]);
	dailyCheckIn = $state(false);
	/** Set when birth year and sex were last filled in from the ID number. */
	prefill = $state<IdPrefill | null>(null);
	/** The user set these themselves: the ID number no longer overwrites them. */
	#ownBirthYear = false;
	#ownSex = false;

	/** What the fields hold now that came from the ID number, for the note saying so. */
	get prefillShown(): PrefillShown | null {
		return prefillShown(this.prefill, this.birthYear, this.sex);
	}

	constructor(
		readonly householdId: string,
		readonly original: ResidentRow | null = null,
		/** For a new resident: ask for daily check-ins when the household is an elderly person alone. */
		suggestDailyCheckIn = false
	) {
		super();
		if (original) {
			const v = valuesOf(original);
			this.name = v.name;
			this.phone = v.phone;
			this.birthYear = v.birthYear;
			this.sex = v.sex;
			this.relation = v.relation;
			this.landline = v.landline;
			this.note = v.note;
			this.tags = v.tags;
			this.dailyCheckIn = v.dailyCheckIn;
			// A corrected ID number is the better source: it may still update these two.
		} else {
			this.dailyCheckIn = suggestDailyCheckIn;
		}
	}

	/** Typed ID number: upper-case the X, and fill in birth year and sex once it is complete. */
	setIdNumber(value: string): void {
		this.idNumber = value.replace(/\s/g, '').toUpperCase().slice(0, 18);
		this.edited();
		const next = applyIdNumber(this.idNumber, {
			birthYear: this.birthYear,
			sex: this.sex,
			ownBirthYear: this.#ownBirthYear,
			ownSex: this.#ownSex,
			last: this.prefill
		});
		this.birthYear = next.birthYear;
		this.sex = next.sex;
		this.prefill = next.prefill;
	}

	setBirthYear(value: string): void {
		this.birthYear = value.replace(/\D/g, '').slice(0, 4);
		this.#ownBirthYear = true;
		this.edited();
	}

	setSex(value: Sex): void {
		this.sex = value;
		this.#ownSex = true;
		this.edited();
	}

	toggleTag(tag: string, on: boolean): void {
		this.tags = toggled(this.tags, tag, on);
		this.edited();
	}

	/** What the boxes hold now. */
	get values(): ResidentValues {
		return {
			name: this.name,
			idNumber: this.idNumber,
			phone: this.phone,
			birthYear: this.birthYear,
			sex: this.sex,
			relation: this.relation,
			landline: this.landline,
			note: this.note,
			tags: this.tags,
			dailyCheckIn: this.dailyCheckIn
		};
	}

	/** Only what differs from the resident as opened (resident-values.ts). */
	changes(): ResidentChanges {
		return this.original ? residentChanges(this.original, this.values) : {};
	}

	get unchanged(): boolean {
		return this.original !== null && Object.keys(this.changes()).length === 0;
	}

	protected check(): FieldProblems {
		return residentProblems(this.householdId, this.original, this.values, currentYear());
	}

	protected async save(): Promise<ResidentRow> {
		const db = localDb();
		const saved = this.original
			? await updateResident(db, this.original.id, this.changes())
			: await addResident(db, residentInsertFields(this.householdId, this.values));
		// The full number is in the outbox now; the form keeps nothing of it.
		this.idNumber = '';
		return saved;
	}
}
