// PostgreSQL schema. Mirrors schema.sqlite.ts table for table and column for column
// (drizzle has no dialect-neutral schema); tests/integration/schema-mirror.test.ts keeps them in step.
import {
	bigint,
	bigserial,
	boolean,
	doublePrecision,
	index,
	integer,
	jsonb,
	pgTable,
	primaryKey,
	text,
	timestamp
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';
import type { FieldMeta } from '../sync/merge';
import type { Question, StoredAnswer } from '../../src/lib/shared/templates';

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
const json = <T>(name: string) => jsonb(name).$type<T>();

export const divisions = pgTable(
	'divisions',
	{
		code: text('code').primaryKey(),
		name: text('name').notNull(),
		level: text('level').notNull(),
		parentCode: text('parent_code')
	},
	(t) => [index('divisions_parent_idx').on(t.parentCode)]
);

export const grids = pgTable(
	'grids',
	{
		id: text('id').primaryKey(),
		communityCode: text('community_code').notNull(),
		name: text('name').notNull(),
		boundary: json<unknown>('boundary'),
		createdAt: at('created_at').notNull(),
		/** Set when the grid was retired (only an empty grid may be); retired grids take no new rows. */
		retiredAt: at('retired_at')
	},
	(t) => [index('grids_community_idx').on(t.communityCode)]
);

export const users = pgTable('users', {
	id: text('id').primaryKey(),
	username: text('username').notNull().unique(),
	displayName: text('display_name'),
	/** A mobile number colleagues may call (11 digits). */
	phone: text('phone'),
	role: text('role').notNull(),
	scope: json<string[]>('scope').notNull(),
	/**
	 * Raised whenever `scope` changes; pull cursors carry the value they were issued under, and a
	 * pull with an older one answers 409 scope_changed (the device downloads its scope again).
	 */
	scopeVersion: integer('scope_version').notNull().default(0),
	passwordHash: text('password_hash').notNull(),
	disabled: boolean('disabled').notNull().default(false),
	createdAt: at('created_at').notNull()
});

export const devices = pgTable('devices', {
	id: text('id').primaryKey(),
	userId: text('user_id'),
	kind: text('kind').notNull(),
	communityCode: text('community_code'),
	enrolledAt: at('enrolled_at').notNull(),
	lastSeenAt: at('last_seen_at'),
	/** When this device's user last pushed or pulled successfully (the community's grid table). */
	lastSyncAt: at('last_sync_at'),
	revokedAt: at('revoked_at')
});

/**
 * The key a device's local data key is wrapped under, one per user and device. Handed out only
 * with a successful sign-in of that user on that device, so a forgotten PIN costs a sign-in,
 * never the changes waiting on the device.
 */
export const deviceKeys = pgTable(
	'device_keys',
	{
		userId: text('user_id').notNull(),
		deviceId: text('device_id').notNull(),
		key: text('key').notNull(),
		createdAt: at('created_at').notNull()
	},
	(t) => [primaryKey({ columns: [t.userId, t.deviceId] })]
);

export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		tokenHash: text('token_hash').notNull().unique(),
		userId: text('user_id').notNull(),
		deviceId: text('device_id').notNull(),
		createdAt: at('created_at').notNull(),
		expiresAt: at('expires_at').notNull(),
		revokedAt: at('revoked_at')
	},
	(t) => [index('sessions_user_idx').on(t.userId)]
);

