// Database side of user administration (docs/administration.md, "People"): one body of drizzle
// queries for both dialects like drizzle-store.ts, reached through Store.people().
import { and, asc, eq, gt, isNull, like, sql } from 'drizzle-orm';
import type { Db, Driver, Tables } from './driver';
import type { GridRow, UserRow } from './rows';

/** How far a restore raises scope versions: beyond what changes of scope could have reached. */
const RESTORE_STEP = 1_000_000;

/** A person with the last time any of their devices synced. */
export type PersonRow = UserRow & { lastSyncAt: Date | null };

/** What an administrator may change of a person; `passwordHash` only through a reset. */
export interface UserChange {
	displayName?: string | null;
	phone?: string | null;
	disabled?: boolean;
	scope?: string[];
	passwordHash?: string;
}

const sameScope = (a: string[], b: string[]) =>
	a.length === b.length && a.every((code, i) => code === b[i]);

export class PeopleQueries {
	private readonly t: Tables;
	constructor(private readonly driver: Pick<Driver, 'db' | 'tables'>) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	/** Every user, by username, each with their devices' latest sync. */
	async all(): Promise<PersonRow[]> {
		const u = this.t.users;
		const d = this.t.devices;
		const rows = await this.db
			.select({ user: u, lastSyncAt: sql<unknown>`max(${d.lastSyncAt})` })
			.from(u)
			.leftJoin(d, eq(d.userId, u.id))
			.groupBy(u.id)
			.orderBy(asc(u.username));
		return rows.map((r) => ({
			...(r.user as UserRow),
			scope: parseScope(r.user.scope),
			lastSyncAt: toDate(r.lastSyncAt)
		}));
	}

	/** Grids of every community whose code starts with `prefix` (all of them for ''). */
	async gridsUnder(prefix: string): Promise<GridRow[]> {
		const g = this.t.grids;
		return this.db
			.select()
			.from(g)
			.where(like(g.communityCode, `${prefix}%`))
			.orderBy(asc(g.communityCode), asc(g.name));
	}

	/**
	 * Change a user in one UPDATE and answer the row as it is now (null when there is no such
	 * user). A scope that differs from the stored one raises `scopeVersion` by one in the same
	 * statement: the one place it is raised for a user (pulls compare it, server/sync); a restore
	 * raises everyone's (afterRestore).
	 */
	async updateUser(id: string, change: UserChange): Promise<UserRow | null> {
		const u = this.t.users;
		const [current] = await this.db.select().from(u).where(eq(u.id, id)).limit(1);
		if (!current) return null;
		const set: Record<string, unknown> = {};
		if (change.displayName !== undefined) set.displayName = change.displayName;
		if (change.phone !== undefined) set.phone = change.phone;
		if (change.disabled !== undefined) set.disabled = change.disabled;
		if (change.passwordHash !== undefined) set.passwordHash = change.passwordHash;
		if (change.scope !== undefined && !sameScope(change.scope, parseScope(current.scope))) {
			set.scope = change.scope;
			set.scopeVersion = sql`${u.scopeVersion} + 1`;
		}
		if (Object.keys(set).length === 0) return current as UserRow;
		const [row] = await this.db.update(u).set(set).where(eq(u.id, id)).returning();
		return (row as UserRow | undefined) ?? null;
	}

	/**
	 * After a backup was restored: the tablets' pull cursors point past the restored change log,
	 * and would skip what is written next under sequence numbers they have already passed. Every
	 * user's scope version is raised beyond any cursor issued (cursors carry the version they were
	 * issued under, and a version rises by one per scope change), so each device's next pull
	 * answers 409 `scope_changed` and it downloads its scope again, keeping its unsent changes.
	 */
	async afterRestore(): Promise<void> {
		const u = this.t.users;
		await this.db.update(u).set({ scopeVersion: sql`${u.scopeVersion} + ${RESTORE_STEP}` });
	}

	/**
	 * End every live session of a user at `at`: their next request answers 401 and they sign in
	 * again. Not "revoked": their devices keep their data and unsent changes. Returns how many.
	 */
	async endSessions(userId: string, at: Date): Promise<number> {
		const s = this.t.sessions;
		const ended = await this.db
			.update(s)
			.set({ expiresAt: at })
			.where(and(eq(s.userId, userId), gt(s.expiresAt, at), isNull(s.revokedAt)))
			.returning({ id: s.id });
		return ended.length;
	}
}

function parseScope(scope: unknown): string[] {
	return (typeof scope === 'string' ? JSON.parse(scope) : scope) as string[];
}

function toDate(v: unknown): Date | null {
	if (v === null || v === undefined) return null;
	if (v instanceof Date) return v;
	// SQLite keeps timestamps as epoch milliseconds; PostgreSQL's max() comes back as text.
	const d = typeof v === 'number' ? new Date(v) : new Date(String(v));
	return Number.isNaN(d.getTime()) ? null : d;
}
