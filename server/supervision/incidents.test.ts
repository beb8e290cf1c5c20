import { describe, expect, it } from 'vitest';
import { DUE_HOURS } from '../../src/lib/domain/incident';
import { SEVERITIES } from '../../src/lib/shared/enums';
import { escalationTarget } from './incidents';

const COMMUNITY = '450102001003';
const DUE = new Date('2026-11-24T02:00:00Z');
const HOUR = 3_600_000;
const after = (ms: number) => new Date(DUE.getTime() + ms);

describe('escalationTarget', () => {
	it('is nothing until the incident is past due', () => {
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, new Date(DUE.getTime() - HOUR))).toBeNull();
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, DUE)).toBeNull();
	});

	it('climbs one level when past due and one more after each further interval, up to the province', () => {
		// Urgent: 2 hours allowed, so one level more every 2 hours.
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, after(1))).toBe('450102001');
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, after(2 * HOUR - 1))).toBe('450102001');
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, after(2 * HOUR))).toBe('450102');
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, after(4 * HOUR))).toBe('4501');
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, after(6 * HOUR))).toBe('45');
		expect(escalationTarget(COMMUNITY, 'urgent', DUE, after(1000 * HOUR))).toBe('45');
	});

	it('takes each severity’s own interval', () => {
		for (const severity of SEVERITIES) {
			const interval = DUE_HOURS[severity] * HOUR;
			expect(escalationTarget(COMMUNITY, severity, DUE, after(interval - 1)), severity).toBe(
				'450102001'
			);
			expect(escalationTarget(COMMUNITY, severity, DUE, after(interval)), severity).toBe('450102');
			expect(escalationTarget(COMMUNITY, severity, DUE, after(3 * interval)), severity).toBe('45');
		}
		// Low: a week allowed, so still at the street six days after it fell due.
		expect(escalationTarget(COMMUNITY, 'low', DUE, after(6 * 24 * HOUR))).toBe('450102001');
	});

	it('stays within the tree of the incident’s community', () => {
		expect(escalationTarget('110105001001', 'high', DUE, after(HOUR))).toBe('110105001');
		expect(escalationTarget('110105001001', 'high', DUE, after(24 * HOUR))).toBe('110105');
		expect(escalationTarget('110105001001', 'high', DUE, after(72 * HOUR))).toBe('11');
	});
});
