// The visit form's drafts (docs/check-templates.md, "On the tablet"): the answers they give, the
// "全部正常" drafts, the findings so far and the errors, each beside its field.
import { describe, expect, it } from 'vitest';
import { INSERT_FIELDS } from '$lib/shared/schemas';
import {
	ROUTINE_TEMPLATE_ID,
	shippedTemplate,
	storedAnswers,
	type TemplateVersion
} from '$lib/shared/templates';
import {
	abnormalCount,
	answerFieldId,
	errorAt,
	findingsOf,
	HOUSEHOLD,
	newDrafts,
	setAllFine,
	visitInput,
	type FormError
} from './visit-drafts';

const ROUTINE = shippedTemplate(ROUTINE_TEMPLATE_ID)!;
const FEVER = shippedTemplate('00000000-0000-4000-8000-000000000002')!;
const GAS = shippedTemplate('00000000-0000-4000-8000-000000000004')!;
const HOME = '0196f1d2-0000-7000-8000-0000000000b1';
const GRANDMA = '0196f1d2-0000-7000-8000-0000000000a1';
const GRANDSON = '0196f1d2-0000-7000-8000-0000000000a2';
const AT = Date.parse('2026-07-01T02:00:00Z');
const RESIDENTS = [
	{ id: GRANDMA, name: '陆桂兰' },
	{ id: GRANDSON, name: '黄小明' }
];

function inputOf(drafts: ReturnType<typeof newDrafts>, template: TemplateVersion) {
	const input = visitInput(drafts, template, HOME, AT);
	if (Array.isArray(input)) throw new Error(JSON.stringify(input));
	return input;
}

function errorsOf(drafts: ReturnType<typeof newDrafts>, template: TemplateVersion): FormError[] {
	const input = visitInput(drafts, template, HOME, AT);
	if (!Array.isArray(input)) throw new Error('expected errors');
	return input;
}

describe('the visit form’s answers', () => {
	it('sends only the questions answered, with the template and its version, and no checks', () => {
		const drafts = newDrafts(RESIDENTS, ROUTINE);
		expect(inputOf(drafts, ROUTINE)).toEqual({
			householdId: HOME,
			visitedAt: new Date(AT).toISOString(),
			outcome: 'visited',
			checks: [],
			templateId: ROUTINE_TEMPLATE_ID,
			templateVersion: 1,
			answers: []
		});
		drafts.members[0].answers.health = '较差';
		drafts.household.hazard = true;
		drafts.household.needs_help = false;
		const input = inputOf(drafts, ROUTINE);
		expect(input.answers).toEqual([
			{ residentId: GRANDMA, key: 'health', value: '较差' },
			{ key: 'needs_help', value: false },
			{ key: 'hazard', value: true }
		]);
		// The shared visit schema takes it as it is.
		expect(INSERT_FIELDS.visits.safeParse(input).success).toBe(true);
	});

	it('asks nothing of a member not seen, and nothing at all when nobody was visited', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[0].answers.temperature = '38.6';
		drafts.members[1].answers.temperature = '36.5';
		drafts.members[1].seen = false;
		expect(inputOf(drafts, FEVER).answers).toEqual([
			{ residentId: GRANDMA, key: 'temperature', value: 38.6 }
		]);
		drafts.outcome = 'nobody_home';
		expect(inputOf(drafts, FEVER)).toMatchObject({ outcome: 'nobody_home', answers: [] });
		expect(findingsOf(drafts, FEVER, GRANDMA)).toEqual([]);
	});

	it('reads numbers typed with a Chinese input method', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[0].answers.temperature = '３７．８';
		expect(inputOf(drafts, FEVER).answers).toEqual([
			{ residentId: GRANDMA, key: 'temperature', value: 37.8 }
		]);
	});
});

describe('"全部正常"', () => {
	it('answers every question with an obvious normal answer for every member, and leaves numbers and text', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[1].seen = false;
		drafts.members[0].answers.cough = true;
		drafts.needs = ['medicine'];
		drafts.note = '门口有台阶';
		setAllFine(drafts, FEVER);
		const input = inputOf(drafts, FEVER);
		expect(input.answers).toEqual(
			[GRANDMA, GRANDSON].flatMap((residentId) =>
				['fever', 'cough', 'rash'].map((key) => ({ residentId, key, value: false }))
			)
		);
		expect(input).toMatchObject({ outcome: 'visited', note: '门口有台阶' });
		expect(input.needs).toBeUndefined();
		// None of it is abnormal by the template's own rules.
		expect(storedAnswers(FEVER.questions, input.answers!).some((a) => a.abnormal)).toBe(false);
		expect(abnormalCount(drafts, FEVER)).toBe(0);
	});

	it('fills the routine visit’s choice and the household’s yes/no questions', () => {
		const drafts = newDrafts(RESIDENTS, ROUTINE);
		setAllFine(drafts, ROUTINE);
		expect(inputOf(drafts, ROUTINE).answers).toEqual([
			{ residentId: GRANDMA, key: 'health', value: '良好' },
			{ residentId: GRANDSON, key: 'health', value: '良好' },
			{ key: 'needs_help', value: false },
			{ key: 'hazard', value: false }
		]);
	});

	it('leaves a question with no abnormal rule unanswered (gas type), so it is never assumed', () => {
		const drafts = newDrafts([], GAS);
		setAllFine(drafts, GAS);
		expect(inputOf(drafts, GAS).answers).toEqual([
			{ key: 'gas_smell', value: false },
			{ key: 'old_hose', value: false },
			{ key: 'alarm', value: true }
		]);
	});
});

