import { requireRole } from '$lib/app/guard';
import { MANAGE_ROLES } from '$lib/app/roles';

export const load = async () => ({ user: await requireRole(MANAGE_ROLES) });
