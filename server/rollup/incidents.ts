// Incident moves made on the server: a community head's transition and the escalation of
// overdue incidents. Both go through the sync engine's transaction (SyncTx), so the change is
// logged (devices pull it), the row gets a new version and the roll-up follows.
import { assigneeAfter, DUE_HOURS, moveDenial } from '../../src/lib/domain/incident';
import type { IncidentStatus, Severity } from '../../src/lib/shared/enums';
import type { Store, UserRow } from '../store/types';
import type { SyncTx } from '../store/sync-types';
import { maintainRollup } from './maintain';
import { divisionAndAncestors } from './nodes';
import type { DayClock } from './snapshots';

/** Actor id of the escalation job in an incident's history. */
export const SYSTEM_ACTOR = 'system';

export type TransitionOutcome =
	| { ok: true; version: number; communityCode: string; figuresChanged: boolean }
	| { ok: false; status: 400 | 403 | 404 | 409; field: string; message: string };

const DENIAL_STATUS = { illegal: 409, forbidden: 403, invalid: 400 } as const;

/**
 * An incident move made online. Who may make it is decided by the same rules as a move
 * arriving by sync push (moveDenial in src/lib/domain/incident.ts); the caller has checked that
 * the user may write the incident's grid.
 */
export async function transitionIncident(
	store: Store,
	user: UserRow,
	incidentId: string,
	input: { to: IncidentStatus; assigneeId?: string; note?: string },
	options: DayClock & { rollup?: boolean }
): Promise<TransitionOutcome> {
	const assignee = input.assigneeId ? await store.getUser(input.assigneeId) : null;
	return store.supervision().inSyncTransaction(async (tx) => {
		await tx.prefetch({ incidents: [incidentId] });
		const row = await tx.getRow('incidents', incidentId);
		if (!row) return { ok: false, status: 404, field: 'id', message: 'id: no such incident' };
		const from = row.status as IncidentStatus;
		const incident = { ...row, status: from };
		const denial = moveDenial(user, incident, input, assignee);
		if (denial) {
			const field = denial.field === 'status' ? 'to' : denial.field;
			return {
				ok: false,
				status: DENIAL_STATUS[denial.kind],
				field,
				message: `${field}: ${denial.message}`
			};
		}
		const note = input.note?.trim() || undefined;
		const fields: Record<string, unknown> = { status: input.to };
		const assigneeId = assigneeAfter(user, incident, input);
		if (assigneeId !== undefined) fields.assigneeId = assigneeId;
		const version = await tx.logChange({
			tableName: 'incidents',
			rowId: row.id,
			op: 'update',
			fields,
			gridId: row.gridId,
			communityCode: row.communityCode
		});
		await tx.updateRow('incidents', row.id, { ...fields, version, updatedAt: options.now });
		await tx.addIncidentTransition({
			incidentId: row.id,
			fromStatus: from,
			toStatus: input.to,
			actorId: user.id,
			...(note ? { note } : {})
		});
		const change =
			options.rollup === false
				? null
				: await maintainRollup(tx, [{ table: 'incidents', op: 'update', rowId: row.id }], options);
		await tx.flush();
		return {
			ok: true,
			version,
			communityCode: row.communityCode,
			figuresChanged: (change?.communities.length ?? 0) > 0
		};
	});
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
export async function escalateOverdue(store: Store, now: Date): Promise<number> {
	const due = await store.supervision().overdueIncidents(now);
	const moves = due.flatMap((i) => {
		const target = escalationTarget(i.communityCode, i.severity as Severity, i.dueAt, now);
		// Escalation only climbs: a longer code is a lower level.
		return target && (i.escalatedTo === null || target.length < i.escalatedTo.length)
			? [{ id: i.id, target }]
			: [];
	});
	if (moves.length === 0) return 0;
	await store.supervision().inSyncTransaction(async (tx: SyncTx) => {
		await tx.prefetch({ incidents: moves.map((m) => m.id) });
		for (const m of moves) {
			const row = await tx.getRow('incidents', m.id);
			if (!row || row.status === 'closed') continue;
			const version = await tx.logChange({
				tableName: 'incidents',
				rowId: row.id,
				op: 'update',
				fields: { escalatedTo: m.target },
				gridId: row.gridId,
				communityCode: row.communityCode
			});
			await tx.updateRow('incidents', row.id, { escalatedTo: m.target, version, updatedAt: now });
			await tx.addIncidentTransition({
				incidentId: row.id,
				fromStatus: row.status,
				toStatus: row.status,
				actorId: SYSTEM_ACTOR,
				note: `escalated:${m.target}`
			});
		}
		await tx.flush();
	});
	return moves.length;
}
