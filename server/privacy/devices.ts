// Revoking a lost or stolen device: its sessions end, the keys that wrap its local data are no
// longer handed out, and its next request is told to wipe itself (docs/security.md).
import { forbidden, invalidInput, notFound } from '../api-error';
import { canSeeDivision } from '../auth/scope';
import { shownName } from '../auth/people';
import type { DeviceRow, DeviceSessionRow } from '../store/device-admin';
import type { Store, UserRow } from '../store/types';
import type { Role } from '../../src/lib/shared/enums';
import { communitiesOfUser, communityOfHead } from './access';

/**
 * Who manages devices (docs/administration.md, "Devices, kiosks and divisions"): an
 * administrator, a county or street officer and a community head, each within their scope.
 */
export const DEVICE_MANAGERS: ReadonlySet<Role> = new Set([
	'admin',
	'county_officer',
	'street_officer',
	'community_head'
]);

/** Memoised grid → community lookups for one request. */
type GridCommunities = Map<string, Promise<string | null>>;

/**
 * The division codes a person works in: a grid worker's grids' communities, anyone else's
 * scope. Null when a grid of theirs no longer exists (nobody below `*` reaches them then).
 */
async function placesOf(
	store: Store,
	person: UserRow,
	grids: GridCommunities
): Promise<string[] | null> {
	if (person.role !== 'grid_worker') return person.scope;
	const out: string[] = [];
	for (const id of person.scope) {
		if (!grids.has(id))
			grids.set(
				id,
				store.getGrid(id).then((g) => g?.communityCode ?? null)
			);
		const community = await grids.get(id);
		if (!community) return null;
		out.push(community);
	}
	return out;
}

/** Whether every place lies inside one of the roots (`*` holds everything). */
function allWithin(places: string[], roots: string[]): boolean {
	return places.every((p) =>
		roots.some((root) => root === '*' || (p !== '*' && p.startsWith(root)))
	);
}

/**
 * The one rule of who may list and revoke a person's devices: a manager whose scope holds all
 * of the person's; only an administrator manages an administrator's. A person with no place at
 * all is reached only from `*`.
 */
async function reaches(
	store: Store,
	actor: UserRow,
	person: UserRow,
	grids: GridCommunities = new Map()
): Promise<boolean> {
	if (!DEVICE_MANAGERS.has(actor.role)) return false;
	if (person.role === 'admin' && actor.role !== 'admin') return false;
	if (actor.scope.includes('*')) return true;
	const places = await placesOf(store, person, grids);
	return places !== null && places.length > 0 && allWithin(places, actor.scope);
}

export interface Revoked {
	revokedSessions: number;
	/** Users who had sessions on the device. */
	users: string[];
	/** The community the revocation concerns, when it is one (for the audit entry). */
	communityCode: string | null;
}

/** Revoke a device: a manager's (DEVICE_MANAGERS) when every person who used it is in reach. */
export async function revokeDevice(
	store: Store,
	user: UserRow,
	deviceId: string,
	now: Date
): Promise<Revoked> {
	if (!DEVICE_MANAGERS.has(user.role))
		throw forbidden('role', 'only an administrator, an officer or a community head');
	const sessions = await store.sessionsOfDevice(deviceId);
	if (sessions.length === 0) throw notFound('deviceId', 'no such device');
	const communities = new Set<string>();
	const grids: GridCommunities = new Map();
	for (const userId of new Set(sessions.map((s) => s.userId))) {
		const owner = await store.getUser(userId);
		if (!owner) continue;
		for (const code of await communitiesOfUser(store, owner)) communities.add(code);
		// Never the device of someone beyond the manager's scope: a head revokes their own
		// community's people's devices, not an administrator's or an officer's above it.
		if (!(await reaches(store, user, owner, grids)))
			throw forbidden('deviceId', 'used by someone outside your scope');
	}
	const revokedSessions = await endDevice(store, deviceId, now);
	return {
		revokedSessions,
		users: [...new Set(sessions.map((s) => s.userId))],
		communityCode: communityOfHead(user) ?? (communities.size === 1 ? [...communities][0] : null)
	};
}

/** Revoke every session of a device, forget its keys and refuse it from now on. */
async function endDevice(store: Store, deviceId: string, now: Date): Promise<number> {
	const revokedSessions = await store.revokeDeviceSessions(deviceId, now);
	// The keys that wrap the device's local data are no longer handed out to anyone.
	await store.forgetDeviceKeys(deviceId);
	await store.markDeviceRevoked(deviceId, now);
	return revokedSessions;
}

export interface RetiredKiosk {
	revokedSessions: number;
	/** The kiosk's user, disabled. */
	kioskUserId: string;
	communityCode: string | null;
}

/**
 * Retire a community's kiosk: its device is revoked (it wipes itself on its next request) and
 * its kiosk user disabled. Only the kiosk has to be in reach: the enroller's sign-in on the same
 * device ends with it.
 */
