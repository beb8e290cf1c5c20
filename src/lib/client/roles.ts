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

export type HomePath = '/worker' | '/supervise' | '/kiosk' | '/admin';

/** The screen each role starts on. */
export function homePath(role: Role): HomePath {
	if (WORKER_ROLES.includes(role)) return '/worker';
	if (SUPERVISOR_ROLES.includes(role)) return '/supervise';
	if (KIOSK_ROLES.includes(role)) return '/kiosk';
	return '/admin';
}
