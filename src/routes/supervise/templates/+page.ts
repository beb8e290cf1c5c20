import { requireRole } from '$lib/app/guard';
import { SUPERVISOR_ROLES } from '$lib/app/roles';

export const load = async () => ({ user: await requireRole(SUPERVISOR_ROLES) });
