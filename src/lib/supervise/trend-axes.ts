// Axes of the trend chart: value ticks at round steps, which days get a label when they do not
// all fit. Trend days are calendar days of the deployment's time zone
// (computed by the server), so they are formatted as calendar days, never through the device's
// own zone.

/** Ticks from 0 to at least `max` in steps of 1, 2 or 5 × 10ⁿ (whole numbers), about `target` steps. */
export function valueTicks(max: number, target = 4): number[] {
	const top = Math.max(1, Math.ceil(max));
	const rough = top / target;
	const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, rough)));
	const step = [1, 2, 5, 10].map((f) => f * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
	const ticks: number[] = [];
	for (let v = 0; v < top + step; v += step) {
		ticks.push(v);
		if (v >= top) break;
	}
	return ticks;
}

/**
 * Indexes of the days that get an axis label when `count` days share `width` pixels and a label
 * needs `labelWidth`: every k-th day counted back from the last, so today is always labelled.
 */
export function labelledDays(count: number, width: number, labelWidth = 44): number[] {
	if (count <= 0) return [];
	const every = Math.max(1, Math.ceil((count * labelWidth) / Math.max(1, width)));
	const out: number[] = [];
	for (let i = count - 1; i >= 0; i -= every) out.unshift(i);
	return out;
}
