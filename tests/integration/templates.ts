// Check templates for the roll-up tests (docs/check-templates.md): a custom template of the
// county with two versions, written straight into check_templates and check_template_versions as
// the template routes store them, and answers to any version made from a list of random numbers.
import type { Answer } from '../../src/lib/shared/schemas';
import { SHIPPED_TEMPLATES, type Question } from '../../src/lib/shared/templates';
import { rawSql } from './raw-sql';

export const CUSTOM_TEMPLATE_ID = '7e3c9b1a-4d2f-4c8e-9a6b-5f1d2e3c4b5a';

/** Version 1 and version 2 of the county's template: a key moves from household to resident. */
export const CUSTOM_VERSIONS: Question[][] = [
	[
		{
			key: 'water',
			label: '停水停电',
			kind: 'yes_no',
			perResident: false,
			abnormal: { equals: true }
		},
		{
			key: 'mood',
			label: '精神状态',
			kind: 'choice',
			perResident: true,
			options: ['好', '一般', '差'],
			abnormal: { oneOf: ['差'] }
		},
		{ key: 'remark', label: '备注', kind: 'text', perResident: false }
	],
	[
		{
			key: 'mood',
			label: '精神状态',
			kind: 'choice',
			perResident: true,
			options: ['好', '一般', '差'],
			abnormal: { oneOf: ['差'] }
		},
		{
			key: 'water',
			label: '缺水',
			kind: 'yes_no',
			perResident: true,
			abnormal: { equals: true }
		},
		{
			key: 'bp',
			label: '收缩压',
			kind: 'number',
			perResident: true,
			unit: 'mmHg',
			min: 60,
			max: 250,
			abnormal: { atLeast: 140 }
		},
		{
			key: 'pills',
			label: '常备药',
			kind: 'choices',
			perResident: false,
			options: ['降压药', '降糖药', '没有'],
			abnormal: { oneOf: ['没有'] }
		}
	]
];

/** Every template version a visit may answer in the tests: shipped ones and the custom two. */
export const TEST_VERSIONS: { id: string; version: number; questions: Question[] }[] = [
	SHIPPED_TEMPLATES[1],
	SHIPPED_TEMPLATES[2],
	...CUSTOM_VERSIONS.map((questions, i) => ({
		id: CUSTOM_TEMPLATE_ID,
		version: i + 1,
		questions
	}))
];

const literal = (value: unknown) => `'${JSON.stringify(value).replaceAll("'", "''")}'`;

/** Store a template of `divisionCode` with these versions (the last one current). */
export async function insertTemplate(
	url: string,
	template: { id: string; divisionCode: string; name: string; versions: Question[][] }
): Promise<void> {
	const at = url.startsWith('file:') ? String(Date.now()) : 'now()';
	const last = template.versions.length;
	const statements = [
		`insert into check_templates (id, division_code, name, name_en, version, questions, created_by, created_at, updated_by, updated_at)
		 values ('${template.id}', '${template.divisionCode}', '${template.name}', null, ${last}, ${literal(template.versions[last - 1])}, 'test', ${at}, 'test', ${at})`,
		...template.versions.map(
			(questions, i) =>
				`insert into check_template_versions (template_id, version, name, name_en, questions, created_by, created_at)
				 values ('${template.id}', ${i + 1}, '${template.name}', null, ${literal(questions)}, 'test', ${at})`
		)
	];
	for (const statement of statements) await rawSql(url, statement);
}

/**
 * Answers to a version's questions for a household's members, drawn from `random` (numbers read
 * in turn, 0 when used up): each question answered or skipped, each value normal or not.
 */
export function answersOf(
	questions: readonly Question[],
	members: string[],
	random: number[]
): Answer[] {
	let i = 0;
	const next = () => random[i++] ?? 0;
	const value = (q: Question): Answer['value'] => {
		const n = next();
		switch (q.kind) {
			case 'yes_no':
				return n % 2 === 0;
			case 'number':
				return (q.min ?? 0) + (n % ((q.max ?? 100) - (q.min ?? 0) + 1));
			case 'choice':
				return q.options![n % q.options!.length];
			case 'choices':
				return q.options!.filter((_, k) => (n >> k) % 2 === 1);
			case 'text':
				return '门口堆物';
		}
	};
	const out: Answer[] = [];
	for (const q of questions)
		for (const residentId of q.perResident ? members : [undefined]) {
			// One answer in four is left out (a member not seen, a question skipped).
			if (next() % 4 === 0) continue;
			out.push({ ...(residentId ? { residentId } : {}), key: q.key, value: value(q) });
		}
	return out;
}
