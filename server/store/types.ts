// The one store interface all server code uses. Two implementations share one body of
// drizzle queries (drizzle-store.ts) over two mirrored schemas: SQLite and PostgreSQL.
import type { InferInsertModel, InferSelectModel } from 'drizzle-orm';
import type * as schema from '../db/schema.pg';
import type {
	DivisionLevel,
	IncidentCategory,
	IncidentStatus,
	Role
} from '../../src/lib/shared/enums';
import type { ChangeRow, GridRow, PullFilter, UserRow } from './rows';
import type { RowTransactions } from './row-access';
import type { IdProtection } from '../privacy/ids';
import type { SupervisionQueries } from './supervision';
import type { ImportQueries } from './imports';
import type { DeviceAdminQueries } from './device-admin';
import type { PeopleQueries } from './people';
import type { GridQueries } from './grids';
import type { TemplateQueries } from './templates';
import type { JobQueries } from './jobs';
import type { FigureQueries } from '../rollup/queries';
import type { Dialect } from './driver';

export type { Dialect, GridRow, UserRow };

export type DivisionRow = InferSelectModel<typeof schema.divisions> & { level: DivisionLevel };
export type SessionRow = InferSelectModel<typeof schema.sessions>;
export type HouseholdRow = InferSelectModel<typeof schema.households>;
export type ResidentRow = InferSelectModel<typeof schema.residents>;
export type VisitRow = InferSelectModel<typeof schema.visits>;
export type AuditEntryRow = InferSelectModel<typeof schema.auditEntries>;
export type FieldHistoryRow = InferSelectModel<typeof schema.fieldHistory>;

export type NewHousehold = Omit<
	InferInsertModel<typeof schema.households>,
	'version' | 'createdAt' | 'updatedAt' | 'deleted' | 'fieldMeta'
>;
export type NewResident = Omit<
	InferInsertModel<typeof schema.residents>,
	'version' | 'createdAt' | 'updatedAt' | 'deleted' | 'gridId' | 'fieldMeta'
>;
export type NewUser = Omit<
	InferInsertModel<typeof schema.users>,
	'id' | 'createdAt' | 'disabled'
> & {
	role: Role;
};
export type NewSession = Omit<InferInsertModel<typeof schema.sessions>, 'revokedAt'>;
export type NewAuditEntry = Omit<InferInsertModel<typeof schema.auditEntries>, 'id' | 'at'>;

export interface Store extends RowTransactions {
	readonly dialect: Dialect;
	/** Apply pending migrations of this dialect. */
	migrate(): Promise<void>;
	close(): Promise<void>;

	/** Insert or rename divisions; returns how many rows were written. Idempotent. */
	upsertDivisions(rows: DivisionRow[]): Promise<number>;
	getDivision(code: string): Promise<DivisionRow | null>;
	childDivisions(code: string): Promise<DivisionRow[]>;
	/** Division counts per level for every code starting with `prefix`. */
	countDivisions(prefix: string): Promise<Record<DivisionLevel, number>>;

	createGrid(grid: {
		id?: string;
		communityCode: string;
		name: string;
		boundary?: unknown;
	}): Promise<GridRow>;
	getGrid(id: string): Promise<GridRow | null>;
	gridsOfCommunity(communityCode: string): Promise<GridRow[]>;

	createUser(user: NewUser): Promise<UserRow>;
	findUserByUsername(username: string): Promise<UserRow | null>;
	getUser(id: string): Promise<UserRow | null>;
	countUsers(): Promise<number>;

	createSession(session: NewSession): Promise<SessionRow>;
	findSessionByTokenHash(tokenHash: string): Promise<SessionRow | null>;
	revokeSession(id: string, at: Date): Promise<void>;
	/**
	 * End a session at its user's request (sign-out): it expires at `at`, so its token answers
	 * "unauthorized" from then on, never "revoked" (which makes a device wipe its data). The row
	 * stays: a device's sessions still tell who used it (device revocation).
	 */
	endSession(id: string, at: Date): Promise<void>;

