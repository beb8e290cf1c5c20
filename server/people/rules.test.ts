import { describe, expect, it } from 'vitest';
import { ROLES } from '../../src/lib/shared/enums';
import { managedRoles, mayManage } from './rules';

const COMMUNITY = '450102001003';
const OTHER_COMMUNITY = '450102001004';
const STREET = '450102001';

describe('who may manage whom', () => {
	it('lets an administrator manage anyone beneath them within their scope, never an administrator', () => {
		const admin = { role: 'admin' as const, scope: ['4501'] };
		for (const role of ROLES.filter((r) => r !== 'admin'))
			expect(mayManage(admin, { role, places: [COMMUNITY] }), role).toBe(true);
		expect(mayManage(admin, { role: 'admin', places: [COMMUNITY] })).toBe(false);
		expect(mayManage(admin, { role: 'community_head', places: ['450203001001'] })).toBe(false);
		expect(
			mayManage({ role: 'admin', scope: ['*'] }, { role: 'city_officer', places: ['4502'] })
		).toBe(true);
	});

	it('lets county and street officers manage only the community heads beneath them', () => {
		for (const officer of [
			{ role: 'street_officer' as const, scope: [STREET] },
			{ role: 'county_officer' as const, scope: ['450102'] }
		]) {
			expect(mayManage(officer, { role: 'community_head', places: [COMMUNITY] })).toBe(true);
			expect(mayManage(officer, { role: 'community_head', places: ['450103001001'] })).toBe(false);
			expect(mayManage(officer, { role: 'grid_worker', places: [COMMUNITY] })).toBe(false);
			expect(mayManage(officer, { role: 'street_officer', places: [STREET] })).toBe(false);
		}
		expect(managedRoles({ role: 'city_officer', scope: ['4501'] })).toEqual([]);
	});

	it('lets a community head manage workers, volunteers and kiosks of their own community', () => {
		const head = { role: 'community_head' as const, scope: [COMMUNITY] };
		for (const role of ['grid_worker', 'volunteer', 'kiosk'] as const) {
			expect(mayManage(head, { role, places: [COMMUNITY] }), role).toBe(true);
			expect(mayManage(head, { role, places: [OTHER_COMMUNITY] }), role).toBe(false);
			expect(mayManage(head, { role, places: [COMMUNITY, OTHER_COMMUNITY] }), role).toBe(false);
		}
		expect(mayManage(head, { role: 'community_head', places: [COMMUNITY] })).toBe(false);
		expect(mayManage(head, { role: 'street_officer', places: [COMMUNITY] })).toBe(false);
	});

	it('lets nobody else manage anyone, and nobody manage a person with no place', () => {
		for (const role of [
			'grid_worker',
			'kiosk',
			'volunteer',
			'province_officer',
			'city_officer'
		] as const)
			expect(mayManage({ role, scope: ['45'] }, { role: 'grid_worker', places: [COMMUNITY] })).toBe(
				false
			);
		expect(mayManage({ role: 'admin', scope: ['*'] }, { role: 'grid_worker', places: [] })).toBe(
			false
		);
	});
});
