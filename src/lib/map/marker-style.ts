// How a visit status looks on the map and in its legend. Colour is never the only cue: the fill
// differs too (solid, hollow, solid and larger), and the legend and popups say it in words.
import { m } from '$lib/paraglide/messages';
import type { VisitStatus } from './visit-status';

export interface MarkerStyle {
	radius: number;
	/** Outline colour. */
	color: string;
	weight: number;
	fillColor: string;
	fillOpacity: number;
}

export const MARKER_STYLE: Record<VisitStatus, MarkerStyle> = {
	abnormal: { radius: 13, color: '#1a2433', weight: 2, fillColor: '#c4262e', fillOpacity: 1 },
	not_visited: { radius: 11, color: '#4a5668', weight: 4, fillColor: '#ffffff', fillOpacity: 1 },
	visited: { radius: 12, color: '#0f3d20', weight: 2, fillColor: '#1e6b3a', fillOpacity: 1 }
};

/** What "visited" counts over: the check round running today, or the calendar month. */
export type StatusPeriod = { kind: 'round' } | { kind: 'month' };

const STATUS_TEXT: Record<VisitStatus, [() => string, () => string]> = {
	abnormal: [m.f_map_status_abnormal, m.f_map_status_abnormal_hint],
	not_visited: [m.f_map_status_not_visited, m.f_map_status_not_visited_hint],
	visited: [m.f_map_status_visited, m.f_map_status_visited_hint]
};

const ROUND_LABEL: Partial<Record<VisitStatus, () => string>> = {
	not_visited: m.f_map_status_not_visited_round,
	visited: m.f_map_status_visited_round
};

/** "本月已走访", or "本轮已走访" while a check round runs. */
export function statusLabel(status: VisitStatus, period: StatusPeriod): string {
	const label =
		(period.kind === 'round' ? ROUND_LABEL[status] : undefined) ?? STATUS_TEXT[status][0];
	return label();
}

export function statusHint(status: VisitStatus): string {
	return STATUS_TEXT[status][1]();
}