	householdsOfGrid(gridId: string): Promise<HouseholdRow[]>;
	residentsOfHousehold(householdId: string): Promise<ResidentRow[]>;
	countHouseholds(gridIds: string[]): Promise<number>;
	countResidents(gridIds: string[]): Promise<number>;
	/**
	 * A community's live households and residents with the fields the roster import compares
	 * (docs/imports.md, "Matching rows"), in two bulk reads.
	 */
	communityRoster(communityCode: string): Promise<CommunityRoster>;

	/** Append an audit entry; there is deliberately no way to update or delete one. */
	appendAudit(entry: NewAuditEntry): Promise<AuditEntryRow>;
	auditEntries(filter: { communityCode?: string; limit: number }): Promise<AuditEntryRow[]>;

	/** The grid a household or resident belongs to, or null when there is no such row. */
	gridOfRow(table: 'households' | 'residents', rowId: string): Promise<string | null>;
	/** Who changed which field of a row, including values that lost a concurrent edit; oldest first. */
	fieldHistory(table: string, rowId: string): Promise<FieldHistoryRow[]>;

	/** Change-log entries of a scope after a cursor, in server order. */
	pullChanges(filter: PullFilter): Promise<ChangeRow[]>;

	// ── Privacy: ID protection, duplicate registrations, retention, erasure, devices ──
	/** This deployment's ID protection: hash secret (env or settings, created once) and optional key. */
	idProtection(): Promise<IdProtection>;
	getResident(id: string): Promise<ResidentRow | null>;
	getHousehold(id: string): Promise<HouseholdRow | null>;
	/**
	 * For each hash held by live residents of more than one household, raise (or refresh) one open
	 * flag per community concerned. Returns how many flags were newly raised.
	 */
	flagDuplicates(idHashes: string[], at: Date): Promise<number>;
	duplicateFlags(filter: { communityCode?: string }): Promise<DuplicateFlagRow[]>;
	getDuplicateFlag(id: string): Promise<DuplicateFlagRow | null>;
	resolveDuplicateFlag(
		id: string,
		resolution: { by: string; at: Date; action: string; note: string | null }
	): Promise<void>;
	/** Up to `limit` visits made before `before` with ids after `afterId`, by id (retention). */
	visitsBefore(before: Date, afterId: string, limit: number): Promise<VisitRow[]>;
	sessionsOfDevice(deviceId: string): Promise<SessionRow[]>;
	/** Revoke every live session of a device; returns how many were revoked. */
	revokeDeviceSessions(deviceId: string, at: Date): Promise<number>;
	/** Mark a device revoked: no sign-in from it is accepted afterwards. */
	markDeviceRevoked(deviceId: string, at: Date): Promise<void>;
	deviceRevoked(deviceId: string): Promise<boolean>;
	// ---- Roll-up figures (server/rollup/) and supervision (server/supervision/) ----
	/** The roll-up figures: stored figures, overdue counts, frozen days, the rebuild. */
	rollup(): FigureQueries;
	/** Rounds, community settings, incident queues, alerts and last syncs. */
	supervision(): SupervisionQueries;
	/** Roster import previews awaiting their commit (server/imports/previews.ts). */
	imports(): ImportQueries;
	/** People's devices and kiosks as their managers list them (server/privacy/devices.ts). */
	deviceAdmin(): DeviceAdminQueries;
	/** People's administration: listing, changes (the one updateUser), ending sessions. */
	people(): PeopleQueries;
	/** Grid administration: listing with counts and workers, rename, boundary, retirement. */
	grids(): GridQueries;
	/** Check templates: usable at a division, by id and version, changes, versions. */
	templates(): TemplateQueries;
	/** The periodic jobs' locks and runs across every server process (server/jobs.ts). */
	jobs(): JobQueries;
	/** Answers when the database does (readiness); throws otherwise. */
	ping(): Promise<void>;
	/** This process's database connections by state (PostgreSQL's pg_stat_activity; metrics). */
	connectionStates(): Promise<Map<string, number>>;
	// ---- Device data keys (encryption at rest on the tablet) ----------------------------------
	/**
	 * The key wrapping the local data key of `userId` on `deviceId`: the stored one, or `created`
	 * stored now when there is none yet. Only ever answered to a signed-in user.
	 */
	deviceKey(userId: string, deviceId: string, created: string, at: Date): Promise<string>;
	/** Forget the device keys of a device (the device is revoked, or wiped by its user). */
	forgetDeviceKeys(deviceId: string): Promise<void>;
	/** How many rows of each table a pull from `after` brings (inserts in the change log). */
	pullEstimate(filter: Omit<PullFilter, 'limit'>): Promise<Record<string, number>>;

