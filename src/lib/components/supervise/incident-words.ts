// Words for incidents on the supervision screens: the action that moves an incident to a state,
// and how much time is left.
import { m } from '$lib/paraglide/messages';
import type { IncidentStatus } from '$lib/shared/enums';

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
