// What exactly was abnormal in a resident's check, so a screen can say it in words (not only a
// colour) and an incident can be described without re-typing. Same rules as visit.ts.
import type { HealthCode } from '../shared/enums';
import type { ResidentCheck } from '../shared/schemas';
import { FEVER_THRESHOLD } from './visit';

export type Finding =
	| { kind: 'fever'; temperature: number }
	| { kind: 'symptom'; symptom: string }
	| { kind: 'health_code'; code: Exclude<HealthCode, 'green'> }
	| { kind: 'risk_area' };

/** The abnormal findings of one check, in a fixed order (fever, symptoms, code, risk area). */
export function findingsOfCheck(check: Omit<ResidentCheck, 'residentId'>): Finding[] {
	const findings: Finding[] = [];
	if (check.temperature !== undefined && check.temperature >= FEVER_THRESHOLD)
		findings.push({ kind: 'fever', temperature: check.temperature });
	for (const symptom of check.symptoms ?? []) findings.push({ kind: 'symptom', symptom });
	if (check.healthCode === 'yellow' || check.healthCode === 'red')
		findings.push({ kind: 'health_code', code: check.healthCode });
	if (check.fromRiskArea === true) findings.push({ kind: 'risk_area' });
	return findings;
}

/** Residents of a visit with at least one finding, in check order. */
export function abnormalChecks(
	checks: readonly ResidentCheck[]
): { residentId: string; findings: Finding[] }[] {
	return checks
		.map((check) => ({ residentId: check.residentId, findings: findingsOfCheck(check) }))
		.filter((entry) => entry.findings.length > 0);
}
