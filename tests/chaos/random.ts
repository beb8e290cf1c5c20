// Seeded randomness for the chaos harness (docs/chaos.md): every stream is derived from the run's
// seed and a label, so a device's operations and a request's fault do not depend on how the
// other devices' work interleaved with them.

/** FNV-1a over the seed and the stream's labels: the stream's starting state. */
function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193);
	}
	return h >>> 0;
}

/** A uniform [0, 1) stream (mulberry32) for `seed` and the given labels. */
export function stream(seed: number, ...labels: (string | number)[]): () => number {
	let state = hash(`${seed}:${labels.join(':')}`);
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** An integer in [min, max]. */
export function between(random: () => number, min: number, max: number): number {
	return min + Math.floor(random() * (max - min + 1));
}

/** One of `items`. */
export function pick<T>(random: () => number, items: readonly T[]): T {
	return items[Math.floor(random() * items.length)];
}

/** 16 bytes from a stream: ids a device makes are reproducible too. */
export function byteSource(random: () => number): () => Uint8Array {
	return () => {
		const bytes = new Uint8Array(16);
		for (let i = 0; i < 16; i++) bytes[i] = Math.floor(random() * 256);
		return bytes;
	};
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
