// The check template model (docs/check-templates.md): every schema rule, the abnormal rules,
// the "all normal" answers, the checks of a visit's answers and how they are stored, and the
// shipped templates.
import { describe, expect, it } from 'vitest';
import { describeIssue, type Answer } from './schemas';
import {
	answerAbnormal,
	countedKeys,
	isAbnormalAnswer,
	normalAnswer,
	questionSchema,
	QUESTIONS_MAX,
	ROUTINE_TEMPLATE_ID,
	SHIPPED_TEMPLATES,
	shippedTemplate,
	storedAnswers,
	templateInputSchema,
	templateQuestionsSchema,
	templateUpdateSchema,
	validateAnswers,
	type Question
} from './templates';

const yesNo: Question = {
	key: 'smell',
	label: '有异味',
	kind: 'yes_no',
	perResident: false,
	abnormal: { equals: true }
};
const temperature: Question = {
	key: 'temperature',
	label: '体温',
	kind: 'number',
	perResident: true,
	unit: '°C',
	min: 34,
	max: 43,
	abnormal: { atLeast: 37.3 }
};
const sleep: Question = {
	key: 'sleep',
	label: '睡眠小时数',
	kind: 'number',
	perResident: true,
	abnormal: { atMost: 4 }
};
const health: Question = {
	key: 'health',
	label: '身体状况',
	kind: 'choice',
	perResident: true,
	options: ['良好', '一般', '较差'],
	abnormal: { oneOf: ['较差'] }
};
const symptoms: Question = {
	key: 'symptoms',
	label: '症状',
	kind: 'choices',
	perResident: true,
	options: ['咳嗽', '发热', '乏力'],
	abnormal: { oneOf: ['发热'] }
};
const note: Question = { key: 'note', label: '备注', kind: 'text', perResident: false };

/** The field the first problem names, as the API would (describeIssue), or null when valid. */
function problemOf(
	schema: { safeParse(v: unknown): { success: boolean; error?: unknown } },
	v: unknown
) {
	const result = schema.safeParse(v);
	return result.success ? null : describeIssue(result.error as never).field;
}

describe('questionSchema', () => {
	it('accepts a question of each kind with the rule its kind allows', () => {
		for (const q of [yesNo, temperature, sleep, health, symptoms, note])
			expect(problemOf(questionSchema, q)).toBeNull();
	});

	it.each([
		['a key with capitals', { ...yesNo, key: 'Smell' }, 'key'],
		['a key starting with a digit', { ...yesNo, key: '1smell' }, 'key'],
		['a key longer than 32', { ...yesNo, key: 'a'.repeat(33) }, 'key'],
		['an empty label', { ...yesNo, label: '  ' }, 'label'],
		['a label over 80 characters', { ...yesNo, label: '问'.repeat(81) }, 'label'],
		['an unknown kind', { ...yesNo, kind: 'date' }, 'kind'],
		['no perResident', { key: 'x', label: 'x', kind: 'yes_no' }, 'perResident'],
		['an unknown field', { ...yesNo, colour: 'red' }, 'colour'],
		['a choice without options', { ...health, options: undefined }, 'options'],
		['options on a yes/no', { ...yesNo, options: ['是', '否'] }, 'options'],
		['a single option', { ...health, options: ['良好'], abnormal: undefined }, 'options'],
		['a repeated option', { ...health, options: ['良好', '良好'], abnormal: undefined }, 'options'],
		['English labels not one per option', { ...health, optionsEn: ['Good'] }, 'optionsEn'],
		['a unit on a text question', { ...note, unit: 'kg' }, 'unit'],
		['a minimum on a choice', { ...health, min: 1 }, 'min'],
		['a maximum on a yes/no', { ...yesNo, max: 1 }, 'max'],
		['a range upside down', { ...temperature, min: 40, max: 35 }, 'max'],
		['atLeast on a choice', { ...health, abnormal: { atLeast: 1 } }, 'abnormal'],
		['atMost on a yes/no', { ...yesNo, abnormal: { atMost: 1 } }, 'abnormal'],
		['equals on a number', { ...temperature, abnormal: { equals: true } }, 'abnormal'],
		['oneOf on a number', { ...temperature, abnormal: { oneOf: ['高'] } }, 'abnormal'],
		['oneOf naming no option', { ...health, abnormal: { oneOf: ['很差'] } }, 'abnormal'],
		['a rule on a text question', { ...note, abnormal: { oneOf: ['x'] } }, 'abnormal'],
		[
			'a rule of two kinds at once',
			{ ...temperature, abnormal: { atLeast: 1, atMost: 2 } },
			'abnormal'
		]
	])('refuses %s, naming the field', (_, question, field) =>
		expect(problemOf(questionSchema, question)).toBe(field)
	);
});

