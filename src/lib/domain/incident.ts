// The incident closed loop: 上报 → 受理 → 派遣 → 处置 → 办结 → 核查 → 结案.
import type { IncidentStatus, Severity } from '../shared/enums';

/** Legal next states. A failed verification sends the incident back to be handled again. */
export const NEXT_STATUSES: Record<IncidentStatus, readonly IncidentStatus[]> = {
	reported: ['accepted'],
	accepted: ['dispatched', 'in_progress'],
	dispatched: ['in_progress'],
	in_progress: ['resolved'],
	resolved: ['verified', 'in_progress'],
	verified: ['closed'],
	closed: []
};

export function canTransition(from: IncidentStatus, to: IncidentStatus): boolean {
	return NEXT_STATUSES[from].includes(to);
}

/** Time allowed to close an incident, by severity. */
export const DUE_HOURS: Record<Severity, number> = { urgent: 2, high: 24, medium: 72, low: 168 };

export function dueAt(createdAt: Date, severity: Severity): Date {
	return new Date(createdAt.getTime() + DUE_HOURS[severity] * 3600_000);
}
