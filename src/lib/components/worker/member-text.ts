// Short descriptions of a resident for lists and forms.
import { m } from '$lib/paraglide/messages';
import type { ResidentRow } from '$lib/db/db';
import { sexLabel } from '$lib/i18n/labels';

/** "女 · 86 岁", "男", or "" when nothing is known. */
export function memberDetail(
	resident: Pick<ResidentRow, 'sex' | 'birthYear'>,
	now = new Date()
): string {
	const parts: string[] = [];
	if (resident.sex) parts.push(sexLabel(resident.sex));
	if (resident.birthYear) parts.push(m.w_age({ age: now.getFullYear() - resident.birthYear }));
	return parts.join(' · ');
}