describe('findings as the form is filled in', () => {
	it('names each abnormal answer of a member or of the household, with its question', () => {
		const drafts = newDrafts(RESIDENTS, ROUTINE);
		drafts.members[1].answers.health = '较差';
		drafts.household.hazard = true;
		drafts.household.needs_help = false;
		expect(findingsOf(drafts, ROUTINE, GRANDMA)).toEqual([]);
		expect(findingsOf(drafts, ROUTINE, GRANDSON)).toEqual([
			{ kind: 'answer', question: ROUTINE.questions[0], value: '较差' }
		]);
		expect(findingsOf(drafts, ROUTINE, HOUSEHOLD)).toEqual([
			{ kind: 'answer', question: ROUTINE.questions[2], value: true }
		]);
		expect(abnormalCount(drafts, ROUTINE)).toBe(2);
	});

	it('does not count a value the template refuses (an error to correct) as a finding', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[0].answers.temperature = '45';
		expect(findingsOf(drafts, FEVER, GRANDMA)).toEqual([]);
		drafts.members[0].answers.temperature = '38.6';
		expect(findingsOf(drafts, FEVER, GRANDMA)).toEqual([
			{ kind: 'answer', question: FEVER.questions[0], value: 38.6 }
		]);
	});
});

describe('errors, each beside its field', () => {
	it('says a number that is no number, naming the member and the question', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[1].answers.temperature = '三十七';
		expect(errorsOf(drafts, FEVER)).toEqual([
			{
				key: `answer.${GRANDSON}.temperature`,
				target: answerFieldId(GRANDSON, 'temperature'),
				path: 'temperature',
				problem: 'not_a_number',
				question: FEVER.questions[0],
				member: '黄小明'
			}
		]);
	});

	it('puts what validateAnswers refuses beside the member’s field, every problem at once', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[0].answers.temperature = '45';
		drafts.members[1].answers.temperature = 'abc';
		const errors = errorsOf(drafts, FEVER);
		expect(errors.map((e) => [e.key, e.problem, e.message])).toEqual([
			[`answer.${GRANDSON}.temperature`, 'not_a_number', undefined],
			[`answer.${GRANDMA}.temperature`, 'schema', 'answers.0.value: must be at most 43']
		]);
		expect(errors[1]).toMatchObject({
			target: answerFieldId(GRANDMA, 'temperature'),
			member: '陆桂兰'
		});
	});

	it('puts what the visit schema refuses beside its field: a text answer, the note', () => {
		const drafts = newDrafts(RESIDENTS, FEVER);
		drafts.members[0].answers.travel = '北京\u0007';
		drafts.note = 'x'.repeat(1001);
		const errors = errorsOf(drafts, FEVER);
		expect(errors.map((e) => [e.key, e.target]).sort()).toEqual([
			[`answer.${GRANDMA}.travel`, answerFieldId(GRANDMA, 'travel')],
			['note', 'visit-note']
		]);
		expect(errors.find((e) => e.question)?.message).toMatch(/^answers\.0\.value: /);
	});

	it('places a refusal of recordVisit (a ValidationError’s field) beside the answer it names', () => {
		const drafts = newDrafts(RESIDENTS, ROUTINE);
		drafts.members[1].answers.health = '一般';
		drafts.household.hazard = false;
		expect(errorAt(drafts, ROUTINE, 'answers.1.value', 'answers.1.value: x')).toMatchObject({
			key: `answer.${HOUSEHOLD}.hazard`,
			target: answerFieldId(HOUSEHOLD, 'hazard')
		});
		expect(errorAt(drafts, ROUTINE, 'answers.0.residentId', 'm')).toMatchObject({
			key: `answer.${GRANDSON}.health`,
			member: '黄小明'
		});
		expect(errorAt(drafts, ROUTINE, 'templateId', 'm')).toMatchObject({
			key: 'form',
			target: 'visit-save'
		});
	});
});