export const households = pgTable(
	'households',
	{
		id: text('id').primaryKey(),
		gridId: text('grid_id').notNull(),
		address: text('address').notNull(),
		tags: json<string[]>('tags').notNull(),
		lat: doublePrecision('lat'),
		lng: doublePrecision('lng'),
		memberCount: integer('member_count').notNull().default(0),
		// Care tiers (docs/care-tiers.md): written by the server only. The day of the last visit
		// that found someone home, the earliest signal since then (its day and kind), the tag whose
		// visit frequency applies, the day the next visit is due and why.
		lastVisitedOn: text('last_visited_on'),
		signalOn: text('signal_on'),
		signalKind: text('signal_kind'),
		careTag: text('care_tag'),
		dueOn: text('due_on'),
		dueReason: text('due_reason'),
		version: bigint('version', { mode: 'number' }).notNull(),
		/** Per field, the key of the edit whose value is held (server/sync/merge.ts). */
		fieldMeta: json<FieldMeta>('field_meta').notNull(),
		deleted: boolean('deleted').notNull().default(false),
		createdAt: at('created_at').notNull(),
		updatedAt: at('updated_at').notNull()
	},
	(t) => [
		index('households_grid_idx').on(t.gridId),
		// Households whose due day was never worked out (stored before care tiers): few, then none.
		index('households_due_unknown_idx')
			.on(t.id)
			.where(sql`due_on is null`)
	]
);

export const residents = pgTable(
	'residents',
	{
		id: text('id').primaryKey(),
		householdId: text('household_id').notNull(),
		gridId: text('grid_id').notNull(),
		name: text('name').notNull(),
		/** Full ID number, only ever read by the server; devices receive idNumberMasked. */
		idNumber: text('id_number'),
		idNumberMasked: text('id_number_masked'),
		/** Keyed hash of the ID number, for duplicate-registration detection. */
		idHash: text('id_hash'),
		phone: text('phone'),
		birthYear: integer('birth_year'),
		sex: text('sex'),
		/** 与户主关系 as the roster states it (户主, 配偶, 子女 …). */
		relation: text('relation'),
		/** A landline with its area code (0771-1234567); `phone` is a mobile number. */
		landline: text('landline'),
		/** 备注: free text kept with the resident. */
		note: text('note'),
		tags: json<string[]>('tags').notNull(),
		dailyCheckIn: boolean('daily_check_in').notNull().default(false),
		version: bigint('version', { mode: 'number' }).notNull(),
		/** Per field, the key of the edit whose value is held (server/sync/merge.ts). */
		fieldMeta: json<FieldMeta>('field_meta').notNull(),
		deleted: boolean('deleted').notNull().default(false),
		createdAt: at('created_at').notNull(),
		updatedAt: at('updated_at').notNull()
	},
	(t) => [
		index('residents_household_idx').on(t.householdId),
		index('residents_grid_idx').on(t.gridId),
		index('residents_id_hash_idx').on(t.idHash)
	]
);

export const rounds = pgTable(
	'rounds',
	{
		id: text('id').primaryKey(),
		divisionCode: text('division_code').notNull(),
		name: text('name').notNull(),
		startDate: text('start_date').notNull(),
		dueDate: text('due_date').notNull(),
		createdBy: text('created_by').notNull(),
		createdAt: at('created_at').notNull(),
		/** The check template the round asks (docs/check-templates.md) and the version it pins. */
		templateId: text('template_id'),
		templateVersion: integer('template_version')
	},
	(t) => [index('rounds_division_idx').on(t.divisionCode)]
);

/**
 * Check templates made in a division (the shipped ones live in src/lib/shared/templates.ts):
 * the current version's name and questions; every version is kept in check_template_versions.
 */
export const checkTemplates = pgTable(
	'check_templates',
	{
		id: text('id').primaryKey(),
		divisionCode: text('division_code').notNull(),
		name: text('name').notNull(),
		nameEn: text('name_en'),
		version: integer('version').notNull(),
		questions: json<Question[]>('questions').notNull(),
		createdBy: text('created_by').notNull(),
		createdAt: at('created_at').notNull(),
		updatedBy: text('updated_by').notNull(),
		updatedAt: at('updated_at').notNull()
	},
	(t) => [index('check_templates_division_idx').on(t.divisionCode)]
);

/** Every version of a template, as rounds pin them and visits answered them. */
export const checkTemplateVersions = pgTable(
	'check_template_versions',
	{
		templateId: text('template_id').notNull(),
		version: integer('version').notNull(),
		name: text('name').notNull(),
		nameEn: text('name_en'),
		questions: json<Question[]>('questions').notNull(),
		createdBy: text('created_by').notNull(),
		createdAt: at('created_at').notNull()
	},
	(t) => [primaryKey({ columns: [t.templateId, t.version] })]
);

