import { requireRole } from '$lib/app/guard';
import { IMPORT_ROLES } from '$lib/app/roles';

export const load = async ({ url }) => ({
	user: await requireRole(IMPORT_ROLES),
	code: url.searchParams.get('code')
});
