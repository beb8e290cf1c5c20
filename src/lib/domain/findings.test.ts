import { describe, expect, it } from 'vitest';
import { abnormalChecks, findingsOfCheck } from './findings';

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
