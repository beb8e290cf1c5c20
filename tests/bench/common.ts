// Small helpers shared by the bench modules: timing, statistics, a seeded PRNG, progress output.
import { performance } from 'node:perf_hooks';
import { v7 } from 'uuid';

export const now = (): number => performance.now();

/** Progress goes to stderr; stdout carries only the final table. */
export function progress(message: string): void {
	process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export interface Summary {
	n: number;
	min: number;
	median: number;
	p95: number;
	max: number;
	mean: number;
}

/** Nearest-rank quantile of an ascending array. */
function quantile(sorted: number[], q: number): number {
	if (sorted.length === 0) return Number.NaN;
	const rank = Math.ceil(q * sorted.length);
	return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values: number[]): Summary {
	const sorted = [...values].sort((a, b) => a - b);
	const total = sorted.reduce((sum, v) => sum + v, 0);
	const r = (value: number) => round(value, 3);
	return {
		n: sorted.length,
		min: r(sorted[0] ?? Number.NaN),
		median: r(quantile(sorted, 0.5)),
		p95: r(quantile(sorted, 0.95)),
		max: r(sorted[sorted.length - 1] ?? Number.NaN),
		mean: r(sorted.length ? total / sorted.length : Number.NaN)
	};
}

/** mulberry32: a tiny deterministic PRNG so every run generates the same data. */
export function seededRandom(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A time-ordered UUIDv7 as the tablet makes them (src/lib/db/ids.ts), for the instant `msecs`,
 * its random bits drawn from a seeded PRNG so every run makes the same ids.
 */
export function seededUuid7(random: () => number, msecs: number): string {
	const bytes = Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
	return v7({ msecs, seq: ((bytes[6] & 0x7f) << 24) | (bytes[7] << 16), random: bytes });
}

export function pick<T>(random: () => number, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)];
}

export function round(value: number, digits = 0): number {
	const f = 10 ** digits;
	return Math.round(value * f) / f;
}

/** Poll `probe` until it returns true, at most `attempts` times; throws with `what` otherwise. */
export async function waitUntil(
	what: string,
	probe: () => Promise<boolean>,
	attempts = 150,
	intervalMs = 100
): Promise<void> {
	for (let i = 0; i < attempts; i++) {
		if (await probe().catch(() => false)) return;
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
	throw new Error(`${what}: not ready after ${(attempts * intervalMs) / 1000} s`);
}
