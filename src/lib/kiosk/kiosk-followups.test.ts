import { describe, expect, it } from 'vitest';
import { cutoffMinutes, minutesInZone, missedCheckins } from './kiosk-followups';

const residents = [
	{ id: 'a', dailyCheckIn: true },
	{ id: 'b', dailyCheckIn: true },
	{ id: 'c', dailyCheckIn: false },
	{ id: 'd', dailyCheckIn: true }
];

describe('missedCheckins', () => {
	// 2026-03-10 10:30 in Shanghai is 02:30 UTC.
	const after = new Date('2026-03-10T02:30:00Z');

	it('lists daily residents without a check-in today once the cut-off has passed', () => {
		const missed = missedCheckins({
			residents,
			checkins: [{ residentId: 'b', at: '2026-03-10T00:15:00Z' }],
			now: after,
			cutoff: '10:00'
		});
		expect(missed.map((r) => r.id)).toEqual(['a', 'd']);
	});

	it('lists nobody before the cut-off', () => {
		expect(
			missedCheckins({
				residents,
				checkins: [],
				now: new Date('2026-03-10T01:59:00Z'),
				cutoff: '10:00'
			})
		).toEqual([]);
		expect(
			missedCheckins({ residents, checkins: [], now: after, cutoff: '11:00' }).map((r) => r.id)
		).toEqual([]);
		expect(
			missedCheckins({ residents, checkins: [], now: after, cutoff: '10:30' }).map((r) => r.id)
		).toEqual(['a', 'b', 'd']);
	});

	it("counts the day in the community's time zone, not UTC", () => {
		// 23:30 UTC on the 9th is 07:30 on the 10th in Shanghai: that check-in is today's.
		const missed = missedCheckins({
			residents,
			checkins: [
				{ residentId: 'a', at: '2026-03-09T23:30:00Z' },
				// 15:59 UTC on the 9th is 23:59 on the 9th in Shanghai: yesterday's.
				{ residentId: 'd', at: '2026-03-09T15:59:00Z' }
			],
			now: after,
			cutoff: '10:00'
		});
		expect(missed.map((r) => r.id)).toEqual(['b', 'd']);
		// In UTC the same instant (02:30) is before a 10:00 cut-off: no follow-ups yet.
		expect(
			missedCheckins({ residents, checkins: [], now: after, cutoff: '10:00', timeZone: 'UTC' })
		).toEqual([]);
	});

	it("a worker's check-in closes the follow-up like any other", () => {
		const missed = missedCheckins({
			residents,
			checkins: [
				{ residentId: 'a', at: '2026-03-10T02:20:00Z' },
				{ residentId: 'b', at: '2026-03-10T02:25:00Z' },
				{ residentId: 'd', at: '2026-03-10T02:29:00Z' }
			],
			now: after,
			cutoff: '10:00'
		});
		expect(missed).toEqual([]);
	});
});

describe('cut-off and clock helpers', () => {
	it('reads HH:MM and falls back to 10:00 on nonsense', () => {
		expect(cutoffMinutes('09:15')).toBe(555);
		expect(cutoffMinutes('24:00')).toBe(600);
		expect(cutoffMinutes('nine')).toBe(600);
	});

	it('gives the minutes of the day in a zone', () => {
		expect(minutesInZone(new Date('2026-03-10T02:30:00Z'), 'Asia/Shanghai')).toBe(630);
		expect(minutesInZone(new Date('2026-03-10T16:05:00Z'), 'Asia/Shanghai')).toBe(5);
	});
});