	// ---- Kiosk (elderly check-in) ----------------------------------------------------------
	/** Live residents of a community who check in daily, with the fields a kiosk's directory needs. */
	checkinResidents(communityCode: string): Promise<CheckinResidentRow[]>;
	/**
	 * Per resident of a community, their latest incident of these categories (of those that name
	 * them), its status and when it reached it.
	 */
	lastHelpRequests(
		communityCode: string,
		categories: readonly IncidentCategory[]
	): Promise<LastHelpRow[]>;

	// ---- Login throttle (server/auth/throttle.ts) -----------------------------------------
	/**
	 * Count a sign-in attempt of `username` as a failure before its password is checked, in one
	 * atomic statement, unless the account is blocked at `atMs`: then nothing changes and the
	 * answer is when the block ends. A success afterwards clears the count (clearLoginFailures).
	 */
	countLoginAttempt(username: string, atMs: number, rule: LoginBlockRule): Promise<LoginAttempt>;
	/** Forget the failures of `username` (it signed in). */
	clearLoginFailures(username: string): Promise<void>;
	/** Failures from `address` not forgotten at `atMs` (none for `windowMs` forgets them). */
	addressFailures(address: string, atMs: number, windowMs: number): Promise<number>;
	/** Count one more failure from `address`; returns the count. */
	recordAddressFailure(address: string, atMs: number, windowMs: number): Promise<number>;
	/** Delete the throttle's rows with nothing left to remember at `atMs`; returns how many. */
	purgeLoginFailures(atMs: number, windowMs: number): Promise<number>;
}

/** The per-account block rule, in milliseconds (server/auth/throttle.ts). */
export interface LoginBlockRule {
	/** Failures allowed before the account is blocked. */
	allowed: number;
	/** Block after the last allowed failure; each further failure doubles it... */
	firstBlockMs: number;
	/** ...up to this. */
	maxBlockMs: number;
	/** Failures are forgotten after this long without a failure or a block. */
	windowMs: number;
}

export type LoginAttempt =
	{ allowed: true; failures: number } | { allowed: false; blockedUntilMs: number };

export interface CheckinResidentRow {
	id: string;
	householdId: string;
	gridId: string;
	name: string;
	/** Full ID number (server-side only); the directory keeps its last 4 characters. */
	idNumber: string | null;
	birthYear: number | null;
	/** The household's full address (server-side only); the directory keeps building and unit. */
	address: string;
}

/** A live household as the roster import compares it. */
export type RosterHouseholdRow = Pick<
	HouseholdRow,
	'id' | 'gridId' | 'address' | 'tags' | 'version'
>;

/** A live resident as the roster import compares it: never the ID number, only its hash and mask. */
export type RosterResidentRow = Pick<
	ResidentRow,
	| 'id'
	| 'householdId'
	| 'gridId'
	| 'name'
	| 'idHash'
	| 'idNumberMasked'
	| 'phone'
	| 'birthYear'
	| 'sex'
	| 'relation'
	| 'landline'
	| 'note'
	| 'tags'
	| 'version'
>;

export interface CommunityRoster {
	households: RosterHouseholdRow[];
	residents: RosterResidentRow[];
}

export interface LastHelpRow {
	residentId: string;
	status: IncidentStatus;
	at: Date;
}

export type DuplicateFlagRow = InferSelectModel<typeof schema.duplicateFlags>;
