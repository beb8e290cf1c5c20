import { dateAt } from '$lib/supervise/supervise-attention';

// The current time as state, ticking every 30 s, for "has not synced for a day" and "overdue".
export class Clock {
	#millis = $state(Date.now());
	/** A fresh, never-mutated Date per tick. */
	now = $derived(dateAt(this.#millis));

	constructor(intervalMs = 30_000) {
		$effect(() => {
			const timer = setInterval(() => (this.#millis = Date.now()), intervalMs);
			return () => clearInterval(timer);
		});
	}
}
