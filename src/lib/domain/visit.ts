// What makes a finding abnormal (README, "Roll-up"): temperature ≥ 37.3 °C, any symptom,
// health code yellow or red, or arrived from a risk area; or an answer to a check template that
// its question's rule marks (docs/check-templates.md).
import type { ResidentCheck } from '../shared/schemas';
import { isAbnormalAnswer, type StoredAnswer } from '../shared/templates';

export const FEVER_THRESHOLD = 37.3;

/**
 * A check as stored. Once the retention period has passed, the health details of a check are
 * deleted and only `abnormal` (the finding computed from them) is kept, so counts stay right.
 */
export type StoredCheck = Omit<ResidentCheck, 'residentId'> & { abnormal?: boolean };

export function isAbnormalCheck(check: StoredCheck): boolean {
	if (check.abnormal !== undefined) return check.abnormal;
	return (
		(check.temperature !== undefined && check.temperature >= FEVER_THRESHOLD) ||
		(check.symptoms?.length ?? 0) > 0 ||
		check.healthCode === 'yellow' ||
		check.healthCode === 'red' ||
		check.fromRiskArea === true
	);
}

/** A visit is abnormal when a check or an answer is. */
export function isAbnormalVisit(
	checks: readonly StoredCheck[],
	answers: readonly StoredAnswer[] = []
): boolean {
	return checks.some(isAbnormalCheck) || answers.some(isAbnormalAnswer);
}