export interface VisitCheck {
	residentId: string;
	temperature?: number;
	symptoms?: string[];
	healthCode?: 'green' | 'yellow' | 'red';
	fromRiskArea?: boolean;
	/** Kept alone (with residentId) once the retention period deleted the health details. */
	abnormal?: boolean;
}

export const visits = pgTable(
	'visits',
	{
		id: text('id').primaryKey(),
		householdId: text('household_id').notNull(),
		gridId: text('grid_id').notNull(),
		workerId: text('worker_id').notNull(),
		visitedAt: at('visited_at').notNull(),
		/** Calendar day of visitedAt in GRIDCARE_TZ, YYYY-MM-DD. */
		day: text('day').notNull(),
		outcome: text('outcome').notNull(),
		checks: json<VisitCheck[]>('checks').notNull(),
		needs: json<string[]>('needs').notNull(),
		note: text('note'),
		abnormal: boolean('abnormal').notNull(),
		supersedes: text('supersedes'),
		createdAt: at('created_at').notNull(),
		/** The check template version the answers belong to (null: the fixed checks before templates). */
		templateId: text('template_id'),
		templateVersion: integer('template_version'),
		answers: json<StoredAnswer[]>('answers').notNull().default([])
	},
	(t) => [
		// Household + day (+ abnormal, so the check reads the index alone): a visit's "first in
		// this period" check in roll-up maintenance.
		index('visits_household_idx').on(t.householdId, t.day, t.abnormal),
		index('visits_grid_day_idx').on(t.gridId, t.day)
	]
);

export const checkins = pgTable(
	'checkins',
	{
		id: text('id').primaryKey(),
		residentId: text('resident_id').notNull(),
		gridId: text('grid_id').notNull(),
		at: at('at').notNull(),
		day: text('day').notNull(),
		status: text('status').notNull(),
		channel: text('channel').notNull(),
		needs: json<string[]>('needs').notNull(),
		assistedBy: text('assisted_by'),
		recordedBy: text('recorded_by').notNull(),
		createdAt: at('created_at').notNull()
	},
	(t) => [
		index('checkins_resident_day_idx').on(t.residentId, t.day),
		index('checkins_grid_day_idx').on(t.gridId, t.day)
	]
);

export const incidents = pgTable(
	'incidents',
	{
		id: text('id').primaryKey(),
		gridId: text('grid_id').notNull(),
		communityCode: text('community_code').notNull(),
		householdId: text('household_id'),
		residentId: text('resident_id'),
		category: text('category').notNull(),
		severity: text('severity').notNull(),
		description: text('description').notNull(),
		status: text('status').notNull(),
		dueAt: at('due_at').notNull(),
		/** Division code the incident has escalated to when overdue; null while at its community. */
		escalatedTo: text('escalated_to'),
		assigneeId: text('assignee_id'),
		reportedBy: text('reported_by').notNull(),
		rating: integer('rating'),
		version: bigint('version', { mode: 'number' }).notNull(),
		/** Per field, the key of the edit whose value is held (server/sync/merge.ts). */
		fieldMeta: json<FieldMeta>('field_meta').notNull(),
		createdAt: at('created_at').notNull(),
		updatedAt: at('updated_at').notNull()
	},
	(t) => [
		index('incidents_grid_status_idx').on(t.gridId, t.status),
		index('incidents_community_idx').on(t.communityCode),
		// A household's help requests (care tiers: a request makes the household due).
		index('incidents_household_idx').on(t.householdId),
		// Open incidents by subtree (a code prefix is a range) and due time: overdue counts and escalation.
		index('incidents_open_due_idx')
			.on(t.communityCode, t.dueAt)
			.where(sql`status <> 'closed'`)
	]
);

export const incidentTransitions = pgTable(
	'incident_transitions',
	{
		id: text('id').primaryKey(),
		incidentId: text('incident_id').notNull(),
		fromStatus: text('from_status'),
		toStatus: text('to_status').notNull(),
		actorId: text('actor_id').notNull(),
		note: text('note'),
		at: at('at').notNull()
	},
	(t) => [index('incident_transitions_incident_idx').on(t.incidentId)]
);

