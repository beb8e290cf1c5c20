import type { Role } from '$lib/shared/enums';

export const WORKER_ROLES: Role[] = ['grid_worker'];
export const SUPERVISOR_ROLES: Role[] = [
	'community_head',
	'street_officer',
	'county_officer',
	'city_officer',
	'province_officer'
];
export const KIOSK_ROLES: Role[] = ['kiosk', 'volunteer'];
export const ADMIN_ROLES: Role[] = ['admin'];
/** Who manages people, grids and devices in the app (docs/administration.md). */
export const MANAGE_ROLES: Role[] = ['admin', 'county_officer', 'street_officer', 'community_head'];
/** Who brings in a community's household roster (docs/imports.md): the head, a street, the admin. */
export const IMPORT_ROLES: Role[] = ['community_head', 'street_officer', 'admin'];
/** Who manages a community's grids: an administrator, its street officer, its head. */
export const GRID_MANAGE_ROLES: Role[] = ['admin', 'street_officer', 'community_head'];

export type HomePath = '/worker' | '/supervise' | '/kiosk' | '/admin';

/**
 * Who opens the supervisors' screens. On a national server (GRIDCARE_MODE=rollup-only), which
 * keeps figures only, the administrator too: the drill-down is what such a server is for.
 */
export function supervisorRoles(rollupOnly = false): Role[] {
	return rollupOnly ? [...SUPERVISOR_ROLES, ...ADMIN_ROLES] : SUPERVISOR_ROLES;
}

/** The screen each role starts on; `rollupOnly` for a session on a national server. */
export function homePath(role: Role, rollupOnly = false): HomePath {
	if (WORKER_ROLES.includes(role)) return '/worker';
	if (supervisorRoles(rollupOnly).includes(role)) return '/supervise';
	if (KIOSK_ROLES.includes(role)) return '/kiosk';
	return '/admin';
}

/**
 * Roles whose devices keep a database and sync it: grid workers and community heads pull their
 * scope (the server's pull scope); kiosks and volunteers only push the check-ins they record.
 */
export const SYNC_ROLES: Role[] = ['grid_worker', 'community_head', 'kiosk', 'volunteer'];

export function syncsGridData(role: Role): boolean {
	return SYNC_ROLES.includes(role);
}
