import { requireRole } from '$lib/app/guard';
import { WORKER_ROLES } from '$lib/app/roles';

export const load = async ({ params, url }) => ({
	user: await requireRole(WORKER_ROLES),
	householdId: params.id,
	/** A visit just saved from the visit form: the page confirms it (and offers an incident). */
	savedVisitId: url.searchParams.get('saved')
});
