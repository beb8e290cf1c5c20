import { describe, expect, it } from 'vitest';
import {
	shippedTemplate,
	SHIPPED_TEMPLATES,
	templateInputSchema,
	type Question
} from '$lib/shared/templates';
import {
	draftOf,
	draftProblems,
	emptyTemplate,
	fieldOf,
	generatedKey,
	inputOf,
	moved,
	newQuestion,
	previewQuestion,
	questionOf,
	RULES_BY_KIND,
	serverProblem,
	updateOf,
	withKind,
	type QuestionDraft,
	type TemplateDraft
} from './template-draft';
import { templateErrorText } from './template-text';

const COMMUNITY = '450102001003';

function question(fields: Partial<QuestionDraft>, existing: QuestionDraft[] = []): QuestionDraft {
	return { ...newQuestion(existing), ...fields };
}

/** The three questions of the e2e walk: yes/no with a rule, a number, a choice. */
function threeQuestions(): TemplateDraft {
	const a = question({ label: '家中有积水', rule: 'yes' });
	const b = question(
		{
			label: '室温',
			kind: 'number',
			unit: '°C',
			min: '-10',
			max: '40',
			rule: 'atMost',
			ruleValue: '10'
		},
		[a]
	);
	const c = question(
		{
			label: '取暖方式',
			kind: 'choice',
			options: '暖气\n电暖器\n煤炉\n',
			abnormalOptions: ['煤炉']
		},
		[a, b]
	);
	return { name: '冬季排查', nameEn: '', questions: [a, b, c] };
}

