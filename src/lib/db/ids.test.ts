import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uuidSchema } from '$lib/shared/schemas';
import { openTestDb } from '$lib/sync/test-support';
import { advanceIdClock, IdClock, loadIdClock, saveIdClock } from './ids';

const bytes = (seed: number) =>
	Uint8Array.from({ length: 16 }, (_, i) => (seed * 31 + i * 17) & 0xff);

describe('device ids', () => {
	it('are valid UUIDv7 and strictly increasing whatever the clock does', () => {
		fc.assert(
			fc.property(
				fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 1, maxLength: 200 }),
				(times) => {
					let i = 0;
					const clock = new IdClock(
						undefined,
						() => times[i % times.length],
						() => bytes(i++)
					);
					const ids = times.map(() => clock.next());
					for (const id of ids) {
						expect(uuidSchema.safeParse(id).success).toBe(true);
						expect(id[14]).toBe('7');
					}
					for (let k = 1; k < ids.length; k++) expect(ids[k] > ids[k - 1]).toBe(true);
				}
			)
		);
	});

	it('carry on increasing after a reload even if the clock went back (2030 → 2019)', async () => {
		let now = Date.UTC(2030, 0, 1);
		const db = openTestDb({ now: () => now });
		const nextStoredId = () =>
			db.transaction('rw', db.meta, async () => {
				const clock = await loadIdClock(db);
				const id = clock.next();
				await saveIdClock(db, clock);
				return id;
			});
		const first = await nextStoredId();
		now = Date.UTC(2019, 0, 1);
		const second = await nextStoredId();
		expect(second > first).toBe(true);
		db.close();
	});

	it('roll over to the next millisecond when the counter is exhausted', () => {
		expect(advanceIdClock({ msecs: 10, seq: 0xffffffff }, 5, bytes(1))).toEqual({
			msecs: 11,
			seq: 0
		});
		expect(advanceIdClock({ msecs: 10, seq: 4 }, 10, bytes(1))).toEqual({ msecs: 10, seq: 5 });
		expect(advanceIdClock({ msecs: 10, seq: 4 }, 11, bytes(1)).msecs).toBe(11);
	});
});
