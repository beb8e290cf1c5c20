import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { overwriteGetLocale, type Locale } from '$lib/paraglide/runtime';
import {
	DEFAULT_TIME_ZONE,
	deploymentTimeZone,
	formatDate,
	formatDateTime,
	formatDay,
	formatShortDate,
	formatShortDateTime,
	formatShortDay,
	formatSyncTime,
	formatTime,
	setDeploymentTimeZone
} from './format';

let locale: Locale = 'zh-CN';
overwriteGetLocale(() => locale);

// 2026-12-06 01:30 in Shanghai; still 5 December in UTC and in New York.
const LATE_EVENING_UTC = '2026-12-05T17:30:00Z';
const AFTERNOON = '2026-12-06T06:05:00Z'; // 14:05 in Shanghai

beforeEach(() => {
	locale = 'zh-CN';
	setDeploymentTimeZone('Asia/Shanghai');
});
afterEach(() => setDeploymentTimeZone(DEFAULT_TIME_ZONE));

describe('formats in Chinese', () => {
	it('gives one word for each context', () => {
		expect(formatDate(AFTERNOON)).toBe('2026年12月6日');
		expect(formatShortDate(AFTERNOON)).toBe('12月6日');
		expect(formatTime(AFTERNOON)).toBe('14:05');
		expect(formatDateTime(AFTERNOON)).toBe('2026年12月6日 14:05');
		expect(formatShortDateTime(AFTERNOON)).toBe('12月6日 14:05');
	});

	it("counts days and hours in the deployment's zone, not the device's", () => {
		expect(formatShortDate(LATE_EVENING_UTC)).toBe('12月6日');
		expect(formatDateTime(LATE_EVENING_UTC)).toBe('2026年12月6日 01:30');
		setDeploymentTimeZone('America/New_York');
		expect(deploymentTimeZone()).toBe('America/New_York');
		expect(formatShortDate(LATE_EVENING_UTC)).toBe('12月5日');
		expect(formatTime(LATE_EVENING_UTC)).toBe('12:30');
	});

	it('keeps the zone it has when told an unknown one', () => {
		setDeploymentTimeZone('Mars/Olympus_Mons');
		setDeploymentTimeZone(undefined);
		expect(deploymentTimeZone()).toBe('Asia/Shanghai');
	});

	it('shows a stored calendar day as written, in any zone', () => {
		setDeploymentTimeZone('Pacific/Kiritimati');
		expect(formatDay('2026-12-06')).toBe('2026年12月6日');
		setDeploymentTimeZone('Pacific/Pago_Pago');
		expect(formatShortDay('2026-12-06')).toBe('12月6日');
		expect(() => formatDay('2026/12/6')).toThrow(/day: expected YYYY-MM-DD/);
	});

	it('gives the time alone for today, the date too for another day', () => {
		const now = '2026-12-06T15:00:00Z'; // 23:00 in Shanghai
		expect(formatSyncTime(AFTERNOON, now)).toBe('14:05');
		// 01:30 on the 6th in Shanghai is today there, though the 5th in UTC.
		expect(formatSyncTime(LATE_EVENING_UTC, now)).toBe('01:30');
		expect(formatSyncTime('2026-12-05T06:05:00Z', now)).toBe('12月5日 14:05');
	});
});

describe('formats in English', () => {
	it('gives the same contexts', () => {
		locale = 'en';
		expect(formatDate(AFTERNOON)).toBe('December 6, 2026');
		expect(formatShortDate(AFTERNOON)).toBe('December 6');
		expect(formatTime(AFTERNOON)).toBe('14:05');
		expect(formatDateTime(AFTERNOON)).toBe('December 6, 2026 14:05');
		expect(formatDay('2026-12-06')).toBe('December 6, 2026');
	});
});

describe('no screen formats a date on its own', () => {
	function sources(dir: string): string[] {
		return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
			const path = join(dir, entry.name);
			if (entry.isDirectory()) return entry.name === 'paraglide' ? [] : sources(path);
			return /\.(svelte|ts)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [path] : [];
		});
	}

	/** Ways to turn a date into words without this module. */
	const AD_HOC = [
		/\.toLocaleDateString\(/,
		/\.toLocaleTimeString\(/,
		/\.toLocaleString\(/,
		/\.toDateString\(/,
		/\bIntl\.DateTimeFormat\(\s*(i18n|getLocale|locale)/
	];

	it('finds them only in format.ts', () => {
		const offenders = [...sources('src/lib'), ...sources('src/routes')].filter((file) => {
			if (file.endsWith(join('i18n', 'format.ts'))) return false;
			const text = readFileSync(file, 'utf8');
			return AD_HOC.some((pattern) => pattern.test(text));
		});
		expect(offenders).toEqual([]);
	});

	it('the screens show no raw YYYY-MM-DD day', () => {
		// A stored day goes through formatDay/formatShortDay before it reaches a message.
		const raw =
			/m\.\w+\(\{[^}]*\b(date|due|start): (current|data|round|current\.round|data\.round)\.(date|dueDate|startDate)\s*(,|\}|\?\?)/;
		const offenders = [...sources('src/lib/components'), ...sources('src/routes')].filter((file) =>
			raw.test(readFileSync(file, 'utf8'))
		);
		expect(offenders).toEqual([]);
	});
});
