// The one place where the values of the contract's enumerations get their words, in the
// interface language: every screen, form, list, history and export the user sees asks here, so a
// value reads the same everywhere (labels.test.ts checks that no other file keeps its own words).
import { m } from '$lib/paraglide/messages';
import { locales, type Locale } from '$lib/paraglide/runtime';
import { ALERT_KINDS, type AlertKind } from '$lib/domain/alerts';
import { stageOf, type IncidentStage } from '$lib/domain/incident';
import {
	CHECKIN_CHANNELS,
	CHECKIN_STATUSES,
	HEALTH_CODES,
	HOUSEHOLD_TAGS,
	INCIDENT_CATEGORIES,
	INCIDENT_STATUSES,
	ROLES,
	SEVERITIES,
	SEXES,
	VISIT_OUTCOMES,
	type CheckinChannel,
	type CheckinStatus,
	type HealthCode,
	type HouseholdTag,
	type IncidentCategory,
	type IncidentStatus,
	NODE_LEVELS,
	type NodeLevel,
	type Role,
	type Severity,
	type Sex,
	type VisitOutcome
} from '$lib/shared/enums';
import {
	AUDIT_ACTIONS,
	DUPLICATE_ACTIONS,
	UNMASK_FIELDS,
	UNMASK_REASONS,
	type AuditAction,
	type DuplicateAction,
	type UnmaskField,
	type UnmaskReason
} from '$lib/shared/privacy';
// The roster import's shapes (docs/imports.md); type-only, so no server code reaches the app.
import type { ColumnKey } from '../../../server/imports/columns';
import type { ProblemCode } from '../../../server/imports/types';
import { DEVICE_KINDS, type DeviceKind } from '$lib/shared/devices';

/** A message of the compiled catalogue: asked in the interface language, or in a given one. */
type Message = (inputs?: object, options?: { locale?: Locale }) => string;
type Labels<K extends string> = Record<K, Message>;

const ROLE: Labels<Role> = {
	grid_worker: m.role_grid_worker,
	community_head: m.role_community_head,
	street_officer: m.role_street_officer,
	county_officer: m.role_county_officer,
	city_officer: m.role_city_officer,
	province_officer: m.role_province_officer,
	kiosk: m.role_kiosk,
	volunteer: m.role_volunteer,
	admin: m.role_admin
};

const LEVEL: Labels<NodeLevel> = {
	nation: m.level_nation,
	province: m.level_province,
	city: m.level_city,
	county: m.level_county,
	street: m.level_street,
	community: m.level_community,
	grid: m.level_grid
};

const SEVERITY: Labels<Severity> = {
	low: m.w_severity_low,
	medium: m.w_severity_medium,
	high: m.w_severity_high,
	urgent: m.w_severity_urgent
};

const CATEGORY: Labels<IncidentCategory> = {
	health: m.w_category_health,
	help_request: m.w_category_help_request,
	safety: m.w_category_safety,
	environment: m.w_category_environment,
	dispute: m.w_category_dispute,
	other: m.w_category_other
};

const STATUS: Labels<IncidentStatus> = {
	reported: m.w_status_reported,
	accepted: m.w_status_accepted,
	dispatched: m.w_status_dispatched,
	in_progress: m.w_status_in_progress,
	resolved: m.w_status_resolved,
	verified: m.w_status_verified,
	closed: m.w_status_closed
};

/** The four stages residents and workers follow (上报, 受理, 处置, 办结). */
export const INCIDENT_STAGES = ['reported', 'accepted', 'handling', 'done'] as const;

const STAGE: Labels<IncidentStage> = {
	reported: m.w_stage_reported,
	accepted: m.w_stage_accepted,
	handling: m.w_stage_handling,
	done: m.w_stage_done
};

const TAG: Labels<HouseholdTag> = {
	elderly_alone: m.w_tag_elderly_alone,
	advanced_age: m.w_tag_advanced_age,
	disabled: m.w_tag_disabled,
	low_income: m.w_tag_low_income,
	key_care: m.w_tag_key_care
};

const OUTCOME: Labels<VisitOutcome> = {
	visited: m.w_outcome_visited,
	nobody_home: m.w_outcome_nobody_home,
	refused: m.w_outcome_refused,
	moved_out: m.w_outcome_moved_out
};

const HEALTH_CODE: Labels<HealthCode> = {
	green: m.w_code_green,
	yellow: m.w_code_yellow,
	red: m.w_code_red
};

const SEX: Labels<Sex> = {
	F: m.w_sex_f,
	M: m.w_sex_m
};

const CHECKIN_STATUS: Labels<CheckinStatus> = {
	fine: m.checkin_status_fine,
	unwell: m.checkin_status_unwell,
	need_help: m.checkin_status_need_help
};

const CHECKIN_CHANNEL: Labels<CheckinChannel> = {
	kiosk: m.checkin_channel_kiosk,
	assisted: m.checkin_channel_assisted,
	worker: m.checkin_channel_worker
};

