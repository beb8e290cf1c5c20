import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { addDays, dayInZone, endOfDayInZone, startOfDayInZone } from './day';

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

describe('days in a time zone', () => {
	it('adds days across months, years and leap days', () => {
		expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
		expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
		expect(addDays('2026-01-01', -1)).toBe('2025-12-31');
		expect(addDays('2026-05-05', 0)).toBe('2026-05-05');
	});

	it('starts and ends a day at local midnight', () => {
		expect(startOfDayInZone('2026-11-20', 'Asia/Shanghai').toISOString()).toBe(
			'2026-11-19T16:00:00.000Z'
		);
		expect(endOfDayInZone('2026-11-20', 'Asia/Shanghai').toISOString()).toBe(
			'2026-11-20T16:00:00.000Z'
		);
		expect(startOfDayInZone('2026-11-20', 'UTC').toISOString()).toBe('2026-11-20T00:00:00.000Z');
		expect(startOfDayInZone('2026-07-01', 'America/New_York').toISOString()).toBe(
			'2026-07-01T04:00:00.000Z'
		);
	});

	it('follows daylight saving time changes', () => {
		// New York: 23-hour and 25-hour days.
		const spring = '2026-03-08';
		const autumn = '2026-11-01';
		const ny = 'America/New_York';
		const hours = (day: string) =>
			(endOfDayInZone(day, ny).getTime() - startOfDayInZone(day, ny).getTime()) / 3600_000;
		expect(hours(spring)).toBe(23);
		expect(hours(autumn)).toBe(25);
		// Santiago's clocks jump from 00:00 to 01:00: the day starts at 01:00 local time.
		const start = startOfDayInZone('2026-09-06', 'America/Santiago');
		expect(dayInZone(start, 'America/Santiago')).toBe('2026-09-06');
		expect(dayInZone(new Date(start.getTime() - 1), 'America/Santiago')).toBe('2026-09-05');
	});

	it('puts the instants of a day inside it and its end in the next day', () => {
		for (const zone of ['Asia/Shanghai', 'Europe/London', 'Pacific/Chatham']) {
			const day = '2026-10-25';
			const start = startOfDayInZone(day, zone);
			const end = endOfDayInZone(day, zone);
			expect(dayInZone(start, zone)).toBe(day);
			expect(dayInZone(new Date(end.getTime() - 1), zone)).toBe(day);
			expect(dayInZone(end, zone)).toBe('2026-10-26');
		}
	});
});
