import { requireRole } from '$lib/app/guard';
import { WORKER_ROLES } from '$lib/app/roles';

export const load = async ({ params }) => ({
	user: await requireRole(WORKER_ROLES),
	incidentId: params.id
});
