import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { locales } from '$lib/paraglide/runtime';
import * as enums from '$lib/shared/enums';
import { ALERT_KINDS } from '$lib/domain/alerts';
import {
	AUDIT_ACTIONS,
	DUPLICATE_ACTIONS,
	UNMASK_FIELDS,
	UNMASK_REASONS
} from '$lib/shared/privacy';
import { ROSTER_COLUMNS } from '../../../server/imports/columns';
import { PROBLEM_CODES } from '../../../server/imports/types';
import { DEVICE_KINDS } from '$lib/shared/devices';
import { ENUM_LABELS, categoryLabel, severityLabel, tagLabel } from './labels';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SRC = join(ROOT, 'src');
const MESSAGES = join(ROOT, 'messages');

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return entry.name === 'paraglide' ? [] : filesUnder(path, keep);
		return keep(entry.name) ? [path] : [];
	});
}

/** Every message of one language, over all the catalogue's files. */
function catalogue(locale: string): Record<string, string> {
	return Object.assign(
		{},
		...filesUnder(MESSAGES, (name) => name === `${locale}.json`).map(
			(file) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
		)
	);
}

/** The message keys labels.ts reads: the only words an enumeration's value may have. */
const labelSource = readFileSync(join(SRC, 'lib/i18n/labels.ts'), 'utf8');
const labelKeys = new Set([...labelSource.matchAll(/\bm\.(\w+)/g)].map((match) => match[1]));

describe('one label per enumeration value', () => {
	it('covers every enumeration the interface shows', () => {
		const shown: [string, readonly string[]][] = [
			['role', enums.ROLES],
			['level', enums.NODE_LEVELS],
			['severity', enums.SEVERITIES],
			['category', enums.INCIDENT_CATEGORIES],
			['status', enums.INCIDENT_STATUSES],
			['tag', enums.HOUSEHOLD_TAGS],
			['outcome', enums.VISIT_OUTCOMES],
			['healthCode', enums.HEALTH_CODES],
			['sex', enums.SEXES],
			['checkinStatus', enums.CHECKIN_STATUSES],
			['checkinChannel', enums.CHECKIN_CHANNELS],
			['auditAction', AUDIT_ACTIONS],
			['unmaskReason', UNMASK_REASONS],
			['unmaskField', UNMASK_FIELDS],
			['duplicateAction', DUPLICATE_ACTIONS],
			['alertKind', ALERT_KINDS],
			['rosterField', ROSTER_COLUMNS.map((column) => column.key)],
			['problem', PROBLEM_CODES],
			['deviceKind', DEVICE_KINDS]
		];
		for (const [name, values] of shown) {
			const entry = ENUM_LABELS[name as keyof typeof ENUM_LABELS];
			expect(entry, name).toBeDefined();
			expect([...entry.values].sort(), name).toEqual([...values].sort());
			expect(Object.keys(entry.labels).sort(), name).toEqual([...values].sort());
		}
	});

	it('gives every value exactly one word in each language, distinct within its enumeration', () => {
		expect([...locales].sort()).toEqual(['en', 'zh-CN']);
		for (const [name, { values, labels }] of Object.entries(ENUM_LABELS)) {
			for (const locale of locales) {
				const words = values.map((value) => {
					const fn = (labels as Record<string, (i?: object, o?: object) => string>)[value];
					const word = fn({}, { locale });
					expect(word.trim(), `${name}.${value} in ${locale}`).not.toBe('');
					// In Chinese a raw value ("urgent") on screen is always a missing word.
					if (locale === 'zh-CN') expect(word, `${name}.${value}`).not.toBe(value);
					return word;
				});
				expect(new Set(words).size, `${name} in ${locale}: ${words.join(', ')}`).toBe(words.length);
			}
		}
	});

	it('uses the words a grid office uses', () => {
		expect(enums.SEVERITIES.map(severityLabel)).toEqual(['一般', '较急', '紧急', '特急']);
		expect(categoryLabel('safety')).toBe('安全隐患');
		expect(categoryLabel('health')).toBe('健康状况');
		expect(tagLabel('key_care')).toBe('重点关爱');
	});

	it('keeps no second word for a value in the message catalogue', () => {
		// A key such as "f_severity_high" or "x_tag_key_care" would be a second word for a value.
		const keyWords: Record<keyof typeof ENUM_LABELS, string> = {
			role: 'role',
			level: 'level',
			severity: 'severity',
			category: 'category',
			status: 'status',
			stage: 'stage',
			tag: 'tag',
			outcome: 'outcome',
			healthCode: 'code',
			sex: 'sex',
			checkinStatus: '(checkin_status|fu|status)',
			checkinChannel: 'channel',
			auditAction: 'action',
			auditSubject: 'subject',
			unmaskReason: 'reason',
			unmaskField: 'pv_field',
			duplicateAction: 'action',
			alertKind: 'alert',
			rosterField: 'im_field',
			problem: 'im_problem',
			deviceKind: 'kind'
		};
		const alternatives = Object.entries(ENUM_LABELS).map(
			([name, { values }]) =>
				`${keyWords[name as keyof typeof ENUM_LABELS]}_(${values.map((v) => v.replace('.', '_')).join('|')})`
		);
		const pattern = new RegExp(`(^|_)(${alternatives.join('|')})$`, 'i');
		for (const locale of locales) {
			const second = Object.keys(catalogue(locale)).filter(
				(key) => pattern.test(key) && !labelKeys.has(key)
			);
			expect(second, locale).toEqual([]);
		}
	});

	it('is the only file that reads the enumerations’ words or keeps a map of its own', () => {
		const sources = filesUnder(
			SRC,
			(name) => /\.(ts|svelte)$/.test(name) && !name.endsWith('.test.ts')
		).filter((file) => !file.endsWith(join('i18n', 'labels.ts')));
		const enumTypes = [
			'Role',
			'NodeLevel',
			'DivisionLevel',
			'Severity',
			'IncidentCategory',
			'IncidentStatus',
			'IncidentStage',
			'HouseholdTag',
			'VisitOutcome',
			'HealthCode',
			'Sex',
			'CheckinStatus',
			'CheckinChannel',
			'AuditAction',
			'UnmaskReason',
			'UnmaskField',
			'DuplicateAction',
			'AlertKind',
			'DeviceKind'
		].join('|');
		const ownMap = new RegExp(`Record<\\s*(${enumTypes})\\s*,\\s*(\\(\\) => string|\\[)`);
		// Maps that hold other words than a value's name: the hints under a form's choices, and
		// the resident's own answers on the kiosk ("我很好"), which are sentences, not labels.
		const otherWords: Record<string, RegExp> = {
			'src/lib/forms/labels.ts': /_HINTS: Record/,
			'src/lib/components/kiosk/CheckinFlow.svelte': /STATUS_TEXT: Record<CheckinStatus/
		};
		const offenders: string[] = [];
		for (const file of sources) {
			const path = relative(ROOT, file).split('\\').join('/');
			const text = readFileSync(file, 'utf8');
			for (const match of text.matchAll(/\bm\.(\w+)/g))
				if (labelKeys.has(match[1])) offenders.push(`${path}: m.${match[1]}`);
			for (const line of text.split('\n'))
				if (ownMap.test(line) && !otherWords[path]?.test(line))
					offenders.push(`${path}: ${line.trim()}`);
		}
		expect(offenders).toEqual([]);
	});
});
