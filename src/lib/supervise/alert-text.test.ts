import { describe, expect, it } from 'vitest';
import { coverageBehind, reachesThreshold } from '$lib/domain/alerts';
import { alertKindLabel } from '$lib/i18n/labels';
import { alertValueText } from './alert-text';

describe('alert wording agrees with when an alert is raised', () => {
	it('raises a count alert at the threshold itself and says so', () => {
		expect(reachesThreshold(2, 3)).toBe(false);
		expect(reachesThreshold(3, 3)).toBe(true);
		expect(reachesThreshold(4, 3)).toBe(true);
		// Raised at equality, so the words must cover equality: "达到或超过", not "超过".
		for (const kind of ['abnormal_residents', 'missed_checkins', 'visits_overdue']) {
			expect(alertKindLabel(kind)).toContain('达到或超过预警值');
		}
		expect(alertValueText({ kind: 'abnormal_residents', value: 3, threshold: 3 })).toBe(
			'当前 3，预警值 3'
		);
		// Households overdue for a visit (docs/care-tiers.md): a count like the others.
		expect(alertKindLabel('visits_overdue')).toBe('逾期未走访户达到或超过预警值');
		expect(alertValueText({ kind: 'visits_overdue', value: 12, threshold: 10 })).toBe(
			'当前 12，预警值 10'
		);
	});

	it('shows whole percents for coverage that never look equal when behind', () => {
		// 49.6% against 50.2% required: behind, shown as 49% against 51%.
		expect(coverageBehind(49.6, 50.2)).toEqual({ value: 49, threshold: 51, behind: true });
		// Exactly the required share is not behind.
		expect(coverageBehind(50, 50).behind).toBe(false);
		for (let coverage = 0; coverage <= 100; coverage += 0.7)
			for (let required = -20; required <= 100; required += 3.3) {
				const c = coverageBehind(coverage, required);
				if (c.behind) expect(c.value).toBeLessThan(c.threshold);
			}
		expect(alertValueText({ kind: 'coverage_behind', value: 49, threshold: 51 })).toBe(
			'覆盖率 49%，应不低于 51%'
		);
	});
});