describe('templateQuestionsSchema', () => {
	it('needs 1 to QUESTIONS_MAX questions', () => {
		expect(problemOf(templateQuestionsSchema, [])).toBe('(body)');
		const many = Array.from({ length: QUESTIONS_MAX + 1 }, (_, i) => ({ ...yesNo, key: `q${i}` }));
		expect(problemOf(templateQuestionsSchema, many)).toBe('(body)');
		expect(problemOf(templateQuestionsSchema, many.slice(0, QUESTIONS_MAX))).toBeNull();
	});

	it('refuses a key used twice, naming the second', () =>
		expect(problemOf(templateQuestionsSchema, [yesNo, health, { ...note, key: 'smell' }])).toBe(
			'2.key'
		));

	it('names the question and field at fault', () =>
		expect(
			problemOf(templateQuestionsSchema, [yesNo, health, { ...note, abnormal: { equals: true } }])
		).toBe('2.abnormal'));
});

describe('templateInputSchema and templateUpdateSchema', () => {
	const input = { name: '冬季燃气排查', divisionCode: '450102001003', questions: [yesNo, note] };

	it('accepts a template and names the field of a bad one', () => {
		expect(problemOf(templateInputSchema, input)).toBeNull();
		expect(problemOf(templateInputSchema, { ...input, name: '' })).toBe('name');
		expect(problemOf(templateInputSchema, { ...input, divisionCode: '4501020' })).toBe(
			'divisionCode'
		);
		expect(
			problemOf(templateInputSchema, {
				...input,
				questions: [yesNo, note, { ...health, abnormal: { equals: true } }]
			})
		).toBe('questions.2.abnormal');
		expect(problemOf(templateInputSchema, { ...input, id: 'x' })).toBe('id');
	});

	it('changes name or questions, never the division', () => {
		expect(problemOf(templateUpdateSchema, { name: '改名' })).toBeNull();
		expect(problemOf(templateUpdateSchema, { questions: [note] })).toBeNull();
		expect(problemOf(templateUpdateSchema, { divisionCode: '45' })).toBe('divisionCode');
		expect(problemOf(templateUpdateSchema, { questions: [] })).toBe('questions');
	});
});

describe('answerAbnormal', () => {
	it('follows atLeast', () => {
		expect(answerAbnormal(temperature, 37.3)).toBe(true);
		expect(answerAbnormal(temperature, 37.2)).toBe(false);
		expect(answerAbnormal(temperature, 'hot')).toBe(false);
	});
	it('follows atMost', () => {
		expect(answerAbnormal(sleep, 4)).toBe(true);
		expect(answerAbnormal(sleep, 7)).toBe(false);
	});
	it('follows equals', () => {
		expect(answerAbnormal(yesNo, true)).toBe(true);
		expect(answerAbnormal(yesNo, false)).toBe(false);
		expect(answerAbnormal({ ...yesNo, abnormal: { equals: false } }, false)).toBe(true);
	});
	it('follows oneOf for one option and for several', () => {
		expect(answerAbnormal(health, '较差')).toBe(true);
		expect(answerAbnormal(health, '良好')).toBe(false);
		expect(answerAbnormal(symptoms, ['咳嗽', '发热'])).toBe(true);
		expect(answerAbnormal(symptoms, ['咳嗽'])).toBe(false);
		expect(answerAbnormal(symptoms, [])).toBe(false);
	});
	it('is undefined without a rule', () => {
		expect(answerAbnormal(note, '门口堆放杂物')).toBeUndefined();
		expect(answerAbnormal({ ...yesNo, abnormal: undefined }, true)).toBeUndefined();
	});
});

describe('normalAnswer', () => {
	it('is the other side of a yes/no rule', () => {
		expect(normalAnswer(yesNo)).toBe(false);
		expect(normalAnswer({ ...yesNo, abnormal: { equals: false } })).toBe(true);
	});
	it('is the first option no rule marks, or no choice of several', () => {
		expect(normalAnswer({ ...health, abnormal: { oneOf: ['良好'] } })).toBe('一般');
		expect(normalAnswer(health)).toBe('良好');
		expect(normalAnswer(symptoms)).toEqual([]);
	});
	it('is none for numbers, text and questions without a rule', () => {
		expect(normalAnswer(temperature)).toBeUndefined();
		expect(normalAnswer(sleep)).toBeUndefined();
		expect(normalAnswer(note)).toBeUndefined();
		expect(normalAnswer({ ...yesNo, abnormal: undefined })).toBeUndefined();
	});
});

