import { describe, expect, it } from 'vitest';
import { ROLES } from '$lib/shared/enums';
import { homePath } from './roles';

describe('homePath', () => {
	it.each([
		['grid_worker', '/worker'],
		['community_head', '/supervise'],
		['street_officer', '/supervise'],
		['county_officer', '/supervise'],
		['city_officer', '/supervise'],
		['province_officer', '/supervise'],
		['kiosk', '/kiosk'],
		['volunteer', '/kiosk'],
		['admin', '/admin']
	] as const)('%s starts on %s', (role, path) => {
		expect(homePath(role)).toBe(path);
	});

	it('sends the administrator of a national server (roll-up only) to the drill-down', () => {
		expect(homePath('admin', true)).toBe('/supervise');
		expect(homePath('province_officer', true)).toBe('/supervise');
		expect(homePath('grid_worker', true)).toBe('/worker');
		expect(homePath('kiosk', true)).toBe('/kiosk');
	});

	it('covers every role of the contract', () => {
		for (const role of ROLES) expect(homePath(role)).toMatch(/^\/(worker|supervise|kiosk|admin)$/);
	});
});
