// What the resident form sends, from what its boxes hold: the fields of a new resident, the
// changes of an edit, and the problems of either, by the shared schemas (INSERT_FIELDS,
// UPDATE_FIELDS). Phones are normalised here as people type them ($lib/shared/phone.ts) before
// the schema judges them, so `138 1234 5678` and `(0771)1234567` are accepted as they are meant.
import type { ResidentRow } from '$lib/db/db';
import type { ResidentChanges } from '$lib/db/repositories';
import type { Sex } from '$lib/shared/enums';
import { normalizeLandline, normalizeMobile } from '$lib/shared/phone';
import { INSERT_FIELDS, UPDATE_FIELDS } from '$lib/shared/schemas';
import { fieldProblems, type FieldProblems } from './problems';
import { sameSet } from './values';

/** 与户主关系 as rosters write it: the choices the form suggests (any other text is kept). */
export const RELATION_SUGGESTIONS = [
	'户主',
	'配偶',
	'子女',
	'父母',
	'孙子女',
	'兄弟姐妹',
	'其他亲属',
	'非亲属'
] as const;

/** The resident form's boxes, as typed. */
export interface ResidentValues {
	name: string;
	idNumber: string;
	phone: string;
	birthYear: string;
	sex: Sex | '';
	relation: string;
	landline: string;
	note: string;
	tags: string[];
	dailyCheckIn: boolean;
}

export const EMPTY_RESIDENT_VALUES: ResidentValues = {
	name: '',
	idNumber: '',
	phone: '',
	birthYear: '',
	sex: '',
	relation: '',
	landline: '',
	note: '',
	tags: [],
	dailyCheckIn: false
};

/** The boxes filled with a resident as the device holds it. */
export function valuesOf(row: ResidentRow): ResidentValues {
	return {
		name: row.name,
		idNumber: '',
		phone: row.phone ?? '',
		birthYear: row.birthYear === null ? '' : String(row.birthYear),
		sex: row.sex ?? '',
		relation: row.relation ?? '',
		landline: row.landline ?? '',
		note: row.note ?? '',
		tags: [...row.tags],
		dailyCheckIn: row.dailyCheckIn
	};
}

/** A typed phone as stored, or the text as typed when it is not a number (the schema names it). */
export function typedMobile(text: string): string | undefined {
	const trimmed = text.trim();
	return trimmed === '' ? undefined : (normalizeMobile(trimmed) ?? trimmed);
}

/** A typed landline as stored (0771-1234567), or the text as typed when it is not one. */
export function typedLandline(text: string): string | undefined {
	const trimmed = text.trim();
	return trimmed === '' ? undefined : (normalizeLandline(trimmed) ?? trimmed);
}

/** The birth year as the schema wants it: a number, NaN for junk (refused), undefined if empty. */
function birthYearOf(text: string): number | undefined {
	return text.trim() === '' ? undefined : Number(text);
}

/** The fields of a new resident (empty boxes are left out). */
export function residentInsertFields(householdId: string, v: ResidentValues) {
	const birthYear = birthYearOf(v.birthYear);
	const phone = typedMobile(v.phone);
	const landline = typedLandline(v.landline);
	const relation = v.relation.trim();
	const note = v.note.trim();
	return {
		householdId,
		name: v.name,
		...(v.idNumber ? { idNumber: v.idNumber } : {}),
		...(phone === undefined ? {} : { phone }),
		...(birthYear === undefined ? {} : { birthYear }),
		...(v.sex ? { sex: v.sex } : {}),
		...(relation ? { relation } : {}),
		...(landline === undefined ? {} : { landline }),
		...(note ? { note } : {}),
		tags: v.tags,
		dailyCheckIn: v.dailyCheckIn
	};
}

/**
 * Only what differs from the resident as opened. An empty ID number box means "unchanged"; an
 * emptied note is sent as "" (the note is cleared), the other fields cannot be cleared here.
 */
export function residentChanges(o: ResidentRow, v: ResidentValues): ResidentChanges {
	const changes: ResidentChanges = {};
	if (v.name.trim() !== o.name) changes.name = v.name;
	if (v.idNumber) changes.idNumber = v.idNumber;
	const phone = typedMobile(v.phone);
	if (phone !== undefined && phone !== o.phone) changes.phone = phone;
	const birthYear = birthYearOf(v.birthYear);
	if (birthYear !== undefined && birthYear !== o.birthYear) changes.birthYear = birthYear;
	if (v.sex && v.sex !== o.sex) changes.sex = v.sex;
	const relation = v.relation.trim();
	if (relation && relation !== (o.relation ?? '')) changes.relation = relation;
	const landline = typedLandline(v.landline);
	if (landline !== undefined && landline !== o.landline) changes.landline = landline;
	const note = v.note.trim();
	if (note !== (o.note ?? '')) changes.note = note;
	if (!sameSet(v.tags, o.tags)) changes.tags = v.tags;
	if (v.dailyCheckIn !== o.dailyCheckIn) changes.dailyCheckIn = v.dailyCheckIn;
	return changes;
}

/** Every field's first problem, for a new resident (`original` null) or an edit. */
export function residentProblems(
	householdId: string,
	original: ResidentRow | null,
	v: ResidentValues,
	thisYear: number
): FieldProblems {
	const problems = original
		? fieldProblems(UPDATE_FIELDS.residents, residentChanges(original, v))
		: fieldProblems(INSERT_FIELDS.residents, residentInsertFields(householdId, v));
	const all: FieldProblems = { ...problems };
	// The schema cannot say "clear this value" (an absent field means "unchanged").
	if (original?.phone && !v.phone.trim()) all.phone = { kind: 'cannot_clear' };
	if (original?.relation && !v.relation.trim()) all.relation = { kind: 'cannot_clear' };
	if (original?.landline && !v.landline.trim()) all.landline = { kind: 'cannot_clear' };
	if (original && original.birthYear !== null && !v.birthYear.trim())
		all.birthYear = { kind: 'cannot_clear' };
	const birthYear = birthYearOf(v.birthYear);
	if (!all.birthYear && birthYear !== undefined && birthYear > thisYear)
		all.birthYear = { kind: 'max', max: thisYear };
	return all;
}
