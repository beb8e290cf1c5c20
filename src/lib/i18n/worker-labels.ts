// Words for what the grid worker's screens show: findings, field names, and the server's reasons
// for refusing a change, in the interface language.
import { m } from '$lib/paraglide/messages';
import type { AnsweredQuestion, Finding } from '$lib/domain/findings';
import type { Answer } from '$lib/shared/schemas';
import {
	isCommonNeed,
	isCommonSymptom,
	type CommonNeed,
	type CommonSymptom
} from '$lib/domain/visit-options';
import type { IncidentStatus, MutationOp, SyncTable } from '$lib/shared/enums';
import { i18n } from './locale.svelte';
import { healthCodeLabel, statusLabel } from './labels';
import { optionLabel, questionLabel } from './template-labels';

// The enumerations' words live in labels.ts, once; re-exported for the screens importing them here.
export {
	categoryLabel,
	checkinStatusLabel,
	healthCodeLabel,
	outcomeLabel,
	severityLabel,
	sexLabel,
	stageLabel,
	statusLabel,
	tagLabel,
	tagSearchWords
} from './labels';

type Labels<K extends string> = Record<K, () => string>;

const SYMPTOMS: Labels<CommonSymptom> = {
	cough: m.w_symptom_cough,
	sore_throat: m.w_symptom_sore_throat,
	fatigue: m.w_symptom_fatigue,
	short_breath: m.w_symptom_short_breath,
	diarrhea: m.w_symptom_diarrhea,
	smell_taste: m.w_symptom_smell_taste
};

const NEEDS: Labels<CommonNeed> = {
	medicine: m.w_need_medicine,
	food: m.w_need_food,
	doctor: m.w_need_doctor,
	company: m.w_need_company
};

export function symptomLabel(symptom: string): string {
	return isCommonSymptom(symptom) ? SYMPTOMS[symptom]() : symptom;
}

export function needLabel(need: string): string {
	return isCommonNeed(need) ? NEEDS[need]() : need;
}

/** One abnormal finding in words: "体温 38.2 °C", "咳嗽", "黄码", "身体状况：较差". */
export function findingText(finding: Finding): string {
	switch (finding.kind) {
		case 'answer':
			return answerText(finding.question, finding.value);
		case 'fever':
			return m.w_finding_fever({ temperature: formatTemperature(finding.temperature) });
		case 'symptom':
			return symptomLabel(finding.symptom);
		case 'health_code':
			return healthCodeLabel(finding.code);
		case 'risk_area':
			return m.w_finding_risk_area();
	}
}

/**
 * An answer to a check template's question in words: "身体状况：较差", "有燃气异味：是",
 * "体温：38.6 °C"; the question alone when the value is gone (purged).
 */
export function answerText(question: AnsweredQuestion, value?: Answer['value']): string {
	const label = questionLabel(question);
	if (value === undefined) return label;
	return m.wq_answer({ question: label, value: answerValueText(question, value) });
}

function answerValueText(question: AnsweredQuestion, value: Answer['value']): string {
	if (typeof value === 'boolean') return value ? m.cq_yes() : m.cq_no();
	if (typeof value === 'number') {
		const n = new Intl.NumberFormat(i18n.current, { maximumFractionDigits: 3 }).format(value);
		return question.unit ? `${n} ${question.unit}` : n;
	}
	if (Array.isArray(value))
		return value.length ? value.map((v) => optionLabel(question, v)).join('、') : m.wq_none();
	return question.kind === 'choice' ? optionLabel(question, value) : value;
}

export function formatTemperature(value: number): string {
	return new Intl.NumberFormat(i18n.current, {
		minimumFractionDigits: 1,
		maximumFractionDigits: 1
	}).format(value);
}

/** "1,234" */
export function formatCount(value: number): string {
	return new Intl.NumberFormat(i18n.current).format(value);
}

/** Storage sizes: "12.3 MB". */
export function formatBytes(bytes: number): string {
	const units = ['B', 'KB', 'MB', 'GB', 'TB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit += 1;
	}
	const digits = unit === 0 || value >= 100 ? 0 : 1;
	return `${new Intl.NumberFormat(i18n.current, { maximumFractionDigits: digits }).format(value)} ${units[unit]}`;
}

// ---- Field names and refusals -------------------------------------------------------------

const FIELDS: Record<string, () => string> = {
	address: m.w_field_address,
	tags: m.w_field_tags,
	lat: m.w_field_location,
	lng: m.w_field_location,
	memberCount: m.w_field_member_count,
	gridId: m.w_field_grid,
	householdId: m.w_field_household,
	residentId: m.w_field_resident,
	name: m.w_field_name,
	idNumber: m.w_field_id_number,
	idNumberMasked: m.w_field_id_number,
	phone: m.w_field_phone,
	relation: m.w_field_relation,
	landline: m.w_field_landline,
	birthYear: m.w_field_birth_year,
	sex: m.w_field_sex,
	dailyCheckIn: m.w_field_daily_checkin,
	visitedAt: m.w_field_visited_at,
	outcome: m.w_field_outcome,
	checks: m.w_field_checks,
	temperature: m.w_field_temperature,
	symptoms: m.w_field_symptoms,
	healthCode: m.w_field_health_code,
	fromRiskArea: m.w_field_risk_area,
	answers: m.wq_field_answers,
	templateId: m.wq_field_template,
	templateVersion: m.wq_field_template,
	needs: m.w_field_needs,
	note: m.w_field_note,
	category: m.w_field_category,
	severity: m.w_field_severity,
	description: m.w_field_description,
	status: m.w_field_status,
	at: m.w_field_at,
	channel: m.w_field_channel,
	rowId: m.w_field_row,
	baseVersion: m.w_field_row,
	table: m.w_field_table,
	op: m.w_field_row,
	role: m.w_field_role,
	fields: m.w_field_fields
};

