// The resident form: add or edit. The full ID number is typed here, sent to the server once (in
// the outbox entry) and never kept on the device afterwards: the cached row holds only the masked
// form (local-rows.ts), and this form forgets what was typed as soon as it is saved.
import type { ResidentRow } from '$lib/db/db';
import { addResident, updateResident, type ResidentChanges } from '$lib/db/repositories';
import type { Sex } from '$lib/shared/enums';
import { INSERT_FIELDS, UPDATE_FIELDS } from '$lib/shared/schemas';
import { FormState, localDb } from './form-state.svelte';
import { applyIdNumber, prefillShown, type IdPrefill, type PrefillShown } from './id-prefill';
import { currentYear, sameSet, toggled } from './values';
import { fieldProblems, type FieldProblems } from './problems';

export class ResidentFormState extends FormState<ResidentRow> {
	protected readonly fields = [
		['name', 'res-name'],
		['idNumber', 'res-id'],
		['phone', 'res-phone'],
		['birthYear', 'res-birth-year'],
		['sex', 'res-sex-F'],
		['tags', 'res-tags'],
		['dailyCheckIn', 'res-daily']
	] as const;

	name = $state('');
	idNumber = $state('');
	phone = $state('');
	birthYear = $state('');
	sex = $state<Sex | ''>('');
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
			this.name = original.name;
			this.phone = original.phone ?? '';
			this.birthYear = original.birthYear === null ? '' : String(original.birthYear);
			this.sex = original.sex ?? '';
			this.tags = [...original.tags];
			this.dailyCheckIn = original.dailyCheckIn;
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

	/** The birth year as the schema wants it: a number, NaN for junk (refused), undefined if empty. */
	#birthYearValue(): number | undefined {
		return this.birthYear.trim() === '' ? undefined : Number(this.birthYear);
	}

	#insertFields() {
		const birthYear = this.#birthYearValue();
		return {
			householdId: this.householdId,
			name: this.name,
			...(this.idNumber ? { idNumber: this.idNumber } : {}),
			...(this.phone.trim() ? { phone: this.phone.trim() } : {}),
			...(birthYear === undefined ? {} : { birthYear }),
			...(this.sex ? { sex: this.sex } : {}),
			tags: this.tags,
			dailyCheckIn: this.dailyCheckIn
		};
	}

	/** Only what differs from the resident as opened; an empty ID number box means "unchanged". */
	changes(): ResidentChanges {
		const o = this.original;
		if (!o) return {};
		const changes: ResidentChanges = {};
		if (this.name.trim() !== o.name) changes.name = this.name;
		if (this.idNumber) changes.idNumber = this.idNumber;
		const phone = this.phone.trim();
		if (phone && phone !== o.phone) changes.phone = phone;
		const birthYear = this.#birthYearValue();
		if (birthYear !== undefined && birthYear !== o.birthYear) changes.birthYear = birthYear;
		if (this.sex && this.sex !== o.sex) changes.sex = this.sex;
		if (!sameSet(this.tags, o.tags)) changes.tags = this.tags;
		if (this.dailyCheckIn !== o.dailyCheckIn) changes.dailyCheckIn = this.dailyCheckIn;
		return changes;
	}

	get unchanged(): boolean {
		return this.original !== null && Object.keys(this.changes()).length === 0;
	}

	protected check(): FieldProblems {
		const o = this.original;
		const problems = o
			? fieldProblems(UPDATE_FIELDS.residents, this.changes())
			: fieldProblems(INSERT_FIELDS.residents, this.#insertFields());
		const all: FieldProblems = { ...problems };
		// The schema cannot say "clear this value" (an absent field means "unchanged").
		if (o?.phone && !this.phone.trim()) all.phone = { kind: 'cannot_clear' };
		if (o?.birthYear !== null && o?.birthYear !== undefined && !this.birthYear.trim())
			all.birthYear = { kind: 'cannot_clear' };
		const thisYear = currentYear();
		const birthYear = this.#birthYearValue();
		if (!all.birthYear && birthYear !== undefined && birthYear > thisYear)
			all.birthYear = { kind: 'max', max: thisYear };
		return all;
	}

	protected async save(): Promise<ResidentRow> {
		const db = localDb();
		const saved = this.original
			? await updateResident(db, this.original.id, this.changes())
			: await addResident(db, this.#insertFields());
		// The full number is in the outbox now; the form keeps nothing of it.
		this.idNumber = '';
		return saved;
	}
}
