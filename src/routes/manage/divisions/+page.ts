import { requireRole } from '$lib/app/guard';
import { ADMIN_ROLES } from '$lib/app/roles';

export const load = async () => ({ user: await requireRole(ADMIN_ROLES) });
