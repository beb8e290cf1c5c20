// Birth year and sex follow from a complete, valid ID number. The resident form fills them in,
// except over a value the person typed themselves, and tells what it filled: the note names only
// what the fields show, so it never claims a birth year the field does not hold.
import type { Sex } from '$lib/shared/enums';
import { idBirthDate, idNumberProblem, idSex } from '$lib/shared/id-number';

/** What the ID number said about birth year and sex, when the form filled them in from it. */
export interface IdPrefill {
	birthYear: number;
	sex: Sex;
}

/** The two fields as the form holds them, and whether the person set each one. */
export interface PrefillFields {
	birthYear: string;
	sex: Sex | '';
	ownBirthYear: boolean;
	ownSex: boolean;
	/** The last prefill, if any: a field still holding it is the form's own value, not the person's. */
	last: IdPrefill | null;
}

/**
 * The fields after an ID number was typed: unchanged when the number is not valid; else birth year
 * and sex from it, each over an empty field, a field the person did not set, or one still holding
 * the last prefill. A value the person typed (and left in place) stays.
 */
export function applyIdNumber(
	id: string,
	fields: PrefillFields,
	today = new Date()
): { birthYear: string; sex: Sex | ''; prefill: IdPrefill | null } {
	const unchanged = { birthYear: fields.birthYear, sex: fields.sex, prefill: fields.last };
	// Only a number that passes every check is trusted to fill in other fields.
	if (idNumberProblem(id, today) !== null) return unchanged;
	const birth = idBirthDate(id);
	if (!birth) return unchanged;
	const prefill: IdPrefill = { birthYear: birth.year, sex: idSex(id) };
	const year = fields.birthYear.trim();
	const fillYear =
		!fields.ownBirthYear || year === '' || year === String(fields.last?.birthYear ?? '');
	const fillSex = !fields.ownSex || fields.sex === '' || fields.sex === fields.last?.sex;
	return {
		birthYear: fillYear ? String(prefill.birthYear) : fields.birthYear,
		sex: fillSex ? prefill.sex : fields.sex,
		prefill
	};
}

/** The part of a prefill the fields still show (null for a field holding something else). */
export interface PrefillShown {
	birthYear: number | null;
	sex: Sex | null;
}

/** What the fields hold now that came from the ID number; null when nothing does. */
export function prefillShown(
	prefill: IdPrefill | null,
	birthYear: string,
	sex: Sex | ''
): PrefillShown | null {
	if (!prefill) return null;
	const shown: PrefillShown = {
		birthYear: birthYear.trim() === String(prefill.birthYear) ? prefill.birthYear : null,
		sex: sex === prefill.sex ? prefill.sex : null
	};
	return shown.birthYear === null && shown.sex === null ? null : shown;
}
