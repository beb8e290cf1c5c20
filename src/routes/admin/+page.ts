import { requireRole } from '$lib/client/guard';
import { ADMIN_ROLES } from '$lib/client/roles';

export const load = async () => ({ user: await requireRole(ADMIN_ROLES) });
