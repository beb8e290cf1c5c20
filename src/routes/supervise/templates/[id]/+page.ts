import { requireRole } from '$lib/app/guard';
import { SUPERVISOR_ROLES } from '$lib/app/roles';

/** `?saved=<version>`: the template was just created (the editor says so). */
export const load = async ({ params, url }) => ({
	user: await requireRole(SUPERVISOR_ROLES),
	id: params.id,
	saved: Number(url.searchParams.get('saved')) || null
});
