// An alert's figures in words, matching how the server raises it (src/lib/domain/alerts.ts).
import { m } from '$lib/paraglide/messages';
import type { Alert } from './supervise-types';

/** "当前 3，预警值 3" for a count; "覆盖率 48%，应不低于 60%" for a round behind schedule. */
export function alertValueText(alert: Pick<Alert, 'kind' | 'value' | 'threshold'>): string {
	return alert.kind === 'coverage_behind'
		? m.sv_alert_coverage_value({ value: alert.value, threshold: alert.threshold })
		: m.sv_alert_value({ value: alert.value, threshold: alert.threshold });
}
