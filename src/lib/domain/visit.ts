// What makes a finding abnormal (product.md): temperature ≥ 37.3 °C, any symptom,
// health code yellow or red, or arrived from a risk area.
import type { ResidentCheck } from '../shared/schemas';

export const FEVER_THRESHOLD = 37.3;

export function isAbnormalCheck(check: Omit<ResidentCheck, 'residentId'>): boolean {
	return (
		(check.temperature !== undefined && check.temperature >= FEVER_THRESHOLD) ||
		(check.symptoms?.length ?? 0) > 0 ||
		check.healthCode === 'yellow' ||
		check.healthCode === 'red' ||
		check.fromRiskArea === true
	);
}

export function isAbnormalVisit(checks: Omit<ResidentCheck, 'residentId'>[]): boolean {
	return checks.some(isAbnormalCheck);
}
