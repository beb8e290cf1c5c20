import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dayInZone } from './day';

const ZONES = [
	'Asia/Shanghai',
	'Asia/Urumqi',
	'UTC',
	'America/New_York',
	'Europe/London',
	'Australia/Lord_Howe',
	'Asia/Kathmandu',
	'Pacific/Chatham',
	'America/St_Johns',
	'Asia/Tehran'
];

/** What Intl alone says, the definition dayInZone must match. */
const byIntl = (t: number, timeZone: string) =>
	new Intl.DateTimeFormat('en-CA', {
		timeZone,
		year: 'numeric',
		month: '2-digit',
		day: '2-digit'
	}).format(t);

describe('dayInZone', () => {
	it('matches Intl for any instant in any zone', () => {
		fc.assert(
			fc.property(
				fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2100, 0, 1) }),
				fc.constantFrom(...ZONES),
				(t, zone) => {
					expect(dayInZone(new Date(t), zone)).toBe(byIntl(t, zone));
				}
			),
			{ numRuns: 5000 }
		);
	});

	it('matches Intl minute by minute around offset changes and midnights', () => {
		// New York spring forward and fall back, Lord Howe's half-hour shift, Chatham's
		// 45-minute offset, China's day boundary and Tehran's change at midnight.
		const spans: [string, number][] = [
			['America/New_York', Date.UTC(2026, 2, 8, 5)],
			['America/New_York', Date.UTC(2026, 10, 1, 4)],
			['Australia/Lord_Howe', Date.UTC(2026, 3, 4, 14)],
			['Pacific/Chatham', Date.UTC(2026, 3, 4, 12)],
			['Asia/Shanghai', Date.UTC(2026, 10, 23, 15)],
			// Tehran fell back at local midnight, half past a UTC hour: in that hour the same
			// instant's day depends on which side of the change it is.
			['Asia/Tehran', Date.UTC(2021, 8, 21, 19, 30)]
		];
		for (const [zone, from] of spans)
			for (let t = from - 3 * 3_600_000; t <= from + 3 * 3_600_000; t += 60_000)
				expect(dayInZone(new Date(t), zone), `${zone} ${new Date(t).toISOString()}`).toBe(
					byIntl(t, zone)
				);
	});

	it('gives Beijing days for China Standard Time', () => {
		expect(dayInZone(new Date('2026-11-23T15:59:59Z'), 'Asia/Shanghai')).toBe('2026-11-23');
		expect(dayInZone(new Date('2026-11-23T16:00:00Z'), 'Asia/Shanghai')).toBe('2026-11-24');
	});

	it('handles instants outside years 1000–9999 through Intl', () => {
		for (const t of [Date.UTC(999, 5, 1), -8.64e15, 8.64e15, Date.UTC(9999, 11, 31, 20)])
			expect(dayInZone(new Date(t), 'Asia/Shanghai')).toBe(byIntl(t, 'Asia/Shanghai'));
	});
});
