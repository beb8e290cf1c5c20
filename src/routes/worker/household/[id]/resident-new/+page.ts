import { requireRole } from '$lib/client/guard';
import { WORKER_ROLES } from '$lib/client/roles';

export const load = async ({ params }) => ({
	user: await requireRole(WORKER_ROLES),
	householdId: params.id
});
