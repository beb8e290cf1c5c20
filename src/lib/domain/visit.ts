// What makes a finding abnormal (README, "Roll-up"): temperature ≥ 37.3 °C, any symptom,
// health code yellow or red, or arrived from a risk area.
import type { ResidentCheck } from '../shared/schemas';

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

export function isAbnormalVisit(checks: StoredCheck[]): boolean {
	return checks.some(isAbnormalCheck);
}
