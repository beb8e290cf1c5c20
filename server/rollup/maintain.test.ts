import { describe, expect, it } from 'vitest';
import { roundsCovering, type RoundSpan } from './maintain';

const county = {
	id: 'county',
	divisionCode: '450102',
	startDate: '2026-11-01',
	dueDate: '2026-11-30'
};
const community = {
	id: 'community',
	divisionCode: '450102001003',
	startDate: '2026-11-20',
	dueDate: '2026-11-25'
};
const otherCounty = {
	id: 'other',
	divisionCode: '450103',
	startDate: '2026-11-01',
	dueDate: '2026-11-30'
};
const province = {
	id: 'province',
	divisionCode: '45',
	startDate: '2026-12-01',
	dueDate: '2026-12-01'
};
const ROUNDS: RoundSpan[] = [county, community, otherCounty, province];

const ids = (communityCode: string, day: string) =>
	roundsCovering(ROUNDS, communityCode, day).map((r) => r.id);

describe('roundsCovering', () => {
	it('takes the rounds of the community and of its ancestors whose dates cover the day', () => {
		expect(ids('450102001003', '2026-11-22')).toEqual(['county', 'community']);
		expect(ids('450102001004', '2026-11-22')).toEqual(['county']);
		expect(ids('450103002001', '2026-11-22')).toEqual(['other']);
		expect(ids('110105001001', '2026-11-22')).toEqual([]);
	});

	it('counts the start and due dates as days of the round', () => {
		expect(ids('450102001003', '2026-11-20')).toEqual(['county', 'community']);
		expect(ids('450102001003', '2026-11-25')).toEqual(['county', 'community']);
		expect(ids('450102001003', '2026-11-19')).toEqual(['county']);
		expect(ids('450102001003', '2026-11-26')).toEqual(['county']);
		expect(ids('450102001003', '2026-12-01')).toEqual(['province']);
		expect(ids('450102001003', '2026-10-31')).toEqual([]);
	});
});