export async function retireKiosk(
	store: Store,
	user: UserRow,
	deviceId: string,
	now: Date
): Promise<RetiredKiosk> {
	if (!DEVICE_MANAGERS.has(user.role))
		throw forbidden('role', 'only an administrator, an officer or a community head');
	const sessions = await store.sessionsOfDevice(deviceId);
	let kiosk: UserRow | null = null;
	for (const userId of new Set(sessions.map((s) => s.userId))) {
		const owner = await store.getUser(userId);
		if (owner?.role === 'kiosk') kiosk = owner;
	}
	if (!kiosk) throw notFound('deviceId', 'no kiosk was enrolled on this device');
	if (!(await reaches(store, user, kiosk)))
		throw forbidden('deviceId', 'a kiosk outside your scope');
	const revokedSessions = await endDevice(store, deviceId, now);
	await store.deviceAdmin().disableUser(kiosk.id);
	return {
		revokedSessions,
		kioskUserId: kiosk.id,
		communityCode: kiosk.scope.find((c) => c.length === 12) ?? null
	};
}

export interface ListedDevice {
	deviceId: string;
	kind: 'tablet' | 'kiosk';
	/** The first sign-in on it (or its first sync, when earlier). */
	enrolledAt: Date;
	lastSyncAt: Date | null;
	/** The latest of its last sign-in and last sync. */
	lastSeenAt: Date;
	revokedAt: Date | null;
}

export interface ListedPerson {
	userId: string;
	/** Display name of a community's own person; null for an officer (shown by role). */
	name: string | null;
	role: Role;
	disabled: boolean;
	devices: ListedDevice[];
}

export interface ListedKiosk extends ListedDevice {
	kioskUserId: string;
	name: string | null;
	communityCode: string | null;
	lastCheckinAt: Date | null;
	/** The kiosk was retired (its user disabled, or its device revoked). */
	retired: boolean;
}

export interface DeviceList {
	code: string;
	people: ListedPerson[];
	kiosks: ListedKiosk[];
}

const latest = (...dates: (Date | null | undefined)[]): Date | null =>
	dates.reduce<Date | null>((a, b) => (b && (!a || b > a) ? b : a), null);
const earliest = (...dates: (Date | null | undefined)[]): Date | null =>
	dates.reduce<Date | null>((a, b) => (b && (!a || b < a) ? b : a), null);

function describe(
	deviceId: string,
	sessions: DeviceSessionRow[],
	row: DeviceRow | undefined,
	kiosk: boolean
): ListedDevice {
	const signIns = sessions.map((s) => s.createdAt);
	return {
		deviceId,
		kind: kiosk ? 'kiosk' : 'tablet',
		enrolledAt: earliest(row?.enrolledAt, ...signIns)!,
		lastSyncAt: row?.lastSyncAt ?? null,
		lastSeenAt: latest(row?.lastSeenAt, row?.lastSyncAt, ...signIns)!,
		revokedAt: row?.revokedAt ?? null
	};
}

/**
 * The devices of the people of a division a manager reaches, grouped by person, and the kiosks
 * among them with their last check-in. `code` defaults to the manager's own scope.
 */
export async function devicesInDivision(
	store: Store,
	user: UserRow,
	code: string | undefined
): Promise<DeviceList> {
	if (!DEVICE_MANAGERS.has(user.role))
		throw forbidden('role', 'only an administrator, an officer or a community head');
	const root = code ?? (user.scope.length === 1 ? user.scope[0] : undefined);
	if (!root) throw invalidInput('code', 'choose a division');
	if (root !== '*') {
		if (!canSeeDivision(user, root)) throw forbidden('code', 'outside your scope');
		if (!(await store.getDivision(root))) throw notFound('code', 'no such division');
	} else if (!user.scope.includes('*')) throw forbidden('code', 'outside your scope');

	const queries = store.deviceAdmin();
	const grids: GridCommunities = new Map();
	const people: UserRow[] = [];
	for (const person of await queries.users()) {
		if (!(await reaches(store, user, person, grids))) continue;
		const places = await placesOf(store, person, grids);
		if (root === '*' || (places && places.length > 0 && allWithin(places, [root])))
			people.push(person);
	}
	const sessions = await queries.sessionsOfUsers(people.map((p) => p.id));
	const byDevice = new Map<string, DeviceSessionRow[]>();
	for (const s of sessions) byDevice.set(s.deviceId, [...(byDevice.get(s.deviceId) ?? []), s]);
	const rows = new Map((await queries.devices([...byDevice.keys()])).map((d) => [d.id, d]));
	const kioskIds = new Set(people.filter((p) => p.role === 'kiosk').map((p) => p.id));
	const kioskDevices = new Set(
		sessions.filter((s) => kioskIds.has(s.userId)).map((s) => s.deviceId)
	);
	const lastCheckins = await queries.lastCheckins([...kioskIds]);

	const listed: ListedPerson[] = [];
	const kiosks: ListedKiosk[] = [];
	for (const person of people) {
		const deviceIds = [
			...new Set(sessions.filter((s) => s.userId === person.id).map((s) => s.deviceId))
		];
		const devices = deviceIds
			.map((id) => describe(id, byDevice.get(id)!, rows.get(id), kioskDevices.has(id)))
			.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
		const name = shownName(person, true);
		if (person.role === 'kiosk') {
			for (const device of devices)
				kiosks.push({
					...device,
					kioskUserId: person.id,
					name,
					communityCode: person.scope.find((c) => c.length === 12) ?? null,
					lastCheckinAt: lastCheckins.get(person.id) ?? null,
					retired: person.disabled || device.revokedAt !== null
				});
		} else if (devices.length > 0)
			listed.push({
				userId: person.id,
				name,
				role: person.role,
				disabled: person.disabled,
				devices
			});
	}
	listed.sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '', 'zh-CN'));
	return { code: root, people: listed, kiosks };
}
