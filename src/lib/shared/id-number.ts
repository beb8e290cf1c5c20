// Resident identity numbers (居民身份证号码), GB 11643-1999.
// 18 characters: 6-digit division code, 8-digit birth date, 3-digit sequence
// (odd = male), and a check character computed with ISO 7064 MOD 11-2.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits of an ID number. */
export function idCheckChar(first17: string): string {
	if (!/^\d{17}$/.test(first17)) throw new Error('idNumber: first 17 characters must be digits');
	let sum = 0;
	for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
	return CHECK_CHARS[sum % 11];
}

/** The birth date encoded in an ID number, or null when it is not a real calendar date. */
export function idBirthDate(id: string): { year: number; month: number; day: number } | null {
	const year = Number(id.slice(6, 10));
	const month = Number(id.slice(10, 12));
	const day = Number(id.slice(12, 14));
	const date = new Date(Date.UTC(year, month - 1, day));
	const real =
		date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
	return real && year >= 1900 ? { year, month, day } : null;
}

export type IdNumberProblem = 'format' | 'birthDate' | 'checkChar';

/** Why an ID number is invalid, or null when it is valid. */
export function idNumberProblem(id: string, today = new Date()): IdNumberProblem | null {
	if (!/^\d{17}[\dX]$/.test(id)) return 'format';
	const birth = idBirthDate(id);
	if (!birth || Date.UTC(birth.year, birth.month - 1, birth.day) > today.getTime())
		return 'birthDate';
	if (idCheckChar(id.slice(0, 17)) !== id[17]) return 'checkChar';
	return null;
}

/** Sex encoded by the sequence digits: odd = male. */
export function idSex(id: string): 'F' | 'M' {
	return Number(id[16]) % 2 === 1 ? 'M' : 'F';
}
