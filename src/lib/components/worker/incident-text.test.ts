// The words of a visit's findings and of the incident suggested after an abnormal visit, for
// fixed checks and for answers to a check template (docs/check-templates.md).
import { describe, expect, it, vi } from 'vitest';
import { answerText, findingText } from '$lib/i18n/worker-labels';
import { shippedTemplate, ROUTINE_TEMPLATE_ID } from '$lib/shared/templates';
import {
	abnormalVisitCategory,
	abnormalVisitDescription,
	abnormalVisitSeverity
} from './incident-text';

// The interface language lives in a rune; these words are the Chinese ones.
vi.mock('$lib/i18n/locale.svelte', () => ({ i18n: { current: 'zh-CN' } }));

const ROUTINE = shippedTemplate(ROUTINE_TEMPLATE_ID)!;
const FEVER = shippedTemplate('00000000-0000-4000-8000-000000000002')!;
const GAS = shippedTemplate('00000000-0000-4000-8000-000000000004')!;
const R1 = '0196f1d2-0000-7000-8000-0000000000a1';
const R2 = '0196f1d2-0000-7000-8000-0000000000a2';
const residents = [
	{ id: R1, name: '黄建国' },
	{ id: R2, name: '韦秀英' }
];
const question = (template: typeof ROUTINE, key: string) =>
	template.questions.find((q) => q.key === key)!;

describe('answers in words', () => {
	it('says the question and the value by kind', () => {
		expect(answerText(question(ROUTINE, 'health'), '较差')).toBe('身体状况：较差');
		expect(answerText(question(GAS, 'gas_smell'), true)).toBe('有燃气异味：是');
		expect(answerText(question(GAS, 'alarm'), false)).toBe('装有燃气报警器：否');
		expect(answerText(question(FEVER, 'temperature'), 38.6)).toBe('体温：38.6 °C');
		expect(answerText(question(FEVER, 'travel'), '北京')).toBe('近期去过的疫情地区：北京');
		// A purged answer keeps only its question.
		expect(answerText(question(ROUTINE, 'health'))).toBe('身体状况');
		expect(
			findingText({ kind: 'answer', question: question(ROUTINE, 'health'), value: '较差' })
		).toBe('身体状况：较差');
	});
});

describe('the incident an abnormal visit suggests', () => {
	const visitedAt = '2026-11-24T08:20:00.000Z';

	it('names members by name and the household’s answers last', () => {
		const visit = {
			visitedAt,
			checks: [],
			answers: [
				{ residentId: R1, key: 'health', value: '良好', abnormal: false },
				{ residentId: R2, key: 'health', value: '较差', abnormal: true },
				{ key: 'hazard', value: true, abnormal: true }
			]
		};
		const text = abnormalVisitDescription(visit, residents, ROUTINE.questions);
		expect(text).toMatch(
			/^入户走访发现异常（.+）：韦秀英 身体状况：较差；家中有安全隐患（用电、燃气、消防）：是$/
		);
		expect(text).not.toContain('黄建国');
		expect(abnormalVisitCategory(visit, ROUTINE.questions)).toBe('health');
		expect(abnormalVisitSeverity(visit)).toBe('medium');
	});

	it('is a safety hazard when only the household was found abnormal', () => {
		const visit = {
			visitedAt,
			checks: [],
			answers: [{ key: 'gas_smell', value: true, abnormal: true }]
		};
		expect(abnormalVisitDescription(visit, residents, GAS.questions)).toMatch(/：有燃气异味：是$/);
		expect(abnormalVisitCategory(visit, GAS.questions)).toBe('safety');
	});

	it('still describes a visit with fixed checks as before', () => {
		const visit = {
			visitedAt,
			checks: [{ residentId: R1, temperature: 38.6, symptoms: ['cough'] }]
		};
		expect(abnormalVisitDescription(visit, residents)).toMatch(/：黄建国 体温 38.6 °C、咳嗽$/);
		expect(abnormalVisitCategory(visit)).toBe('health');
		expect(abnormalVisitSeverity(visit)).toBe('high');
	});
});
