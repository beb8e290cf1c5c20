import { requireRole } from '$lib/app/guard';
import { SUPERVISOR_ROLES } from '$lib/app/roles';

/** `?copy=<id>`: a copy of that template (a shipped one included). */
export const load = async ({ url }) => ({
	user: await requireRole(SUPERVISOR_ROLES),
	copy: url.searchParams.get('copy')
});