const AUDIT_ACTION: Labels<AuditAction> = {
	unmask: m.pv_action_unmask,
	export: m.pv_action_export,
	user_created: m.pv_action_user_created,
	user_updated: m.ap_action_user_updated,
	user_disabled: m.ap_action_user_disabled,
	user_enabled: m.ap_action_user_enabled,
	password_reset: m.ap_action_password_reset,
	device_revoked: m.pv_action_device_revoked,
	resident_erased: m.pv_action_resident_erased,
	duplicate_resolved: m.pv_action_duplicate_resolved,
	'kiosk.enrol': m.pv_action_kiosk_enrol,
	settings: m.pv_action_settings,
	import: m.pv_action_import,
	kiosk_retired: m.ad_action_kiosk_retired,
	divisions_imported: m.ad_action_divisions_imported,
	grid_created: m.ag_action_grid_created,
	grid_updated: m.ag_action_grid_updated,
	grid_retired: m.ag_action_grid_retired,
	grid_restored: m.ag_action_grid_restored,
	households_moved: m.am_action_households_moved,
	template_create: m.ct_action_template_create,
	template_update: m.ct_action_template_update
};

const DEVICE_KIND: Labels<DeviceKind> = {
	tablet: m.ad_kind_tablet,
	kiosk: m.ad_kind_kiosk
};

const ALERT_KIND: Labels<AlertKind> = {
	abnormal_residents: m.sv_alert_abnormal,
	missed_checkins: m.sv_alert_missed,
	coverage_behind: m.sv_alert_coverage,
	visits_overdue: m.sv_alert_visits_overdue
};

/** What an audit entry is about (the `subjectType` the server records). */
export const AUDIT_SUBJECTS = [
	'resident',
	'user',
	'community',
	'community_summary',
	'grid',
	'device',
	'duplicate_flag',
	'division',
	'check_template'
] as const;

const AUDIT_SUBJECT: Labels<(typeof AUDIT_SUBJECTS)[number]> = {
	resident: m.pv_subject_resident,
	user: m.pv_subject_user,
	community: m.pv_subject_community,
	community_summary: m.pv_subject_community_summary,
	grid: m.pv_subject_grid,
	device: m.pv_subject_device,
	duplicate_flag: m.pv_subject_duplicate_flag,
	division: m.ad_subject_division,
	check_template: m.ct_subject_check_template
};

const UNMASK_REASON: Labels<UnmaskReason> = {
	home_visit_check: m.pv_reason_home_visit_check,
	contact_resident: m.pv_reason_contact_resident,
	emergency_aid: m.pv_reason_emergency_aid,
	supervisor_review: m.pv_reason_supervisor_review
};

const UNMASK_FIELD: Labels<UnmaskField> = {
	idNumber: m.pv_field_idNumber,
	phone: m.pv_field_phone,
	landline: m.pv_field_landline
};

const DUPLICATE_ACTION: Labels<DuplicateAction> = {
	merged: m.pv_dup_action_merged,
	corrected: m.pv_dup_action_corrected,
	not_duplicate: m.pv_dup_action_not_duplicate
};

/** The fields a roster column can hold (server/imports/columns.ts), in the template's order. */
const ROSTER_FIELD: Labels<ColumnKey> = {
	householdNo: m.im_field_householdNo,
	grid: m.im_field_grid,
	estate: m.im_field_estate,
	building: m.im_field_building,
	unit: m.im_field_unit,
	room: m.im_field_room,
	address: m.im_field_address,
	headName: m.im_field_headName,
	name: m.im_field_name,
	relation: m.im_field_relation,
	idNumber: m.im_field_idNumber,
	sex: m.im_field_sex,
	birthDate: m.im_field_birthDate,
	phone: m.im_field_phone,
	landline: m.im_field_landline,
	tags: m.im_field_tags,
	note: m.im_field_note,
	residentId: m.im_field_residentId
};
export const ROSTER_FIELDS = Object.keys(ROSTER_FIELD) as ColumnKey[];

/** Why an imported row was not taken (server/imports/types.ts, PROBLEM_CODES). */
const PROBLEM: Labels<ProblemCode> = {
	required: m.im_problem_required,
	id_format: m.im_problem_id_format,
	id_birth_date: m.im_problem_id_birth_date,
	id_check_char: m.im_problem_id_check_char,
	id_mismatch: m.im_problem_id_mismatch,
	phone_format: m.im_problem_phone_format,
	landline_format: m.im_problem_landline_format,
	date_format: m.im_problem_date_format,
	sex_format: m.im_problem_sex_format,
	unknown_tag: m.im_problem_unknown_tag,
	text: m.im_problem_text,
	unknown_id: m.im_problem_unknown_id,
	duplicate_in_file: m.im_problem_duplicate_in_file,
	unknown_grid: m.im_problem_unknown_grid,
	masked: m.im_problem_masked,
	other_household: m.im_problem_other_household,
	refused: m.im_problem_refused
};
const PROBLEM_CODES = Object.keys(PROBLEM) as ProblemCode[];

/**
 * Every enumeration the interface shows, with its values and their words: the single table the
 * label functions read, and what the tests walk.
 */
