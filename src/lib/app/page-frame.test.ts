// How every page is framed: a way back, button words that match the page they open, and one way
// of marking optional fields. Read from the sources and the message files.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROUTES = 'src/routes';

function pages(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return pages(path);
		return entry.name === '+page.svelte' ? [path] : [];
	});
}

/** Start screens of each role (and the sign-in page): nothing to go back to. */
const START_PAGES = [
	'+page.svelte',
	'login/+page.svelte',
	'worker/+page.svelte',
	'supervise/+page.svelte',
	'admin/+page.svelte',
	'kiosk/+page.svelte'
];

/** Ways back a page can show. */
const WAYS_BACK = [
	/<BackLink\b/,
	/<FormPage\b/,
	/<HouseholdTrail\b/,
	/aria-label=\{m\.breadcrumb_label\(\)\}/
];

describe('every page has a way back', () => {
	const communityNav = readFileSync(join(ROUTES, 'supervise/+layout.svelte'), 'utf8');

	it.each(pages(ROUTES).map((path) => relative(ROUTES, path)))('%s', (page) => {
		if (START_PAGES.includes(page)) return;
		// The community head's sections sit under the section links of their layout.
		if (page.startsWith('supervise/')) {
			expect(communityNav).toMatch(/<CommunityNav\b/);
			return;
		}
		const source = readFileSync(join(ROUTES, page), 'utf8');
		expect(WAYS_BACK.some((way) => way.test(source))).toBe(true);
	});

	it('finds the pages', () => {
		expect(pages(ROUTES).length).toBeGreaterThan(20);
	});
});

type Messages = Record<string, string>;
const LOCALES = ['zh-CN', 'en'] as const;
const GROUPS = ['', 'worker', 'forms', 'supervise', 'kiosk', 'privacy', 'device'];

function messages(locale: string): Messages {
	const all: Messages = {};
	for (const group of GROUPS) {
		const file = join('messages', group, `${locale}.json`);
		Object.assign(all, JSON.parse(readFileSync(file, 'utf8')) as Messages);
	}
	return all;
}

describe('a button says what the page it opens is called', () => {
	/** [button, title of the page it opens] */
	const PAIRS = [
		['w_household_new', 'f_household_new_title'],
		['w_household_add_resident', 'f_resident_new_title'],
		['w_household_report_incident', 'f_incident_new_title'],
		['w_household_record_visit', 'w_visit_title'],
		['w_household_edit', 'f_household_edit_title'],
		['w_change_household_new', 'f_household_new_title'],
		['w_change_resident_new', 'f_resident_new_title']
	];

	it.each(LOCALES)('%s', (locale) => {
		const text = messages(locale);
		for (const [button, title] of PAIRS) {
			expect(text[button], button).toBeDefined();
			expect(text[button], `${button} / ${title}`).toBe(text[title]);
		}
	});

	it('zh-CN adds with 添加, never 新增', () => {
		const text = messages('zh-CN');
		expect(Object.entries(text).filter(([, value]) => value.includes('新增'))).toEqual([]);
	});
});

describe('optional fields are marked one way', () => {
	it('zh-CN says （选填） and nothing else', () => {
		const text = messages('zh-CN');
		const other = Object.entries(text).filter(([, v]) =>
			/（可选）|（可不填）|（非必填）|（可填）/.test(v)
		);
		expect(other).toEqual([]);
		expect(text.f_optional).toBe('（选填）');
	});

	it('en says (optional)', () => {
		const text = messages('en');
		expect(text.f_optional).toBe('(optional)');
		const other = Object.entries(text).filter(([, v]) => /\((not required|optionally)\)/i.test(v));
		expect(other).toEqual([]);
	});

	it('no label is starred as required', () => {
		for (const locale of LOCALES) {
			const starred = Object.entries(messages(locale)).filter(([, v]) => /[*＊]\s*$/.test(v));
			expect(starred).toEqual([]);
		}
	});
});
