import { describe, expect, it } from 'vitest';
import { ROUTINE_TEMPLATE_ID, shippedTemplate } from '$lib/shared/templates';
import {
	abnormalChecks,
	abnormalOfVisit,
	answerGroups,
	findingsOfAnswers,
	findingsOfCheck
} from './findings';

const R1 = '0196f1d2-0000-7000-8000-0000000000a1';
const R2 = '0196f1d2-0000-7000-8000-0000000000a2';

describe('findings of a check', () => {
	it.each([
		[{}, []],
		[{ temperature: 37.2, symptoms: [], healthCode: 'green' as const, fromRiskArea: false }, []],
		[{ temperature: 37.3 }, [{ kind: 'fever', temperature: 37.3 }]],
		[
			{ symptoms: ['cough', '头痛'] },
			[
				{ kind: 'symptom', symptom: 'cough' },
				{ kind: 'symptom', symptom: '头痛' }
			]
		],
		[{ healthCode: 'yellow' as const }, [{ kind: 'health_code', code: 'yellow' }]],
		[{ healthCode: 'red' as const }, [{ kind: 'health_code', code: 'red' }]],
		[{ fromRiskArea: true }, [{ kind: 'risk_area' }]]
	])('%j → %j', (check, expected) => {
		expect(findingsOfCheck(check)).toEqual(expected);
	});

	it('lists every finding of a resident in a fixed order', () => {
		expect(
			findingsOfCheck({
				fromRiskArea: true,
				healthCode: 'red',
				symptoms: ['cough'],
				temperature: 38.5
			}).map((f) => f.kind)
		).toEqual(['fever', 'symptom', 'health_code', 'risk_area']);
	});

	it('keeps only residents with findings', () => {
		expect(
			abnormalChecks([
				{ residentId: R1, temperature: 36.5, symptoms: [] },
				{ residentId: R2, temperature: 38.1 }
			])
		).toEqual([{ residentId: R2, findings: [{ kind: 'fever', temperature: 38.1 }] }]);
	});
});

describe('findings of a visit’s answers', () => {
	const ROUTINE = shippedTemplate(ROUTINE_TEMPLATE_ID)!;
	const [HEALTH, NEEDS_HELP, HAZARD] = ROUTINE.questions;
	const answers = [
		{ residentId: R1, key: 'health', value: '良好', abnormal: false },
		{ key: 'hazard', value: true, abnormal: true },
		{ residentId: R2, key: 'health', value: '较差', abnormal: true },
		{ key: 'needs_help', value: false, abnormal: false }
	];

	it('groups the answers by member in their order, the household’s last, abnormal ones marked', () => {
		expect(answerGroups(answers, ROUTINE.questions)).toEqual([
			{ residentId: R1, answers: [{ question: HEALTH, value: '良好', abnormal: false }] },
			{ residentId: R2, answers: [{ question: HEALTH, value: '较差', abnormal: true }] },
			{
				residentId: null,
				answers: [
					{ question: HAZARD, value: true, abnormal: true },
					{ question: NEEDS_HELP, value: false, abnormal: false }
				]
			}
		]);
	});

	it('makes each abnormal answer a finding, with the flag of a purged answer', () => {
		expect(findingsOfAnswers(answerGroups(answers, ROUTINE.questions)[2].answers)).toEqual([
			{ kind: 'answer', question: HAZARD, value: true }
		]);
		// Past retention only the flag is left; a version not on this device names the key.
		expect(
			abnormalOfVisit(
				{ checks: [], answers: [{ residentId: R1, key: 'smoke', abnormal: true }] },
				[]
			)
		).toEqual([
			{
				residentId: R1,
				findings: [{ kind: 'answer', question: { key: 'smoke', label: 'smoke', kind: 'text' } }]
			}
		]);
	});

	it('lists who was found abnormal by checks and answers, the household last', () => {
		expect(
			abnormalOfVisit(
				{ checks: [{ residentId: R2, temperature: 38.1 }], answers },
				ROUTINE.questions
			)
		).toEqual([
			{
				residentId: R2,
				findings: [
					{ kind: 'fever', temperature: 38.1 },
					{ kind: 'answer', question: HEALTH, value: '较差' }
				]
			},
			{ residentId: null, findings: [{ kind: 'answer', question: HAZARD, value: true }] }
		]);
		expect(abnormalOfVisit({ checks: [] }, ROUTINE.questions)).toEqual([]);
	});
});
