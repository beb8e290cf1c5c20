// Store implementation shared by both dialects. The queries are written once against the
// PostgreSQL-typed schema; the SQLite driver passes its mirrored schema (same table and column
// names, same JS value types), so every query below runs unchanged on both databases.
import {
	and,
	asc,
	count,
	desc,
	eq,
	gt,
	gte,
	inArray,
	isNull,
	like,
	lt,
	ne,
	or,
	sql,
	type SQL
} from 'drizzle-orm';
import type { DivisionLevel, IncidentCategory, IncidentStatus } from '../../src/lib/shared/enums';
import { DIVISION_LEVELS, NATION_CODE } from '../../src/lib/shared/enums';
import type {
	CheckinResidentRow,
	CommunityRoster,
	AuditEntryRow,
	Dialect,
	DivisionRow,
	DuplicateFlagRow,
	FieldHistoryRow,
	GridRow,
	LastHelpRow,
	LoginAttempt,
	LoginBlockRule,
	NewAuditEntry,
	NewSession,
	NewUser,
	ResidentRow,
	HouseholdRow,
	SessionRow,
	Store,
	UserRow
} from './types';
import type { ChangeRow, PullFilter } from './rows';
import type { SyncTx } from './sync-types';
import { ROW_TRANSACTION } from './row-access';
import { chunk, type Db, type Driver, type Tables } from './driver';
import { DrizzleSyncTx, pullChanges } from './sync-tx';
import {
	ID_SECRET_SETTING,
	idProtection,
	newIdSecret,
	parseIdKey,
	type IdProtection
} from '../privacy/ids';
import { SupervisionQueries } from './supervision';
import { ImportQueries } from './imports';
import { DeviceAdminQueries } from './device-admin';
import { PeopleQueries } from './people';
import { GridQueries } from './grids';
import { TemplateQueries } from './templates';
import { JobQueries, LOCKS } from './jobs';
import { FigureQueries } from '../rollup/queries';
import { FrozenDays } from '../rollup/snapshots';

export class DrizzleStore implements Store {
	readonly dialect: Dialect;
	private readonly t: Tables;
	private readonly frozenDays = new FrozenDays();

