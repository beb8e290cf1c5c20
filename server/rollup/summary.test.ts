import { describe, expect, it } from 'vitest';
import { displayWidth, localDateTime } from './summary';

describe('displayWidth', () => {
	it('counts CJK and full-width characters as two units, the rest as one', () => {
		expect(displayWidth('')).toBe(0);
		expect(displayWidth('SUM 12%')).toBe(7);
		expect(displayWidth('兴宁社区居委会')).toBe(14);
		expect(displayWidth('填报单位：民生街道')).toBe(18);
		expect(displayWidth('worker_a1、李网格')).toBe(9 + 2 + 6);
	});
});

describe('localDateTime', () => {
	it('shows the wall clock of the zone, 24-hour', () => {
		const at = new Date('2026-03-10T16:05:00Z');
		expect(localDateTime(at, 'Asia/Shanghai')).toBe('2026-03-11 00:05');
		expect(localDateTime(at, 'UTC')).toBe('2026-03-10 16:05');
		expect(localDateTime(at, 'Asia/Urumqi')).toBe('2026-03-10 22:05');
	});
});
