import { requireRole } from '$lib/app/guard';
import { GRID_MANAGE_ROLES } from '$lib/app/roles';

export const load = async () => ({ user: await requireRole(GRID_MANAGE_ROLES) });