describe('question keys', () => {
	it('are q1, q2 … by position for new questions', () => {
		const first = newQuestion([]);
		const second = newQuestion([first]);
		const third = newQuestion([first, second]);
		expect([first.key, second.key, third.key]).toEqual(['q1', 'q2', 'q3']);
	});

	it('skip a number another question has', () => {
		expect(generatedKey(1, ['q2', 'q3'])).toBe('q4');
		// A question removed and another added: the position's key is taken by the one after.
		const [a, , c] = threeQuestions().questions;
		expect(newQuestion([a, c]).key).toBe('q4');
	});

	it('never change when a label changes, nor when questions move', () => {
		const draft = threeQuestions();
		draft.questions[0].label = '院内积水';
		const swapped = moved(draft.questions, 0, 1);
		expect(swapped.map((q) => q.key)).toEqual(['q2', 'q1', 'q3']);
		expect(inputOf({ ...draft, questions: swapped }, COMMUNITY).questions[1]).toMatchObject({
			key: 'q1',
			label: '院内积水'
		});
	});

	it('of a saved template stay; a copy keeps them too, but as new questions', () => {
		const gas = SHIPPED_TEMPLATES[3];
		const edit = draftOf(gas, { copy: false });
		expect(edit.name).toBe('燃气安全排查');
		expect(edit.questions.map((q) => [q.key, q.saved])).toEqual(
			gas.questions.map((q) => [q.key, true])
		);
		const copy = draftOf(gas, { copy: true });
		expect(copy.name).toBe('燃气安全排查（副本）');
		expect(copy.questions.every((q) => !q.saved)).toBe(true);
		expect(newQuestion(copy.questions).key).toBe('q5');
	});

	it('moving beyond either end changes nothing', () => {
		expect(moved([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
		expect(moved([1, 2, 3], 2, 1)).toEqual([1, 2, 3]);
		expect(moved([1, 2, 3], 2, -1)).toEqual([1, 3, 2]);
	});
});

describe('the abnormal rule fits the kind', () => {
	it('offers yes/no rules for yes/no, thresholds for numbers, none for text', () => {
		expect(RULES_BY_KIND.yes_no).toEqual(['none', 'yes', 'no']);
		expect(RULES_BY_KIND.number).toEqual(['none', 'atLeast', 'atMost']);
		expect(RULES_BY_KIND.text).toEqual(['none']);
	});

	it('drops a rule the new kind does not offer', () => {
		const q = question({ label: '发热', rule: 'yes' });
		expect(withKind(q, 'number').rule).toBe('none');
		expect(withKind(question({ rule: 'atLeast' }), 'number').rule).toBe('atLeast');
	});

	it('becomes equals, atLeast / atMost or oneOf', () => {
		expect(questionOf(question({ label: 'a', rule: 'yes' })).abnormal).toEqual({ equals: true });
		expect(questionOf(question({ label: 'a', rule: 'no' })).abnormal).toEqual({ equals: false });
		expect(
			questionOf(question({ label: 't', kind: 'number', rule: 'atLeast', ruleValue: '３７．３' }))
				.abnormal
		).toEqual({ atLeast: 37.3 });
		const choice = question({
			label: 'c',
			kind: 'choices',
			options: 'a\nb',
			abnormalOptions: ['b', 'gone']
		});
		// An option marked abnormal and then deleted from the list is no longer in the rule.
		expect(questionOf(choice).abnormal).toEqual({ oneOf: ['b'] });
		expect(questionOf({ ...choice, abnormalOptions: [] }).abnormal).toBeUndefined();
	});

	it('leaves out what does not belong to the kind', () => {
		const q = question({ label: 'x', kind: 'text', options: 'a\nb', unit: 'kg', min: '1' });
		expect(questionOf(q)).toEqual({ key: 'q1', label: 'x', kind: 'text', perResident: false });
	});
});

describe('draft → input', () => {
	it('is what the shared schema takes, with keys absent rather than undefined', () => {
		const input = inputOf(threeQuestions(), COMMUNITY);
		expect(templateInputSchema.parse(input)).toEqual(input);
		expect(input).toEqual({
			name: '冬季排查',
			divisionCode: COMMUNITY,
			questions: [
				{
					key: 'q1',
					label: '家中有积水',
					kind: 'yes_no',
					perResident: false,
					abnormal: { equals: true }
				},
				{
					key: 'q2',
					label: '室温',
					kind: 'number',
					perResident: false,
					unit: '°C',
					min: -10,
					max: 40,
					abnormal: { atMost: 10 }
				},
				{
					key: 'q3',
					label: '取暖方式',
					kind: 'choice',
					perResident: false,
					options: ['暖气', '电暖器', '煤炉'],
					abnormal: { oneOf: ['煤炉'] }
				}
			]
		});
		expect(JSON.stringify(input)).not.toContain('undefined');
		for (const q of input.questions) expect(Object.values(q)).not.toContain(undefined);
	});

	it('round-trips a shipped template unchanged', () => {
		for (const t of SHIPPED_TEMPLATES) {
			const again = inputOf(draftOf(t, { copy: false }), COMMUNITY);
			expect(again.questions).toEqual(t.questions);
		}
	});

	it('sends the questions on update only when they changed', () => {
		const routine = shippedTemplate(SHIPPED_TEMPLATES[0].id)!;
		const draft = draftOf(routine, { copy: false });
		draft.name = '日常走访（本社区）';
		expect(updateOf(draft, routine.questions)).toEqual({
			name: '日常走访（本社区）',
			nameEn: 'Routine visit'
		});
		draft.questions[1].label = '生活需要帮助';
		const update = updateOf(draft, routine.questions);
		expect(update.questions?.[1].label).toBe('生活需要帮助');
	});
});

describe('problems', () => {
	const fresh = () => emptyTemplate();

	it('are put at the field, named in words', () => {
		const problems = draftProblems(fresh(), { create: COMMUNITY });
		expect(Object.keys(problems).sort()).toEqual(['name', 'questions.0.label']);
		expect(templateErrorText('name', problems.name)).toBe('模板名称：不能为空');
		expect(templateErrorText('questions.0.label', problems['questions.0.label'])).toBe(
			'第 1 题题目：不能为空'
		);
	});

	it('name the template-only ones', () => {
		const draft = threeQuestions();
		draft.questions[0].key = 'Q1';
		draft.questions[1].min = '十';
		draft.questions[2].options = '暖气';
		const problems = draftProblems(draft, { create: COMMUNITY });
		expect(problems['questions.0.key']).toEqual({ kind: 'key_format' });
		expect(problems['questions.1.min']).toEqual({ kind: 'not_number' });
		expect(problems['questions.2.options']).toEqual({ kind: 'options_min', min: 2 });
		expect(templateErrorText('questions.2.options', problems['questions.2.options'])).toBe(
			'第 3 题选项：至少要有 2 个选项'
		);
	});

	it('find a missing threshold, a repeated option, a range upside down, a key used twice', () => {
		const draft = threeQuestions();
		draft.questions[1].ruleValue = '';
		expect(draftProblems(draft, { create: COMMUNITY })['questions.1.abnormal']).toEqual({
			kind: 'rule_threshold'
		});
		draft.questions[1].ruleValue = '10';
		draft.questions[1].min = '50';
		draft.questions[2].options = '暖气\n暖气\n煤炉';
		const problems = draftProblems(draft, { create: COMMUNITY });
		expect(problems['questions.1.max']).toEqual({ kind: 'max_below_min' });
		expect(problems['questions.2.options']).toEqual({ kind: 'options_repeat' });
		const twice = threeQuestions();
		twice.questions[2].key = 'q1';
		expect(draftProblems(twice, { create: COMMUNITY })['questions.2.key']).toEqual({
			kind: 'key_taken'
		});
	});

	it('of an update are checked by the update schema', () => {
		const draft = draftOf(SHIPPED_TEMPLATES[1], { copy: false });
		expect(draftProblems(draft, { update: SHIPPED_TEMPLATES[1].questions })).toEqual({});
		draft.questions = [];
		expect(draftProblems(draft, { update: null })).toEqual({
			questions: { kind: 'questions_min' }
		});
	});

	it('from the server land on the same field', () => {
		expect(fieldOf('questions.2.options.1')).toBe('questions.2.options');
		expect(fieldOf(['questions', 0, 'abnormal', 'oneOf', 0])).toBe('questions.0.abnormal');
		expect(fieldOf('name')).toBe('name');
		const mapped = serverProblem('questions.1.label', 'must not be empty');
		expect(mapped).toEqual({
			field: 'questions.1.label',
			problem: { kind: 'invalid', detail: 'must not be empty' }
		});
		expect(templateErrorText(mapped!.field, mapped!.problem)).toBe(
			'第 2 题题目：格式不正确（must not be empty）'
		);
		expect(serverProblem(undefined, 'x')).toBeNull();
	});
});

describe('the preview', () => {
	it('shows a half-typed question without what the schema would reject', () => {
		const q = question({
			kind: 'number',
			min: '5',
			max: '1',
			rule: 'atLeast',
			ruleValue: '3'
		});
		const shown: Question = previewQuestion(q, '（未填写题目）');
		expect(shown).toEqual({
			key: 'q1',
			label: '（未填写题目）',
			kind: 'number',
			perResident: false,
			min: 5,
			abnormal: { atLeast: 3 }
		});
		const choices = previewQuestion(
			question({ label: 'c', kind: 'choice', options: 'a\na\nb', optionsEn: 'A' }),
			''
		);
		expect(choices.options).toEqual(['a', 'b']);
		expect(choices.optionsEn).toBeUndefined();
		expect(
			previewQuestion(question({ label: 'n', kind: 'number', rule: 'atMost', ruleValue: '' }), '')
				.abnormal
		).toBeUndefined();
	});
});
