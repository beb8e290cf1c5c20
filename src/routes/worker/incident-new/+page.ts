import { requireRole } from '$lib/app/guard';
import { WORKER_ROLES } from '$lib/app/roles';

export const load = async ({ url }) => ({
	user: await requireRole(WORKER_ROLES),
	prefill: {
		householdId: url.searchParams.get('household'),
		gridId: url.searchParams.get('grid'),
		category: url.searchParams.get('category'),
		severity: url.searchParams.get('severity'),
		description: url.searchParams.get('description')
	}
});