export const ENUM_LABELS = {
	role: { values: ROLES, labels: ROLE },
	level: { values: NODE_LEVELS, labels: LEVEL },
	severity: { values: SEVERITIES, labels: SEVERITY },
	category: { values: INCIDENT_CATEGORIES, labels: CATEGORY },
	status: { values: INCIDENT_STATUSES, labels: STATUS },
	stage: { values: INCIDENT_STAGES, labels: STAGE },
	tag: { values: HOUSEHOLD_TAGS, labels: TAG },
	outcome: { values: VISIT_OUTCOMES, labels: OUTCOME },
	healthCode: { values: HEALTH_CODES, labels: HEALTH_CODE },
	sex: { values: SEXES, labels: SEX },
	checkinStatus: { values: CHECKIN_STATUSES, labels: CHECKIN_STATUS },
	checkinChannel: { values: CHECKIN_CHANNELS, labels: CHECKIN_CHANNEL },
	auditAction: { values: AUDIT_ACTIONS, labels: AUDIT_ACTION },
	auditSubject: { values: AUDIT_SUBJECTS, labels: AUDIT_SUBJECT },
	unmaskReason: { values: UNMASK_REASONS, labels: UNMASK_REASON },
	unmaskField: { values: UNMASK_FIELDS, labels: UNMASK_FIELD },
	duplicateAction: { values: DUPLICATE_ACTIONS, labels: DUPLICATE_ACTION },
	alertKind: { values: ALERT_KINDS, labels: ALERT_KIND },
	rosterField: { values: ROSTER_FIELDS, labels: ROSTER_FIELD },
	problem: { values: PROBLEM_CODES, labels: PROBLEM },
	deviceKind: { values: DEVICE_KINDS, labels: DEVICE_KIND }
} as const;

/** A label for a known value; a value this app version does not know is shown as it came. */
function lookup<K extends string>(labels: Labels<K>, key: string): string {
	return Object.hasOwn(labels, key) ? labels[key as K]() : key;
}

/** A role in words; `operator` is who runs the server's command line. */
export const roleLabel = (role: Role | 'operator' | (string & {})) =>
	role === 'operator' ? m.role_operator() : lookup(ROLE, role);
export const levelLabel = (level: NodeLevel) => lookup(LEVEL, level);
export const severityLabel = (severity: Severity) => lookup(SEVERITY, severity);
export const categoryLabel = (category: IncidentCategory) => lookup(CATEGORY, category);
export const statusLabel = (status: IncidentStatus) => lookup(STATUS, status);
/** Where an incident stands in the seeds' words: 上报, 受理, 处置, 办结. */
export const stageLabel = (status: IncidentStatus) => lookup(STAGE, stageOf(status));
export const outcomeLabel = (outcome: VisitOutcome) => lookup(OUTCOME, outcome);
export const healthCodeLabel = (code: HealthCode) => lookup(HEALTH_CODE, code);
export const sexLabel = (sex: Sex) => lookup(SEX, sex);
export const checkinStatusLabel = (status: CheckinStatus) => lookup(CHECKIN_STATUS, status);
export const checkinChannelLabel = (channel: CheckinChannel) => lookup(CHECKIN_CHANNEL, channel);
/** An audit action in words; an action this version does not know is shown as it came. */
export const auditActionLabel = (action: string) => lookup(AUDIT_ACTION, action);
/** What an alert is about: "异常居民达到或超过预警值". */
export const deviceKindLabel = (kind: DeviceKind) => lookup(DEVICE_KIND, kind);
export const alertKindLabel = (kind: string) => lookup(ALERT_KIND, kind);
export const auditSubjectLabel = (type: string) => lookup(AUDIT_SUBJECT, type);
export const unmaskReasonLabel = (reason: UnmaskReason) => lookup(UNMASK_REASON, reason);
export const unmaskFieldLabel = (field: UnmaskField) => lookup(UNMASK_FIELD, field);
export const duplicateActionLabel = (action: DuplicateAction) => lookup(DUPLICATE_ACTION, action);
/** What a roster column holds: "身份证号". */
export const rosterFieldLabel = (field: ColumnKey) => lookup(ROSTER_FIELD, field);
/** Why an imported row was not taken, in the interface language: "校验位不正确". */
export const problemLabel = (code: string) => lookup(PROBLEM, code);

/**
 * A person as the server lets this user see them: "韦丽萍（网格员）" inside the community, the role
 * alone ("街道干部") when the server gave no name.
 */
export function personLabel(name: string | null | undefined, role: string): string {
	return name ? m.person_with_role({ name, role: roleLabel(role) }) : roleLabel(role);
}

function isHouseholdTag(tag: string): tag is HouseholdTag {
	return (HOUSEHOLD_TAGS as readonly string[]).includes(tag);
}

/** A household or resident tag in words; a tag typed by someone is shown as typed. */
export function tagLabel(tag: string): string {
	return isHouseholdTag(tag) ? TAG[tag]() : tag;
}

/** Every word a tag can be searched by, whatever the interface language. */
export function tagSearchWords(tag: string): string[] {
	if (!isHouseholdTag(tag)) return [];
	const fn = TAG[tag];
	return locales.map((locale) => fn({}, { locale }));
}
