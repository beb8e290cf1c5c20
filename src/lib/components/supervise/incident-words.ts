// Words for incidents on the head's and the worker's screens: the action that moves an incident
// to a state, why a move was refused, the level an escalated incident reached, and how much time
// is left.
import { m } from '$lib/paraglide/messages';
import { ApiError } from '$lib/app/api';
import { errorText } from '$lib/app/error-text';
import { levelLabel } from '$lib/i18n/labels';
import {
	CODE_LENGTH,
	DIVISION_LEVELS,
	type DivisionLevel,
	type IncidentStatus
} from '$lib/shared/enums';

/** The button that moves an incident from `from` to `to`. */
export function actionLabel(from: IncidentStatus, to: IncidentStatus): string {
	switch (to) {
		case 'accepted':
			return m.sv_act_accept();
		case 'dispatched':
			return m.sv_act_dispatch();
		case 'in_progress':
			if (from === 'resolved') return m.sv_act_rework();
			return from === 'dispatched' ? m.sv_act_in_progress() : m.sv_act_handle();
		case 'resolved':
			return m.sv_act_resolve();
		case 'verified':
			return m.sv_act_verify();
		case 'closed':
			return m.sv_act_close();
		default:
			return to;
	}
}

/** "无法办结：这一步不由您办理。": a refused move names the action it refused. */
export function moveRefusalText(from: IncidentStatus, to: IncidentStatus, error: unknown): string {
	const reason =
		error instanceof ApiError && error.kind === 'forbidden'
			? m.sv_refused_not_yours()
			: error instanceof ApiError && error.status === 409
				? m.sv_refused_changed()
				: errorText(error);
	return m.sv_move_refused({ action: actionLabel(from, to), reason });
}

/** The level of a division code ("街道/乡镇" for a nine-digit code); null for anything else. */
export function divisionLevel(code: string): DivisionLevel | null {
	return DIVISION_LEVELS.find((level) => CODE_LENGTH[level] === code.length) ?? null;
}

/** "已升级至街道/乡镇：民生街道" for an escalated incident. */
export function escalatedText(escalatedTo: string, name: string | null | undefined): string {
	const level = divisionLevel(escalatedTo);
	return m.sv_escalated_to({
		level: level ? levelLabel(level) : escalatedTo,
		name: name || escalatedTo
	});
}

/** "超期 3 小时" / "剩余 5 小时" / "剩余 2 天". */
export function dueText(dueAt: string, now: Date): string {
	const diff = Date.parse(dueAt) - now.getTime();
	const hours = Math.abs(diff) / 3600_000;
	const amount =
		hours >= 48
			? m.sv_days({ count: Math.floor(hours / 24) })
			: hours >= 1
				? m.sv_hours({ count: Math.floor(hours) })
				: m.sv_minutes({ count: Math.max(1, Math.floor(hours * 60)) });
	return diff < 0 ? m.sv_overdue_by({ amount }) : m.sv_due_in({ amount });
}
