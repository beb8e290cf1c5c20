// Short descriptions of a resident for lists and forms.
import { m } from '$lib/paraglide/messages';
import type { ResidentRow } from '$lib/db/db';

/** "女 · 86 岁", "男", or "" when nothing is known. */
export function memberDetail(
	resident: Pick<ResidentRow, 'sex' | 'birthYear'>,
	now = new Date()
): string {
	const parts: string[] = [];
	if (resident.sex) parts.push(resident.sex === 'F' ? m.w_sex_f() : m.w_sex_m());
	if (resident.birthYear) parts.push(m.w_age({ age: now.getFullYear() - resident.birthYear }));
	return parts.join(' · ');
}
