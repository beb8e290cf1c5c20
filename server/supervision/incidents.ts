// Incident moves made on the server: a person's move through the online route, and the
// escalation of overdue incidents by the server itself. Both go through the write path
// (server/write/), which checks them against the same rules as a move arriving by push.
import { DUE_HOURS } from '../../src/lib/domain/incident';
import type { IncidentStatus, Severity } from '../../src/lib/shared/enums';
import type { Store, UserRow } from '../store/types';
import { SYSTEM, write, WriteRefusal } from '../write';
import { divisionAndAncestors } from '../rollup/nodes';
import type { DayClock } from '../rollup/snapshots';

/** Actor id of the escalation job in an incident's history. */
export const SYSTEM_ACTOR = SYSTEM.id;

export type TransitionOutcome =
	| { ok: true; version: number; communityCode: string; figuresChanged: boolean }
	| { ok: false; status: 400 | 403 | 404 | 409; field: string; message: string };

const REFUSAL_STATUS = { invalid: 400, forbidden: 403, missing: 404, illegal: 409 } as const;

/**
 * An incident move made online, by the same rules as a move arriving by sync push. The route
 * names the new status `to` where a pushed change names it `fields.status`.
 */
export async function transitionIncident(
	store: Store,
	user: UserRow,
	incidentId: string,
	input: { to: IncidentStatus; assigneeId?: string; note?: string },
	options: DayClock & { rollup?: boolean }
): Promise<TransitionOutcome> {
	try {
		const { result, communities } = await write(store, user, options, async (batch) => {
			await batch.prefetch({
				incidents: [incidentId],
				users: input.assigneeId ? [input.assigneeId] : []
			});
			return batch.moveIncident(incidentId, input);
		});
		return { ok: true, ...result, figuresChanged: communities.length > 0 };
	} catch (error) {
		if (!(error instanceof WriteRefusal)) throw error;
		const [path, ...rest] = error.message.split(': ');
		const named = path.replace(/^fields\./, '');
		const field = named === 'status' ? 'to' : named;
		return {
			ok: false,
			status: REFUSAL_STATUS[error.kind],
			field,
			message: `${field}: ${rest.join(': ')}`
		};
	}
}

/**
 * The level an overdue incident has reached: one level above its community once past due,
 * one more after each further interval (the severity's time allowed), up to the province.
 */
export function escalationTarget(
	communityCode: string,
	severity: Severity,
	dueAt: Date,
	now: Date
): string | null {
	const late = now.getTime() - dueAt.getTime();
	if (late <= 0) return null;
	const interval = DUE_HOURS[severity] * 3600_000;
	const steps = 1 + Math.floor(late / interval);
	const ancestors = divisionAndAncestors(communityCode); // community, street, county, city, province
	return ancestors[Math.min(steps, ancestors.length - 1)] ?? null;
}

/**
 * Escalate every open incident past due (run every minute by `serve`; tests inject the clock).
 * Each step sets escalated_to, and writes a history entry (same status, note "escalated:<code>").
 * Returns how many incidents moved.
 */
export async function escalateOverdue(store: Store, now: Date, timeZone: string): Promise<number> {
	const due = await store.supervision().overdueIncidents(now);
	const moves = due.flatMap((i) => {
		const target = escalationTarget(i.communityCode, i.severity as Severity, i.dueAt, now);
		// Escalation only climbs: a longer code is a lower level.
		return target && (i.escalatedTo === null || target.length < i.escalatedTo.length)
			? [{ id: i.id, target }]
			: [];
	});
	if (moves.length === 0) return 0;
	await write(store, SYSTEM, { now, timeZone }, async (batch) => {
		await batch.prefetch({ incidents: moves.map((m) => m.id) });
		for (const m of moves) await batch.escalate(m.id, m.target);
	});
	return moves.length;
}
