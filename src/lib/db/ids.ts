// Ids made on this device: time-ordered UUIDv7, strictly increasing for the life of the device.
//
// The server merges concurrent edits of a field by the key (baseVersion, mutationId) and keeps the
// greatest (server/sync/merge.ts), so a later edit from this device must carry a larger id than
// an earlier one of the same base. uuid's own v7 is monotonic only within one page load; we keep
// its (msecs, seq) state in the database and advance it inside the same transaction that writes
// the outbox entry, so ids keep increasing across reloads, tabs, and a clock set backwards.
import { v7 } from 'uuid';
import type { GridcareDb } from './db';

export interface IdClockState {
	/** The millisecond timestamp in the last id. */
	msecs: number;
	/** The 32-bit counter in the last id. */
	seq: number;
}

const ID_CLOCK_KEY = 'ids.v7';
const MAX_SEQ = 0xffffffff;

/** The next state: the clock if it moved forward, otherwise one step past the previous id. */
export function advanceIdClock(
	previous: IdClockState | undefined,
	now: number,
	random: Uint8Array
): IdClockState {
	if (!previous || now > previous.msecs) {
		// A random 31-bit start leaves room to count up within the millisecond (RFC 9562 §6.2).
		const seq = ((random[6] & 0x7f) << 24) | (random[7] << 16) | (random[8] << 8) | random[9];
		return { msecs: now, seq };
	}
	if (previous.seq >= MAX_SEQ) return { msecs: previous.msecs + 1, seq: 0 };
	return { msecs: previous.msecs, seq: previous.seq + 1 };
}

/** Hands out ids in increasing order from a starting state. */
export class IdClock {
	#state: IdClockState | undefined;

	constructor(
		state: IdClockState | undefined,
		private readonly now: () => number,
		private readonly randomBytes: () => Uint8Array
	) {
		this.#state = state;
	}

	next(): string {
		const random = this.randomBytes();
		this.#state = advanceIdClock(this.#state, this.now(), random);
		return v7({ msecs: this.#state.msecs, seq: this.#state.seq, random });
	}

	get state(): IdClockState | undefined {
		return this.#state;
	}
}

function isIdClockState(value: unknown): value is IdClockState {
	if (typeof value !== 'object' || value === null) return false;
	const { msecs, seq } = value as Record<string, unknown>;
	return typeof msecs === 'number' && typeof seq === 'number';
}

/** Read the persisted id clock; call inside a transaction that includes `db.meta`. */
export async function loadIdClock(db: GridcareDb): Promise<IdClock> {
	const stored = await db.meta.get(ID_CLOCK_KEY);
	const state = isIdClockState(stored?.value) ? stored.value : undefined;
	return new IdClock(state, db.now, db.randomBytes);
}

/** Persist the id clock; call in the same transaction as `loadIdClock`. */
export async function saveIdClock(db: GridcareDb, clock: IdClock): Promise<void> {
	if (clock.state) await db.meta.put({ key: ID_CLOCK_KEY, value: clock.state });
}