/** Mutation ids already applied (or rejected): a replay is answered from here and changes nothing. */
export const appliedMutations = pgTable('applied_mutations', {
	id: text('id').primaryKey(),
	deviceId: text('device_id').notNull(),
	userId: text('user_id').notNull(),
	status: text('status').notNull(),
	reason: text('reason'),
	appliedAt: at('applied_at').notNull()
});

/** Every applied change with a monotonic server sequence (also the version it gives its row); devices pull by cursor over it. */
export const changeLog = pgTable(
	'change_log',
	{
		seq: bigserial('seq', { mode: 'number' }).primaryKey(),
		tableName: text('table_name').notNull(),
		rowId: text('row_id').notNull(),
		op: text('op').notNull(),
		fields: json<Record<string, unknown>>('fields').notNull(),
		gridId: text('grid_id').notNull(),
		communityCode: text('community_code').notNull(),
		at: at('at').notNull()
	},
	(t) => [
		index('change_log_grid_seq_idx').on(t.gridId, t.seq),
		index('change_log_community_seq_idx').on(t.communityCode, t.seq)
	]
);

/** Values that lost a concurrent edit, and who changed what: the household's field history. */
export const fieldHistory = pgTable(
	'field_history',
	{
		id: text('id').primaryKey(),
		tableName: text('table_name').notNull(),
		rowId: text('row_id').notNull(),
		field: text('field').notNull(),
		value: json<unknown>('value'),
		outcome: text('outcome').notNull(),
		actorId: text('actor_id').notNull(),
		mutationId: text('mutation_id').notNull(),
		at: at('at').notNull()
	},
	(t) => [index('field_history_row_idx').on(t.tableName, t.rowId)]
);

/** Roll-up figures: one row per node, period ("day:YYYY-MM-DD", "round:<id>" or "now") and metric. */
export const rollupFigures = pgTable(
	'rollup_figures',
	{
		nodeCode: text('node_code').notNull(),
		period: text('period').notNull(),
		metric: text('metric').notNull(),
		value: bigint('value', { mode: 'number' }).notNull()
	},
	(t) => [
		primaryKey({ columns: [t.nodeCode, t.period, t.metric] }),
		// The end-of-day snapshot copies the state rows of period "now" (server/rollup/snapshots.ts).
		index('rollup_figures_period_idx').on(t.period, t.metric)
	]
);

/**
 * Days whose end-of-day state is frozen (server/rollup/snapshots.ts): `stateDay` is the day whose
 * "day:<day>" rows hold that state — the day itself, or for a day no write followed, the next
 * day frozen (nothing changed in between).
 */
export const rollupDays = pgTable(
	'rollup_days',
	{
		/**
		 * The province (two-digit code) whose figures the row speaks for: a database freezes all
		 * its provinces at once, one row each, so that the rows of several provinces' databases
		 * can meet in a national one (docs/scaling.md).
		 */
		province: text('province').notNull(),
		day: text('day').notNull(),
		stateDay: text('state_day').notNull(),
		frozenAt: at('frozen_at').notNull()
	},
	(t) => [primaryKey({ columns: [t.province, t.day] })]
);

export const alerts = pgTable(
	'alerts',
	{
		id: text('id').primaryKey(),
		communityCode: text('community_code').notNull(),
		kind: text('kind').notNull(),
		value: integer('value').notNull(),
		threshold: integer('threshold').notNull(),
		raisedAt: at('raised_at').notNull(),
		acknowledgedBy: text('acknowledged_by'),
		acknowledgedAt: at('acknowledged_at')
	},
	(t) => [index('alerts_community_idx').on(t.communityCode)]
);

/** Append-only record of access to personal data and of permission changes. */
export const auditEntries = pgTable(
	'audit_entries',
	{
		id: text('id').primaryKey(),
		at: at('at').notNull(),
		userId: text('user_id').notNull(),
		role: text('role').notNull(),
		action: text('action').notNull(),
		subjectType: text('subject_type').notNull(),
		subjectId: text('subject_id').notNull(),
		communityCode: text('community_code'),
		reason: text('reason'),
		deviceId: text('device_id'),
		details: json<Record<string, unknown>>('details')
	},
	(t) => [index('audit_community_at_idx').on(t.communityCode, t.at)]
);

