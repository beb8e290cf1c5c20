import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/lib/shared/enums';
import type { UserRow } from '../store/types';
import {
	escalatedToOfficer,
	incidentView,
	mayAcknowledge,
	mayEditTemplate,
	mayReadTemplate,
	mayStartRound
} from './access';

const COMMUNITY_A = '450102001003';
const COMMUNITY_B = '450102001004';

const user = (role: Role, scope: string[]): UserRow => ({
	id: `${role}-${scope.join('+')}`,
	username: role,
	displayName: null,
	phone: null,
	role,
	scope,
	scopeVersion: 0,
	passwordHash: 'unused',
	disabled: false,
	createdAt: new Date('2026-01-01T00:00:00Z')
});

const head = user('community_head', [COMMUNITY_A]);
const worker = user('grid_worker', ['grid-a1']);
const street = user('street_officer', ['450102001']);
const county = user('county_officer', ['450102']);
const otherCounty = user('county_officer', ['450103']);
const province = user('province_officer', ['45']);
const admin = user('admin', ['45']);
const kiosk = user('kiosk', [COMMUNITY_A]);

describe('mayStartRound', () => {
	it('lets a head start rounds for their community only, officers and admins in their subtree', () => {
		expect(mayStartRound(head, COMMUNITY_A)).toBe(true);
		expect(mayStartRound(head, COMMUNITY_B)).toBe(false);
		expect(mayStartRound(user('community_head', ['450102001']), '450102001')).toBe(false);
		expect(mayStartRound(street, '450102001')).toBe(true);
		expect(mayStartRound(street, COMMUNITY_B)).toBe(true);
		expect(mayStartRound(street, '450102')).toBe(false);
		expect(mayStartRound(province, '45')).toBe(true);
		expect(mayStartRound(otherCounty, COMMUNITY_A)).toBe(false);
		expect(mayStartRound(admin, '4501')).toBe(true);
		expect(mayStartRound(user('admin', ['11']), '4501')).toBe(false);
	});

	it('never lets workers or kiosks start one', () => {
		expect(mayStartRound(worker, COMMUNITY_A)).toBe(false);
		expect(mayStartRound(kiosk, COMMUNITY_A)).toBe(false);
		expect(mayStartRound(user('volunteer', [COMMUNITY_A]), COMMUNITY_A)).toBe(false);
	});
});

describe('check templates', () => {
	it('are made and changed by whoever may start rounds at their division', () => {
		for (const [who, code] of [
			[head, COMMUNITY_A],
			[head, COMMUNITY_B],
			[street, '450102001'],
			[street, '450102'],
			[admin, '4501'],
			[worker, COMMUNITY_A],
			[kiosk, COMMUNITY_A]
		] as const)
			expect(mayEditTemplate(who, code)).toBe(mayStartRound(who, code));
	});

	it('are read where they are usable, by officers above them, and shipped ones by every supervisor', () => {
		expect(mayReadTemplate(head, COMMUNITY_A)).toBe(true);
		expect(mayReadTemplate(head, '450102')).toBe(true);
		expect(mayReadTemplate(head, COMMUNITY_B)).toBe(false);
		expect(mayReadTemplate(street, COMMUNITY_A)).toBe(true);
		expect(mayReadTemplate(street, '450102')).toBe(true);
		expect(mayReadTemplate(otherCounty, COMMUNITY_A)).toBe(false);
		expect(mayReadTemplate(otherCounty, null)).toBe(true);
		expect(mayReadTemplate(province, COMMUNITY_B)).toBe(true);
		expect(mayReadTemplate(worker, null)).toBe(false);
		expect(mayReadTemplate(worker, COMMUNITY_A)).toBe(false);
		expect(mayReadTemplate(kiosk, null)).toBe(false);
	});
});

describe('incidents above the community', () => {
	const local = { communityCode: COMMUNITY_A, gridId: 'grid-a1', escalatedTo: null };
	const toStreet = { communityCode: COMMUNITY_A, gridId: 'grid-a1', escalatedTo: '450102001' };
	const toCity = { communityCode: COMMUNITY_A, gridId: 'grid-a2', escalatedTo: '4501' };

	it('reach an officer once escalated into their subtree: their level or a level below', () => {
		expect(escalatedToOfficer(street, local)).toBe(false);
		expect(escalatedToOfficer(street, toStreet)).toBe(true);
		expect(escalatedToOfficer(street, toCity)).toBe(false);
		expect(escalatedToOfficer(county, toStreet)).toBe(true);
		expect(escalatedToOfficer(county, toCity)).toBe(false);
		expect(escalatedToOfficer(otherCounty, toStreet)).toBe(false);
		expect(escalatedToOfficer(user('city_officer', ['4501']), toCity)).toBe(true);
		expect(escalatedToOfficer(province, toStreet)).toBe(true);
		expect(escalatedToOfficer(user('county_officer', ['*']), toStreet)).toBe(true);
	});

	it('are seen in full by who runs the community or works the grid, counts-safe by officers reached, else not at all', () => {
		expect(incidentView(head, local)).toBe('full');
		expect(incidentView(admin, toStreet)).toBe('full');
		expect(incidentView(user('community_head', [COMMUNITY_B]), toStreet)).toBeNull();
		expect(incidentView(street, local)).toBeNull();
		expect(incidentView(street, toStreet)).toBe('escalated');
		expect(incidentView(otherCounty, toCity)).toBeNull();
		// The worker of its grid sees it in full (their device holds it); of another grid, not at all.
		expect(incidentView(worker, toStreet)).toBe('full');
		expect(incidentView(worker, toCity)).toBeNull();
		expect(incidentView(kiosk, local)).toBeNull();
	});
});

describe('mayAcknowledge', () => {
	const alert = { communityCode: COMMUNITY_A };
	it('is for who runs the community and the officers above it', () => {
		expect(mayAcknowledge(head, alert)).toBe(true);
		expect(mayAcknowledge(admin, alert)).toBe(true);
		expect(mayAcknowledge(street, alert)).toBe(true);
		expect(mayAcknowledge(province, alert)).toBe(true);
		expect(mayAcknowledge(user('community_head', [COMMUNITY_B]), alert)).toBe(false);
		expect(mayAcknowledge(otherCounty, alert)).toBe(false);
		expect(mayAcknowledge(worker, alert)).toBe(false);
		expect(mayAcknowledge(kiosk, alert)).toBe(false);
	});
});
