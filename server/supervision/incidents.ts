// Incident moves made on the server: a person's move through the online route, and the
// escalation of overdue incidents by the server itself. Both go through the write path
// (server/write/), which checks them against the same rules as a move arriving by push.
import { DUE_HOURS } from '../../src/lib/domain/incident';
import type { IncidentStatus, Severity } from '../../src/lib/shared/enums';
import type { Store, UserRow } from '../store/types';
import { forbidden, notFound, refusalError } from '../api-error';
import { SYSTEM, write, WriteRefusal, writeDenial } from '../write';
import { divisionAndAncestors } from '../rollup/nodes';
import type { DayClock } from '../rollup/snapshots';

/** Actor id of the escalation job in an incident's history. */
export const SYSTEM_ACTOR = SYSTEM.id;

/** An applied move: the incident's new version, and whether its community's figures changed. */
export interface Transitioned {
	version: number;
	communityCode: string;
	figuresChanged: boolean;
}

/**
 * An incident move made online, by the same rules as a move arriving by sync push; a refusal is
 * thrown as the API's answer (404, 403, 400 or 409). The route names the new status `to` where
 * a pushed change names it `fields.status`.
 */
export async function transitionIncident(
	store: Store,
	user: UserRow,
	incidentId: string,
	input: { to: IncidentStatus; assigneeId?: string; note?: string },
	options: DayClock & { rollup?: boolean }
): Promise<Transitioned> {
	const row = await store.supervision().getIncident(incidentId);
	if (!row) throw notFound('id', 'no such incident');
	// Whether the incident is the user's to move at all; who may make which move is decided
	// inside, by the rules a pushed move meets too.
	const denial = writeDenial(
		user,
		{ id: row.gridId, communityCode: row.communityCode },
		'incidents'
	);
	if (denial) throw forbidden('id', denial);
	try {
		const { result, communities } = await write(store, user, options, async (batch) => {
			await batch.prefetch({
				incidents: [incidentId],
				users: input.assigneeId ? [input.assigneeId] : []
			});
			return batch.moveIncident(incidentId, input);
		});
		return { ...result, figuresChanged: communities.length > 0 };
	} catch (error) {
		if (!(error instanceof WriteRefusal)) throw error;
		throw refusalError(error, (path) => {
			const named = path.replace(/^fields\./, '');
			return named === 'status' ? 'to' : named;
		});
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