describe('validateAnswers', () => {
	const R1 = '0b7a4f2e-3c1d-4e5f-8a9b-0c1d2e3f4a51';
	const R2 = '0b7a4f2e-3c1d-4e5f-8a9b-0c1d2e3f4a52';
	const questions = [yesNo, temperature, health, symptoms, note];
	const members = new Set([R1, R2]);
	const issues = (answers: Answer[]) =>
		validateAnswers(questions, answers, members).map((i) => i.path);

	it('accepts fitting answers for every member', () =>
		expect(
			issues([
				{ key: 'smell', value: false },
				{ residentId: R1, key: 'temperature', value: 36.5 },
				{ residentId: R2, key: 'temperature', value: 37.8 },
				{ residentId: R1, key: 'health', value: '良好' },
				{ residentId: R1, key: 'symptoms', value: ['咳嗽'] },
				{ key: 'note', value: '一切正常' }
			])
		).toEqual([]));

	it.each([
		['a key the version does not ask', { key: 'gas', value: true }, 'answers.0.key'],
		[
			'no resident on a resident question',
			{ key: 'temperature', value: 36.5 },
			'answers.0.residentId'
		],
		[
			'a resident on a household question',
			{ residentId: R1, key: 'smell', value: true },
			'answers.0.residentId'
		],
		[
			'a resident not of the household',
			{ residentId: '0b7a4f2e-3c1d-4e5f-8a9b-0c1d2e3f4a59', key: 'health', value: '良好' },
			'answers.0.residentId'
		],
		['a yes/no that is not a boolean', { key: 'smell', value: 'yes' }, 'answers.0.value'],
		[
			'a number that is text',
			{ residentId: R1, key: 'temperature', value: '36.5' },
			'answers.0.value'
		],
		[
			'a number below the range',
			{ residentId: R1, key: 'temperature', value: 30 },
			'answers.0.value'
		],
		[
			'a number above the range',
			{ residentId: R1, key: 'temperature', value: 45 },
			'answers.0.value'
		],
		[
			'a choice not among the options',
			{ residentId: R1, key: 'health', value: '很好' },
			'answers.0.value'
		],
		[
			'several choices as one string',
			{ residentId: R1, key: 'symptoms', value: '咳嗽' },
			'answers.0.value'
		],
		[
			'a choice repeated',
			{ residentId: R1, key: 'symptoms', value: ['咳嗽', '咳嗽'] },
			'answers.0.value'
		],
		[
			'a choice of several not an option',
			{ residentId: R1, key: 'symptoms', value: ['头痛'] },
			'answers.0.value'
		],
		['text that is a number', { key: 'note', value: 3 }, 'answers.0.value'],
		['text too long', { key: 'note', value: '字'.repeat(201) }, 'answers.0.value']
	] as [string, Answer, string][])('refuses %s', (_, answer, path) =>
		expect(issues([answer])).toEqual([path])
	);

	it('refuses the same question answered twice for one member, not for two', () => {
		expect(
			issues([
				{ residentId: R1, key: 'health', value: '良好' },
				{ residentId: R2, key: 'health', value: '良好' },
				{ residentId: R1, key: 'health', value: '较差' }
			])
		).toEqual(['answers.2.key']);
		expect(
			issues([
				{ key: 'smell', value: true },
				{ key: 'smell', value: false }
			])
		).toEqual(['answers.1.key']);
	});

	it('names the field in the message and checks membership only when members are given', () => {
		const [issue] = validateAnswers(questions, [{ key: 'smell', value: 1 }]);
		expect(issue.message).toMatch(/^answers\.0\.value: /);
		expect(
			validateAnswers(questions, [
				{ residentId: '0b7a4f2e-3c1d-4e5f-8a9b-0c1d2e3f4a59', key: 'health', value: '良好' }
			])
		).toEqual([]);
	});
});

describe('storedAnswers', () => {
	it('flags each answer by its question’s rule and leaves questions without one unflagged', () => {
		const stored = storedAnswers(
			[yesNo, health, note],
			[
				{ key: 'smell', value: true },
				{ residentId: 'r1', key: 'health', value: '良好' },
				{ key: 'note', value: '楼道堆物' }
			]
		);
		expect(stored).toEqual([
			{ key: 'smell', value: true, abnormal: true },
			{ residentId: 'r1', key: 'health', value: '良好', abnormal: false },
			{ key: 'note', value: '楼道堆物' }
		]);
		expect(stored.map(isAbnormalAnswer)).toEqual([true, false, false]);
		// A purged answer keeps its flag alone.
		expect(isAbnormalAnswer({ key: 'smell', abnormal: true })).toBe(true);
	});

	it('counts only the questions with a rule', () =>
		expect(countedKeys([yesNo, health, note])).toEqual(['smell', 'health']));
});

describe('shipped templates', () => {
	it('each passes templateQuestionsSchema, is read-only and found by id', () => {
		for (const t of SHIPPED_TEMPLATES) {
			expect(problemOf(templateQuestionsSchema, t.questions), t.name).toBeNull();
			expect(t.divisionCode).toBeNull();
			expect(shippedTemplate(t.id)).toBe(t);
			expect(shippedTemplate(t.id, t.version + 1)).toBeUndefined();
		}
		expect(new Set(SHIPPED_TEMPLATES.map((t) => t.id)).size).toBe(SHIPPED_TEMPLATES.length);
		expect(shippedTemplate(ROUTINE_TEMPLATE_ID)?.name).toBe('日常走访');
		expect(SHIPPED_TEMPLATES.map((t) => t.name)).toEqual([
			'日常走访',
			'发热与传染病排查',
			'防汛防台/极端天气',
			'燃气安全排查',
			'独居老人冬季关爱'
		]);
	});

	it('never ask for a health code', () => {
		const text = JSON.stringify(SHIPPED_TEMPLATES);
		expect(text).not.toMatch(/健康码|health.?code/i);
	});
});