export const settings = pgTable('settings', {
	key: text('key').primaryKey(),
	value: json<unknown>('value').notNull()
});

/**
 * The periodic jobs of `serve` (docs/operations.md): per job, the last period it ran for and the
 * runs and failures counted across every server process of the database.
 */
export const jobRuns = pgTable('job_runs', {
	job: text('job').primaryKey(),
	/** The last period done: a UTC minute (`2026-12-07T04:41`) or a day (`2026-12-07`). */
	period: text('period').notNull(),
	runs: integer('runs').notNull(),
	failures: integer('failures').notNull(),
	lastStartedAt: at('last_started_at'),
	lastFinishedAt: at('last_finished_at'),
	/** The process that last ran it: host and pid. */
	lastProcess: text('last_process')
});

/** Privacy: one flag per community when one ID number (by keyed hash) is registered more than once. */
export const duplicateFlags = pgTable(
	'duplicate_flags',
	{
		id: text('id').primaryKey(),
		idHash: text('id_hash').notNull(),
		communityCode: text('community_code').notNull(),
		/** Every resident row carrying the ID number, in any community, when last checked. */
		residentIds: json<string[]>('resident_ids').notNull(),
		raisedAt: at('raised_at').notNull(),
		resolvedBy: text('resolved_by'),
		resolvedAt: at('resolved_at'),
		resolution: text('resolution'),
		note: text('note')
	},
	(t) => [
		index('duplicate_flags_community_idx').on(t.communityCode),
		index('duplicate_flags_hash_idx').on(t.idHash)
	]
);

/**
 * Login throttle, per account: failures of the (normalized) username given, known or not, at any
 * address. Times are epoch milliseconds so one SQL text does the arithmetic on both databases.
 * See server/auth/throttle.ts for the rule.
 */
export const loginAccountFailures = pgTable('login_account_failures', {
	username: text('username').primaryKey(),
	failures: integer('failures').notNull(),
	lastFailureMs: bigint('last_failure_ms', { mode: 'number' }).notNull(),
	/** Length of the current block (0 while fewer failures than allowed); doubles per failure. */
	blockMs: bigint('block_ms', { mode: 'number' }).notNull(),
	/** No attempt is verified before this time (equal to the last failure when not blocked). */
	blockedUntilMs: bigint('blocked_until_ms', { mode: 'number' }).notNull()
});

/** Login throttle, per client address: failures for any username, which slow its answers. */
export const loginAddressFailures = pgTable('login_address_failures', {
	address: text('address').primaryKey(),
	failures: integer('failures').notNull(),
	lastFailureMs: bigint('last_failure_ms', { mode: 'number' }).notNull()
});

/**
 * Roster imports awaiting their commit (server/imports/): any server process can commit a preview,
 * which expires a day after it was made. `payload` holds the parsed rows as JSON text, ID numbers
 * sealed as in residents.id_number; `rejected` the raw cells of the rows not imported.
 */
export const imports = pgTable(
	'imports',
	{
		id: text('id').primaryKey(),
		communityCode: text('community_code').notNull(),
		userId: text('user_id').notNull(),
		fileName: text('file_name').notNull(),
		/** preview → committing → committed (or back to preview when a commit failed). */
		status: text('status').notNull(),
		createdAt: at('created_at').notNull(),
		expiresAt: at('expires_at').notNull(),
		/** What the preview answered (columns, counts, problems) and the options it was made with. */
		preview: json<Record<string, unknown>>('preview').notNull(),
		payload: text('payload').notNull(),
		rejected: text('rejected').notNull(),
		progressDone: integer('progress_done').notNull().default(0),
		progressTotal: integer('progress_total').notNull().default(0),
		/** The summary of the commit, once committed. */
		result: json<Record<string, unknown>>('result')
	},
	(t) => [index('imports_expires_idx').on(t.expiresAt)]
);
