import { requireRole } from '$lib/client/guard';
import { SUPERVISOR_ROLES } from '$lib/client/roles';

export const load = async () => ({ user: await requireRole(SUPERVISOR_ROLES) });
