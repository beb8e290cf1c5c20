// Enumerations of the API (README, "API"; the OpenAPI document at /api/v1/openapi.json). Client
// and server import these.

export const ROLES = [
	'grid_worker',
	'community_head',
	'street_officer',
	'county_officer',
	'city_officer',
	'province_officer',
	'kiosk',
	'volunteer',
	'admin'
] as const;
export type Role = (typeof ROLES)[number];

export const DIVISION_LEVELS = ['province', 'city', 'county', 'street', 'community'] as const;
export type DivisionLevel = (typeof DIVISION_LEVELS)[number];
/**
 * A node of the roll-up tree: a division or a grid under a community; above the provinces, the
 * nation (node "00"), whose figures are its provinces' sum (docs/scaling.md).
 */
export type NodeLevel = 'nation' | DivisionLevel | 'grid';

/** Every level of the roll-up tree, from the top. */
export const NODE_LEVELS = ['nation', ...DIVISION_LEVELS, 'grid'] as const;

/** The nation's node code: its children are the provinces. */
export const NATION_CODE = '00';

/** Number of digits of a national statistical division code at each level. */
export const CODE_LENGTH: Record<DivisionLevel, number> = {
	province: 2,
	city: 4,
	county: 6,
	street: 9,
	community: 12
};

/** The division level an officer role works at; grid workers, kiosks and volunteers work in grids or a community. */
export const ROLE_LEVEL: Partial<Record<Role, DivisionLevel>> = {
	community_head: 'community',
	street_officer: 'street',
	county_officer: 'county',
	city_officer: 'city',
	province_officer: 'province'
};

export const VISIT_OUTCOMES = ['visited', 'nobody_home', 'refused', 'moved_out'] as const;
export type VisitOutcome = (typeof VISIT_OUTCOMES)[number];

export const HEALTH_CODES = ['green', 'yellow', 'red'] as const;
export type HealthCode = (typeof HEALTH_CODES)[number];

export const CHECKIN_STATUSES = ['fine', 'unwell', 'need_help'] as const;
export type CheckinStatus = (typeof CHECKIN_STATUSES)[number];

export const CHECKIN_CHANNELS = ['kiosk', 'assisted', 'worker'] as const;
export type CheckinChannel = (typeof CHECKIN_CHANNELS)[number];

export const INCIDENT_CATEGORIES = [
	'health',
	'help_request',
	'safety',
	'environment',
	'dispute',
	'other'
] as const;
export type IncidentCategory = (typeof INCIDENT_CATEGORIES)[number];

export const SEVERITIES = ['low', 'medium', 'high', 'urgent'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The closed loop 上报 → 受理 → 派遣 → 处置 → 办结 → 核查 → 结案. */
export const INCIDENT_STATUSES = [
	'reported',
	'accepted',
	'dispatched',
	'in_progress',
	'resolved',
	'verified',
	'closed'
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const HOUSEHOLD_TAGS = [
	'elderly_alone',
	'advanced_age',
	'disabled',
	'low_income',
	'key_care'
] as const;
export type HouseholdTag = (typeof HOUSEHOLD_TAGS)[number];

export const SEXES = ['F', 'M'] as const;
export type Sex = (typeof SEXES)[number];

export const SYNC_TABLES = ['households', 'residents', 'visits', 'checkins', 'incidents'] as const;
export type SyncTable = (typeof SYNC_TABLES)[number];

export const MUTATION_OPS = ['insert', 'update', 'delete'] as const;
export type MutationOp = (typeof MUTATION_OPS)[number];