	constructor(private readonly driver: Driver) {
		this.dialect = driver.dialect;
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	/**
	 * Migrate, one process at a time: several servers starting at once on one PostgreSQL database
	 * take turns, and each after the first finds nothing left to do.
	 */
	async migrate(): Promise<void> {
		await this.driver.exclusive(LOCKS.migrations, true, async () => {
			await this.driver.migrate();
			await this.enforceAppendOnlyAudit();
		});
	}

	close(): Promise<void> {
		return this.driver.close();
	}

	async upsertDivisions(rows: DivisionRow[]): Promise<number> {
		const { divisions } = this.t;
		let written = 0;
		await this.driver.transaction(async (tx) => {
			for (const part of chunk(rows, 4, this.driver.maxParams)) {
				await tx
					.insert(divisions)
					.values(part)
					.onConflictDoUpdate({
						target: divisions.code,
						set: {
							name: sql`excluded.name`,
							level: sql`excluded.level`,
							parentCode: sql`excluded.parent_code`
						}
					});
				written += part.length;
			}
		});
		return written;
	}

	async getDivision(code: string): Promise<DivisionRow | null> {
		const { divisions } = this.t;
		const [row] = await this.db.select().from(divisions).where(eq(divisions.code, code)).limit(1);
		return (row as DivisionRow | undefined) ?? null;
	}

	async childDivisions(code: string): Promise<DivisionRow[]> {
		const { divisions } = this.t;
		const rows = await this.db
			.select()
			.from(divisions)
			.where(
				// The nation's children: the provinces (which have no parent).
				code === NATION_CODE
					? and(isNull(divisions.parentCode), eq(divisions.level, 'province'))
					: eq(divisions.parentCode, code)
			)
			.orderBy(asc(divisions.code));
		return rows as DivisionRow[];
	}

	async countDivisions(prefix: string): Promise<Record<DivisionLevel, number>> {
		const { divisions } = this.t;
		const rows = await this.db
			.select({ level: divisions.level, n: count() })
			.from(divisions)
			.where(like(divisions.code, `${prefix}%`))
			.groupBy(divisions.level);
		const counts = Object.fromEntries(DIVISION_LEVELS.map((l) => [l, 0])) as Record<
			DivisionLevel,
			number
		>;
		for (const row of rows) counts[row.level as DivisionLevel] = Number(row.n);
		return counts;
	}

	async createGrid(grid: {
		id?: string;
		communityCode: string;
		name: string;
		boundary?: unknown;
	}): Promise<GridRow> {
		const { grids } = this.t;
		const row: GridRow = {
			id: grid.id ?? crypto.randomUUID(),
			communityCode: grid.communityCode,
			name: grid.name,
			boundary: grid.boundary ?? null,
			createdAt: new Date(),
			retiredAt: null
		};
		await this.db.insert(grids).values(row);
		return row;
	}

	async getGrid(id: string): Promise<GridRow | null> {
		const { grids } = this.t;
		const [row] = await this.db.select().from(grids).where(eq(grids.id, id)).limit(1);
		return row ?? null;
	}

	async gridsOfCommunity(communityCode: string): Promise<GridRow[]> {
		const { grids } = this.t;
		return (
			this.db
				.select()
				.from(grids)
				.where(eq(grids.communityCode, communityCode))
				// Creation order: communities number their grids 第一, 第二, … as they create them.
				.orderBy(asc(grids.createdAt), asc(grids.name))
		);
	}

	async createUser(user: NewUser): Promise<UserRow> {
		const { users } = this.t;
		const row: UserRow = {
			id: crypto.randomUUID(),
			displayName: user.displayName ?? null,
			phone: user.phone ?? null,
			username: user.username,
			role: user.role,
			scope: user.scope,
			scopeVersion: 0,
			passwordHash: user.passwordHash,
			disabled: false,
			createdAt: new Date()
		};
		await this.db.insert(users).values(row);
		return row;
	}

	async findUserByUsername(username: string): Promise<UserRow | null> {
		const { users } = this.t;
		const [row] = await this.db.select().from(users).where(eq(users.username, username)).limit(1);
		return (row as UserRow | undefined) ?? null;
	}

	async getUser(id: string): Promise<UserRow | null> {
		const { users } = this.t;
		const [row] = await this.db.select().from(users).where(eq(users.id, id)).limit(1);
		return (row as UserRow | undefined) ?? null;
	}

	async countUsers(): Promise<number> {
		const [row] = await this.db.select({ n: count() }).from(this.t.users);
		return Number(row.n);
	}

	async createSession(session: NewSession): Promise<SessionRow> {
		const row: SessionRow = { ...session, revokedAt: null };
		await this.db.insert(this.t.sessions).values(row);
		return row;
	}

	async findSessionByTokenHash(tokenHash: string): Promise<SessionRow | null> {
		const { sessions } = this.t;
		const [row] = await this.db
			.select()
			.from(sessions)
			.where(eq(sessions.tokenHash, tokenHash))
			.limit(1);
		return row ?? null;
	}

	async revokeSession(id: string, at: Date): Promise<void> {
		const { sessions } = this.t;
		await this.db.update(sessions).set({ revokedAt: at }).where(eq(sessions.id, id));
	}

	async endSession(id: string, at: Date): Promise<void> {
		const { sessions } = this.t;
		await this.db
			.update(sessions)
			.set({ expiresAt: at })
			.where(and(eq(sessions.id, id), gt(sessions.expiresAt, at)));
	}

	async householdsOfGrid(gridId: string) {
		const { households } = this.t;
		return this.db
			.select()
			.from(households)
			.where(and(eq(households.gridId, gridId), eq(households.deleted, false)))
			.orderBy(asc(households.address));
	}

	async residentsOfHousehold(householdId: string) {
		const { residents } = this.t;
		return this.db
			.select()
			.from(residents)
			.where(and(eq(residents.householdId, householdId), eq(residents.deleted, false)))
			.orderBy(asc(residents.createdAt), asc(residents.id));
	}

	async communityRoster(communityCode: string): Promise<CommunityRoster> {
		const { households, residents, grids } = this.t;
		const [householdRows, residentRows] = await Promise.all([
			this.db
				.select({
					id: households.id,
					gridId: households.gridId,
					address: households.address,
					tags: households.tags,
					version: households.version
				})
				.from(households)
				.innerJoin(grids, eq(grids.id, households.gridId))
				.where(and(eq(grids.communityCode, communityCode), eq(households.deleted, false)))
				.orderBy(asc(households.id)),
			this.db
				.select({
					id: residents.id,
					householdId: residents.householdId,
					gridId: residents.gridId,
					name: residents.name,
					idHash: residents.idHash,
					idNumberMasked: residents.idNumberMasked,
					phone: residents.phone,
					birthYear: residents.birthYear,
					sex: residents.sex,
					relation: residents.relation,
					landline: residents.landline,
					note: residents.note,
					tags: residents.tags,
					version: residents.version
				})
				.from(residents)
				.innerJoin(grids, eq(grids.id, residents.gridId))
				.where(and(eq(grids.communityCode, communityCode), eq(residents.deleted, false)))
				.orderBy(asc(residents.id))
		]);
		return { households: householdRows, residents: residentRows };
	}

	async countHouseholds(gridIds: string[]): Promise<number> {
		const { households } = this.t;
		if (gridIds.length === 0) return 0;
		const [row] = await this.db
			.select({ n: count() })
			.from(households)
			.where(and(inArray(households.gridId, gridIds), eq(households.deleted, false)));
		return Number(row.n);
	}

	async countResidents(gridIds: string[]): Promise<number> {
		const { residents } = this.t;
		if (gridIds.length === 0) return 0;
		const [row] = await this.db
			.select({ n: count() })
			.from(residents)
			.where(and(inArray(residents.gridId, gridIds), eq(residents.deleted, false)));
		return Number(row.n);
	}

	async appendAudit(entry: NewAuditEntry): Promise<AuditEntryRow> {
		const row: AuditEntryRow = {
			id: crypto.randomUUID(),
			at: new Date(),
			userId: entry.userId,
			role: entry.role,
			action: entry.action,
			subjectType: entry.subjectType,
			subjectId: entry.subjectId,
			communityCode: entry.communityCode ?? null,
			reason: entry.reason ?? null,
			deviceId: entry.deviceId ?? null,
			details: entry.details ?? null
		};
		await this.db.insert(this.t.auditEntries).values(row);
		return row;
	}

	async auditEntries(filter: { communityCode?: string; limit: number }): Promise<AuditEntryRow[]> {
		const { auditEntries } = this.t;
		const where = filter.communityCode
			? eq(auditEntries.communityCode, filter.communityCode)
			: undefined;
		return this.db
			.select()
			.from(auditEntries)
			.where(where)
			.orderBy(desc(auditEntries.at), desc(auditEntries.id))
			.limit(filter.limit);
	}

	async gridOfRow(table: 'households' | 'residents', rowId: string): Promise<string | null> {
		const t = this.t[table];
		const [row] = await this.db
			.select({ gridId: t.gridId })
			.from(t)
			.where(eq(t.id, rowId))
			.limit(1);
		return row?.gridId ?? null;
	}

	async fieldHistory(table: string, rowId: string): Promise<FieldHistoryRow[]> {
		const { fieldHistory } = this.t;
		return this.db
			.select()
			.from(fieldHistory)
			.where(and(eq(fieldHistory.tableName, table), eq(fieldHistory.rowId, rowId)))
			.orderBy(asc(fieldHistory.at), asc(fieldHistory.id));
	}

	[ROW_TRANSACTION]<T>(fn: (tx: SyncTx) => Promise<T>): Promise<T> {
		return this.driver.transaction((tx) =>
			fn(new DrizzleSyncTx(tx, this.t, this.driver, this.frozenDays))
		);
	}

	pullChanges(filter: PullFilter): Promise<ChangeRow[]> {
		return pullChanges(this.db, this.t, filter);
	}

	// ---- Roll-up figures (server/rollup/) and supervision (server/supervision/) ----
	private figureQueries?: FigureQueries;
	private supervisionQueries?: SupervisionQueries;

	rollup(): FigureQueries {
		this.figureQueries ??= new FigureQueries(this.driver, this.frozenDays);
		return this.figureQueries;
	}

	supervision(): SupervisionQueries {
		this.supervisionQueries ??= new SupervisionQueries(this.driver);
		return this.supervisionQueries;
	}

	private jobQueries?: JobQueries;

	jobs(): JobQueries {
		this.jobQueries ??= new JobQueries(this.driver);
		return this.jobQueries;
	}

	async ping(): Promise<void> {
		await this.rawExec('select 1');
	}

	connectionStates(): Promise<Map<string, number>> {
		return this.driver.connectionStates();
	}

	// ---- Roster import previews (server/imports/previews.ts) ----
	private importQueries?: ImportQueries;

	imports(): ImportQueries {
		this.importQueries ??= new ImportQueries(this.driver);
		return this.importQueries;
	}

	private deviceAdminQueries?: DeviceAdminQueries;
	deviceAdmin(): DeviceAdminQueries {
		this.deviceAdminQueries ??= new DeviceAdminQueries(this.driver);
		return this.deviceAdminQueries;
	}

	private peopleQueries?: PeopleQueries;

	people(): PeopleQueries {
		this.peopleQueries ??= new PeopleQueries(this.driver);
		return this.peopleQueries;
	}

	// ---- Grid administration (server/routes/grids.ts) ----
	private gridQueries?: GridQueries;

	grids(): GridQueries {
		this.gridQueries ??= new GridQueries(this.driver);
		return this.gridQueries;
	}

	// ---- Check templates (server/routes/templates.ts, docs/check-templates.md) ----
	private templateQueries?: TemplateQueries;

	templates(): TemplateQueries {
		this.templateQueries ??= new TemplateQueries(this.driver);
		return this.templateQueries;
	}

	// ── Privacy: ID protection, duplicate registrations, retention, erasure, devices ──

	private ids: Promise<IdProtection> | null = null;

	idProtection(): Promise<IdProtection> {
		this.ids ??= this.loadIdProtection().catch((error) => {
			this.ids = null;
			throw error;
		});
		return this.ids;
	}

	private async loadIdProtection(): Promise<IdProtection> {
		const key = parseIdKey(process.env.GRIDCARE_ID_KEY);
		let secret = process.env.GRIDCARE_ID_SECRET || null;
		if (!secret) {
			const { settings } = this.t;
			await this.db
				.insert(settings)
				.values({ key: ID_SECRET_SETTING, value: newIdSecret() })
				.onConflictDoNothing();
			const [row] = await this.db
				.select()
				.from(settings)
				.where(eq(settings.key, ID_SECRET_SETTING))
				.limit(1);
			secret = String(row.value);
		}
		return idProtection(secret, key);
	}

	/** A trigger on each dialect makes audit entries append-only for every client of the database. */
	private async enforceAppendOnlyAudit(): Promise<void> {
		const statements =
			this.dialect === 'sqlite'
				? [
						`CREATE TRIGGER IF NOT EXISTS audit_entries_no_update BEFORE UPDATE ON audit_entries
						 BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END`,
						`CREATE TRIGGER IF NOT EXISTS audit_entries_no_delete BEFORE DELETE ON audit_entries
						 BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END`
					]
				: [
						`CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
						 LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$`,
						`CREATE OR REPLACE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE
						 ON audit_entries FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()`,
						`CREATE OR REPLACE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE
						 ON audit_entries FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()`
					];
		for (const text of statements) await this.rawExec(text);
	}

	private async rawExec(text: string): Promise<void> {
		if (this.dialect === 'sqlite')
			(this.db as unknown as { run(q: ReturnType<typeof sql.raw>): unknown }).run(sql.raw(text));
		else await this.db.execute(sql.raw(text));
	}

	async getResident(id: string): Promise<ResidentRow | null> {
		const { residents } = this.t;
		const [row] = await this.db.select().from(residents).where(eq(residents.id, id)).limit(1);
		return row ?? null;
	}

	async getHousehold(id: string): Promise<HouseholdRow | null> {
		const { households } = this.t;
		const [row] = await this.db.select().from(households).where(eq(households.id, id)).limit(1);
		return row ?? null;
	}

	async flagDuplicates(idHashes: string[], at: Date): Promise<number> {
		const { residents, grids, duplicateFlags } = this.t;
		const wanted = [...new Set(idHashes)];
		if (wanted.length === 0) return 0;
		let raised = 0;
		await this.driver.transaction(async (tx) => {
			const holders = new Map<string, { id: string; householdId: string; community: string }[]>();
			for (const part of chunk(wanted, 1, this.driver.maxParams)) {
				const rows = await tx
					.select({
						id: residents.id,
						householdId: residents.householdId,
						idHash: residents.idHash,
						community: grids.communityCode
					})
					.from(residents)
					.innerJoin(grids, eq(grids.id, residents.gridId))
					.where(and(inArray(residents.idHash, part), eq(residents.deleted, false)));
				for (const r of rows) {
					const list = holders.get(r.idHash!) ?? [];
					list.push({ id: r.id, householdId: r.householdId, community: r.community });
					holders.set(r.idHash!, list);
				}
			}
			for (const [idHash, list] of holders) {
				if (new Set(list.map((r) => r.householdId)).size < 2) continue;
				const residentIds = list.map((r) => r.id).sort();
				const open = await tx
					.select()
					.from(duplicateFlags)
					.where(and(eq(duplicateFlags.idHash, idHash), isNull(duplicateFlags.resolvedAt)));
				for (const community of new Set(list.map((r) => r.community))) {
					const flag = open.find((f) => f.communityCode === community);
					if (flag) {
						await tx
							.update(duplicateFlags)
							.set({ residentIds })
							.where(eq(duplicateFlags.id, flag.id));
						continue;
					}
					await tx.insert(duplicateFlags).values({
						id: crypto.randomUUID(),
						idHash,
						communityCode: community,
						residentIds,
						raisedAt: at,
						resolvedBy: null,
						resolvedAt: null,
						resolution: null,
						note: null
					});
					raised++;
				}
			}
		});
		return raised;
	}

	async duplicateFlags(filter: { communityCode?: string }): Promise<DuplicateFlagRow[]> {
		const { duplicateFlags } = this.t;
		return this.db
			.select()
			.from(duplicateFlags)
			.where(
				filter.communityCode ? eq(duplicateFlags.communityCode, filter.communityCode) : undefined
			)
			.orderBy(desc(duplicateFlags.raisedAt), asc(duplicateFlags.id));
	}

	async getDuplicateFlag(id: string): Promise<DuplicateFlagRow | null> {
		const { duplicateFlags } = this.t;
		const [row] = await this.db
			.select()
			.from(duplicateFlags)
			.where(eq(duplicateFlags.id, id))
			.limit(1);
		return row ?? null;
	}

	async resolveDuplicateFlag(
		id: string,
		r: { by: string; at: Date; action: string; note: string | null }
	): Promise<void> {
		const { duplicateFlags } = this.t;
		await this.db
			.update(duplicateFlags)
			.set({ resolvedBy: r.by, resolvedAt: r.at, resolution: r.action, note: r.note })
			.where(eq(duplicateFlags.id, id));
	}

	visitsBefore(before: Date, afterId: string, limit: number) {
		const { visits } = this.t;
		return this.db
			.select()
			.from(visits)
			.where(and(lt(visits.visitedAt, before), gt(visits.id, afterId)))
			.orderBy(asc(visits.id))
			.limit(limit);
	}

	async sessionsOfDevice(deviceId: string): Promise<SessionRow[]> {
		const { sessions } = this.t;
		return this.db.select().from(sessions).where(eq(sessions.deviceId, deviceId));
	}

	async revokeDeviceSessions(deviceId: string, at: Date): Promise<number> {
		const { sessions } = this.t;
		const revoked = await this.db
			.update(sessions)
			.set({ revokedAt: at })
			.where(and(eq(sessions.deviceId, deviceId), isNull(sessions.revokedAt)))
			.returning({ id: sessions.id });
		return revoked.length;
	}

	async markDeviceRevoked(deviceId: string, at: Date): Promise<void> {
		const { devices } = this.t;
		await this.db
			.insert(devices)
			.values({ id: deviceId, kind: 'browser', enrolledAt: at, revokedAt: at })
			.onConflictDoUpdate({ target: devices.id, set: { revokedAt: at } });
	}

	async deviceRevoked(deviceId: string): Promise<boolean> {
		const { devices } = this.t;
		const [row] = await this.db
			.select({ revokedAt: devices.revokedAt })
			.from(devices)
			.where(eq(devices.id, deviceId))
			.limit(1);
		return Boolean(row?.revokedAt);
	}
	// ---- Device data keys (encryption at rest on the tablet) ----------------------------------

	async deviceKey(userId: string, deviceId: string, created: string, at: Date): Promise<string> {
		const { deviceKeys } = this.t;
		await this.db
			.insert(deviceKeys)
			.values({ userId, deviceId, key: created, createdAt: at })
			.onConflictDoNothing();
		const [row] = await this.db
			.select({ key: deviceKeys.key })
			.from(deviceKeys)
			.where(and(eq(deviceKeys.userId, userId), eq(deviceKeys.deviceId, deviceId)))
			.limit(1);
		return row.key;
	}

	async forgetDeviceKeys(deviceId: string): Promise<void> {
		const { deviceKeys } = this.t;
		await this.db.delete(deviceKeys).where(eq(deviceKeys.deviceId, deviceId));
	}

	async pullEstimate(filter: Omit<PullFilter, 'limit'>): Promise<Record<string, number>> {
		const { changeLog } = this.t;
		const ranges = [
			...(filter.gridIds ?? []).map((id) => eq(changeLog.gridId, id)),
			...(filter.communityCodes ?? []).map((code) => eq(changeLog.communityCode, code))
		];
		if (ranges.length === 0) return {};
		const rows = await this.db
			.select({ table: changeLog.tableName, n: count() })
			.from(changeLog)
			.where(
				and(
					or(...ranges),
					eq(changeLog.op, 'insert'),
					gt(changeLog.seq, filter.after),
					filter.visitsSince
						? or(ne(changeLog.tableName, 'visits'), gte(changeLog.at, filter.visitsSince))
						: undefined
				)
			)
			.groupBy(changeLog.tableName);
		return Object.fromEntries(rows.map((row) => [row.table, Number(row.n)]));
	}

	// ---- Kiosk (elderly check-in) ----------------------------------------------------------

	async checkinResidents(communityCode: string): Promise<CheckinResidentRow[]> {
		const { residents, grids, households } = this.t;
		return this.db
			.select({
				id: residents.id,
				householdId: residents.householdId,
				gridId: residents.gridId,
				name: residents.name,
				idNumber: residents.idNumber,
				birthYear: residents.birthYear,
				address: households.address
			})
			.from(residents)
			.innerJoin(grids, eq(grids.id, residents.gridId))
			.innerJoin(households, eq(households.id, residents.householdId))
			.where(
				and(
					eq(grids.communityCode, communityCode),
					eq(residents.dailyCheckIn, true),
					eq(residents.deleted, false)
				)
			)
			.orderBy(asc(residents.id));
	}

	async lastHelpRequests(
		communityCode: string,
		categories: readonly IncidentCategory[]
	): Promise<LastHelpRow[]> {
		const i = this.t.incidents;
		const x = this.t.incidentTransitions;
		// Each incident of these categories that names its resident, with every time it reached its
		// present status (a sent-back incident reaches "in_progress" twice); none when the
		// history lacks that move, then its last change stands for it.
		const rows = await this.db
			.select({
				id: i.id,
				residentId: i.residentId,
				status: i.status,
				createdAt: i.createdAt,
				updatedAt: i.updatedAt,
				reachedAt: x.at
			})
			.from(i)
			.leftJoin(x, and(eq(x.incidentId, i.id), eq(x.toStatus, i.status)))
			.where(and(eq(i.communityCode, communityCode), inArray(i.category, [...categories])));
		const latest = new Map<string, { id: string; createdAt: number; row: LastHelpRow }>();
		for (const r of rows) {
			if (!r.residentId) continue;
			const createdAt = r.createdAt.getTime();
			const at = r.reachedAt ?? r.updatedAt;
			const held = latest.get(r.residentId);
			const newer =
				!held || createdAt > held.createdAt || (createdAt === held.createdAt && r.id > held.id);
			if (newer) {
				const row = { residentId: r.residentId, status: r.status as IncidentStatus, at };
				latest.set(r.residentId, { id: r.id, createdAt, row });
			} else if (held.id === r.id && at > held.row.at) held.row.at = at;
		}
		return [...latest.values()].map((l) => l.row);
	}

	// ---- Login throttle (server/auth/throttle.ts) -------------------------------------------
	// Each change is one INSERT ... ON CONFLICT DO UPDATE whose new values are computed from the
	// stored row by the database, so concurrent attempts in several server processes never lose
	// a count (no read-then-write).

	async countLoginAttempt(
		username: string,
		atMs: number,
		rule: LoginBlockRule
	): Promise<LoginAttempt> {
		const t = this.t.loginAccountFailures;
		const now = big(atMs);
		// Nothing to remember: no failure and no block for a whole window.
		const quiet = sql`${t.blockedUntilMs} < ${big(atMs - rule.windowMs)}`;
		const failures = sql`(case when ${quiet} then 1 else ${t.failures} + 1 end)`;
		const doubled = sql`(case when ${t.blockMs} * 2 > ${big(rule.maxBlockMs)} then ${big(rule.maxBlockMs)} else ${t.blockMs} * 2 end)`;
		const block = sql`(case when ${failures} < ${rule.allowed} then ${big(0)} when ${failures} = ${rule.allowed} or ${t.blockMs} = 0 then ${big(rule.firstBlockMs)} else ${doubled} end)`;
		const first = rule.allowed <= 1 ? rule.firstBlockMs : 0;
		const rows = await this.db
			.insert(t)
			.values({
				username,
				failures: 1,
				lastFailureMs: atMs,
				blockMs: first,
				blockedUntilMs: atMs + first
			})
			.onConflictDoUpdate({
				target: t.username,
				set: {
					failures,
					lastFailureMs: now,
					blockMs: block,
					blockedUntilMs: sql`${now} + ${block}`
				},
				// A blocked account: the row stays as it is and nothing is returned. An account
				// without a block is never refused, even by an attempt stamped a little before the
				// last one (sign-ins at once through several processes or connections).
				setWhere: sql`${t.blockMs} = 0 or ${t.blockedUntilMs} <= ${now}`
			})
			.returning({ failures: t.failures });
		if (rows.length > 0) return { allowed: true, failures: Number(rows[0].failures) };
		const [row] = await this.db
			.select({ until: t.blockedUntilMs })
			.from(t)
			.where(eq(t.username, username))
			.limit(1);
		// The row may have been cleared by a success in between: then the block is over too.
		return { allowed: false, blockedUntilMs: Number(row?.until ?? atMs) };
	}

	async clearLoginFailures(username: string): Promise<void> {
		const t = this.t.loginAccountFailures;
		await this.db.delete(t).where(eq(t.username, username));
	}

	async addressFailures(address: string, atMs: number, windowMs: number): Promise<number> {
		const t = this.t.loginAddressFailures;
		const [row] = await this.db
			.select({ failures: t.failures })
			.from(t)
			.where(and(eq(t.address, address), gte(t.lastFailureMs, atMs - windowMs)))
			.limit(1);
		return row ? Number(row.failures) : 0;
	}

	async recordAddressFailure(address: string, atMs: number, windowMs: number): Promise<number> {
		const t = this.t.loginAddressFailures;
		const [row] = await this.db
			.insert(t)
			.values({ address, failures: 1, lastFailureMs: atMs })
			.onConflictDoUpdate({
				target: t.address,
				set: {
					failures: sql`(case when ${t.lastFailureMs} < ${big(atMs - windowMs)} then 1 else ${t.failures} + 1 end)`,
					lastFailureMs: sql`(case when ${t.lastFailureMs} > ${big(atMs)} then ${t.lastFailureMs} else ${big(atMs)} end)`
				}
			})
			.returning({ failures: t.failures });
		return Number(row.failures);
	}

	async purgeLoginFailures(atMs: number, windowMs: number): Promise<number> {
		const { loginAccountFailures: a, loginAddressFailures: b } = this.t;
		const before = atMs - windowMs;
		const accounts = await this.db
			.delete(a)
			.where(lt(a.blockedUntilMs, before))
			.returning({ username: a.username });
		const addresses = await this.db
			.delete(b)
			.where(lt(b.lastFailureMs, before))
			.returning({ address: b.address });
		return accounts.length + addresses.length;
	}
}

/** A number bound as a 64-bit integer on both databases (untyped parameters confuse PostgreSQL). */
function big(n: number): SQL {
	return sql`cast(${Math.round(n)} as bigint)`;
}
