// Field problems in words: "身份证号：校验位不正确". Every message names the field first, so it
// makes sense on its own (in the error summary, read aloud, or next to the field).
import { m } from '$lib/paraglide/messages';
import type { FieldProblem } from './problems';

const FIELD_LABELS: Record<string, () => string> = {
	address: m.f_field_address,
	prefix: m.f_field_prefix,
	building: m.f_field_building,
	unit: m.f_field_unit,
	room: m.f_field_room,
	tags: m.f_field_tags,
	lat: m.f_field_location,
	lng: m.f_field_location,
	name: m.f_field_name,
	idNumber: m.f_field_id_number,
	phone: m.f_field_phone,
	relation: m.f_field_relation,
	landline: m.f_field_landline,
	note: m.f_field_note,
	birthYear: m.f_field_birth_year,
	sex: m.f_field_sex,
	dailyCheckIn: m.f_field_daily_check_in,
	category: m.f_field_category,
	severity: m.f_field_severity,
	description: m.f_field_description,
	gridId: m.f_field_grid,
	householdId: m.f_field_household,
	pin: m.f_field_pin,
	pinConfirm: m.f_field_pin_confirm
};

export function fieldLabel(field: string): string {
	return FIELD_LABELS[field]?.() ?? field;
}

export function problemText(problem: FieldProblem): string {
	switch (problem.kind) {
		case 'required':
			return m.f_problem_required();
		case 'too_long':
			return m.f_problem_too_long({ max: problem.max });
		case 'too_many':
			return m.f_problem_too_many({ max: problem.max });
		case 'min':
			return m.f_problem_min({ min: problem.min });
		case 'max':
			return m.f_problem_max({ max: problem.max });
		case 'not_number':
			return m.f_problem_not_number();
		case 'not_whole_number':
			return m.f_problem_not_whole_number();
		case 'id_number':
			return problem.problem === 'format'
				? m.f_problem_id_format()
				: problem.problem === 'birthDate'
					? m.f_problem_id_birth_date()
					: m.f_problem_id_check_char();
		case 'phone':
			return m.f_problem_phone();
		case 'landline':
			return m.f_problem_landline();
		case 'control_character':
			return m.f_problem_control_character();
		case 'lone_surrogate':
			return m.f_problem_lone_surrogate();
		case 'choice':
			return m.f_problem_choice();
		case 'cannot_clear':
			return m.f_problem_cannot_clear();
		case 'invalid':
			return m.f_problem_invalid({ detail: problem.detail });
	}
}

/** "身份证号：校验位不正确" */
export function fieldErrorText(field: string, problem: FieldProblem): string {
	return m.f_error_field({ field: fieldLabel(field), problem: problemText(problem) });
}
