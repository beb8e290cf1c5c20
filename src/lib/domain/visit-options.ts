// The common answers a visit form offers. Stored as these codes (language-neutral); anything a
// worker types under "other" is stored as typed.

export const COMMON_SYMPTOMS = [
	'cough',
	'sore_throat',
	'fatigue',
	'short_breath',
	'diarrhea',
	'smell_taste'
] as const;
export type CommonSymptom = (typeof COMMON_SYMPTOMS)[number];

export const COMMON_NEEDS = ['medicine', 'food', 'doctor', 'company'] as const;
export type CommonNeed = (typeof COMMON_NEEDS)[number];

export function isCommonSymptom(value: string): value is CommonSymptom {
	return (COMMON_SYMPTOMS as readonly string[]).includes(value);
}

export function isCommonNeed(value: string): value is CommonNeed {
	return (COMMON_NEEDS as readonly string[]).includes(value);
}