/**
 * A field path such as "checks.0.temperature" in words: "第 1 位成员的体温", or with the member's
 * name when known: "黄建国的体温".
 */
export function fieldLabel(path: string, member?: string): string {
	const parts = path
		.split('.')
		.filter((part, i) => !(i === 0 && part === 'fields' && path !== 'fields'));
	const joined = parts.join('.');
	const check = /^checks\.(\d+)\.(\w+)/.exec(joined);
	if (check)
		return m.w_field_of_member({
			member: member ?? m.w_field_member_n({ n: Number(check[1]) + 1 }),
			field: label(check[2])
		});
	if (member) return m.w_field_of_member({ member, field: label(parts[0] ?? path) });
	const list = /^(\w+)\.(\d+)$/.exec(joined);
	if (list) return m.w_field_item_n({ field: label(list[1]), n: Number(list[2]) + 1 });
	return label(parts[0] ?? path);
}

function label(field: string): string {
	return (FIELDS[field] ?? (() => field))();
}

/** Known server reasons (server/sync/push.ts and the shared schemas), in words. */
const PROBLEMS: [RegExp, (match: RegExpExecArray) => string][] = [
	[/outside your scope/, () => m.w_problem_scope()],
	[/^no such grid/, () => m.w_problem_no_grid()],
	[/^no such (household|resident|row)/, () => m.w_problem_no_row()],
	[/has been deleted/, () => m.w_problem_deleted()],
	[/already exists/, () => m.w_problem_exists()],
	[/not a member of this household/, () => m.w_problem_not_member()],
	[/household is not in this grid/, () => m.w_problem_other_grid()],
	[
		/cannot go from "(\w+)" to "(\w+)"/,
		(match) =>
			m.w_problem_transition({
				from: statusLabel(match[1] as IncidentStatus),
				to: statusLabel(match[2] as IncidentStatus)
			})
	],
	[/must not be empty/, () => m.w_problem_empty()],
	[/must not contain control characters/, () => m.w_problem_control_character()],
	[/lone surrogate/, () => m.w_problem_lone_surrogate()],
	[/must not be before 2000-01-01/, () => m.w_problem_time_too_early()],
	[/more than 24 hours ahead of now/, () => m.w_problem_time_too_late()],
	[/the database refused this value/, () => m.w_problem_refused_value()],
	[/immutable/, () => m.w_problem_immutable()],
	[/may only record check-ins|sees counts only/, () => m.w_problem_role()],
	[/must be at least ([\d.]+.*)$/, (match) => m.w_problem_min({ min: match[1] })],
	[/must be at most ([\d.]+.*)$/, (match) => m.w_problem_max({ max: match[1] })],
	[/expected string to have <=(\d+)/, (match) => m.w_problem_too_long({ max: match[1] })],
	[/expected array to have <=(\d+)/, (match) => m.w_problem_too_many({ max: match[1] })],
	[/11-digit mobile/, () => m.w_problem_phone()],
	[/area code and a number/, () => m.w_problem_landline()],
	[/17 digits|birth date|check character/, () => m.w_problem_id_number()]
];

export interface RefusalText {
	/** The field the server named, in words (null when it named none). */
	field: string | null;
	/** The path as the server sent it, without the "fields." prefix. */
	path: string | null;
	problem: string;
	/** The server's own words, for when ours fall short. */
	original: string;
}

/** A server's refusal ("fields.address: must not be empty") in words that name the field. */
export function refusalText(reason: string): RefusalText {
	const match = /^([\w.]+): (.*)$/s.exec(reason);
	const rawPath = match?.[1] ?? null;
	const detail = match?.[2] ?? reason;
	// "fields.address" from a check, "households.address" from the database refusing a value.
	const path =
		rawPath === null
			? null
			: rawPath.replace(/^(fields|households|residents|visits|checkins|incidents|audit)\./, '');
	return {
		field: path === null ? null : fieldLabel(path),
		path,
		problem: problemText(detail),
		original: reason
	};
}

/** A schema's or the server's problem ("must not be empty") in words. */
export function problemText(detail: string): string {
	const known = PROBLEMS.find(([pattern]) => pattern.test(detail));
	return known ? known[1](known[0].exec(detail)!) : m.w_problem_other({ detail });
}

/** "黄建国的体温：不能高于 43 °C" from a message "checks.0.temperature: must be at most 43 °C". */
export function fieldProblemText(path: string, message: string, member?: string): string {
	const detail = /^[\w.]+: (.*)$/s.exec(message)?.[1] ?? message;
	return m.w_field_problem({ field: fieldLabel(path, member), problem: problemText(detail) });
}

const CHANGE_KINDS: Partial<Record<`${SyncTable}:${MutationOp}`, () => string>> = {
	'households:insert': m.w_change_household_new,
	'households:update': m.w_change_household_edit,
	'households:delete': m.w_change_household_delete,
	'residents:insert': m.w_change_resident_new,
	'residents:update': m.w_change_resident_edit,
	'residents:delete': m.w_change_resident_delete,
	'visits:insert': m.w_change_visit_new,
	'checkins:insert': m.w_change_checkin_new,
	'incidents:insert': m.w_change_incident_new,
	'incidents:update': m.w_change_incident_edit
};

/** "新增走访记录", "修改住户信息"… */
export function changeKindLabel(table: SyncTable, op: MutationOp): string {
	return CHANGE_KINDS[`${table}:${op}`]?.() ?? `${table} ${op}`;
}
