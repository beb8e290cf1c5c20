import { describe, expect, it } from 'vitest';
import { addDays, dayInZone, endOfDayInZone, startOfDayInZone } from './day';

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
