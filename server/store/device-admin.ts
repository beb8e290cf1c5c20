// Database side of device administration (docs/administration.md, "Devices, kiosks and
// divisions"): the people, sessions and device rows a manager's device list is made of, the last
// check-in each kiosk recorded, and disabling a retired kiosk's user. One body of drizzle queries
// for both dialects like drizzle-store.ts, reached through Store.deviceAdmin().
import { and, eq, inArray, isNotNull, isNull, lt, max, or } from 'drizzle-orm';
import type { Db, Driver, Tables } from './driver';
import type { UserRow } from './rows';

export type DeviceRow = Tables['devices']['$inferSelect'];
export type DeviceSessionRow = Pick<
	Tables['sessions']['$inferSelect'],
	'userId' | 'deviceId' | 'createdAt' | 'revokedAt'
>;

/** Large `IN (…)` lists are read in slices (SQLite allows a bounded number of parameters). */
const SLICE = 500;

function slices<T>(items: T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < items.length; i += SLICE) out.push(items.slice(i, i + SLICE));
	return out;
}

export class DeviceAdminQueries {
	private readonly t: Tables;
	constructor(private readonly driver: Pick<Driver, 'db' | 'tables'>) {
		this.t = driver.tables;
	}

	private get db(): Db {
		return this.driver.db;
	}

	/**
	 * Devices in use (not revoked, with a user) whose last sync, or enrolment when they never
	 * synced, is before `cutoff`, counted by county (the 6-digit code of the county holding
	 * the community of their user's first grid, division or kiosk). The metrics' figure.
	 */
	async unsyncedByCounty(cutoff: Date): Promise<Map<string, number>> {
		const d = this.t.devices;
		const u = this.t.users;
		const stale = await this.db
			.select({ communityCode: d.communityCode, scope: u.scope })
			.from(d)
			.innerJoin(u, eq(u.id, d.userId))
			.where(
				and(
					isNull(d.revokedAt),
					isNotNull(d.userId),
					or(lt(d.lastSyncAt, cutoff), and(isNull(d.lastSyncAt), lt(d.enrolledAt, cutoff)))
				)
			);
		const scopes = stale.map(
			(r) => (typeof r.scope === 'string' ? JSON.parse(r.scope) : r.scope) as string[]
		);
		// A scope holds grid ids, or one division code (digits).
		const gridIds = [...new Set(scopes.flatMap((s) => s.filter((id) => !/^\d+$/.test(id))))];
		const communityOfGrid = new Map<string, string>();
		const g = this.t.grids;
		for (const ids of slices(gridIds))
			for (const row of await this.db
				.select({ id: g.id, communityCode: g.communityCode })
				.from(g)
				.where(inArray(g.id, ids)))
				communityOfGrid.set(row.id, row.communityCode);
		const counts = new Map<string, number>();
		stale.forEach((row, i) => {
			const place =
				row.communityCode ??
				scopes[i]
					.map((id) => communityOfGrid.get(id) ?? (/^\d+$/.test(id) ? id : ''))
					.find(Boolean);
			// A province's or a city's officer (its county digits 00) belongs to no county.
			if (!place || place.length < 6 || place.slice(4, 6) === '00') return;
			const county = place.slice(0, 6);
			counts.set(county, (counts.get(county) ?? 0) + 1);
		});
		return counts;
	}

	/** Every user of the deployment (a few thousand at most); the caller keeps those in reach. */
	async users(): Promise<UserRow[]> {
		return (await this.db.select().from(this.t.users)) as UserRow[];
	}

	/** The sessions these users opened, with the device each was opened on. */
	async sessionsOfUsers(userIds: string[]): Promise<DeviceSessionRow[]> {
		const s = this.t.sessions;
		const out: DeviceSessionRow[] = [];
		for (const ids of slices(userIds))
			out.push(
				...(await this.db
					.select({
						userId: s.userId,
						deviceId: s.deviceId,
						createdAt: s.createdAt,
						revokedAt: s.revokedAt
					})
					.from(s)
					.where(inArray(s.userId, ids)))
			);
		return out;
	}

	/** The device rows (last sync, revocation) of these devices, where there is one. */
	async devices(deviceIds: string[]): Promise<DeviceRow[]> {
		const d = this.t.devices;
		const out: DeviceRow[] = [];
		for (const ids of slices(deviceIds))
			out.push(...(await this.db.select().from(d).where(inArray(d.id, ids))));
		return out;
	}

	/** When each of these users (kiosks) last recorded a check-in; users with none are absent. */
	async lastCheckins(userIds: string[]): Promise<Map<string, Date>> {
		const c = this.t.checkins;
		const out = new Map<string, Date>();
		for (const ids of slices(userIds)) {
			const rows = await this.db
				.select({ userId: c.recordedBy, at: max(c.at) })
				.from(c)
				.where(inArray(c.recordedBy, ids))
				.groupBy(c.recordedBy);
			for (const row of rows) if (row.at) out.set(row.userId, new Date(row.at));
		}
		return out;
	}

	/** Disable a user (a retired kiosk): no session of theirs is accepted afterwards. */
	async disableUser(userId: string): Promise<void> {
		const u = this.t.users;
		await this.db
			.update(u)
			.set({ disabled: true })
			.where(and(eq(u.id, userId), eq(u.disabled, false)));
	}
}
