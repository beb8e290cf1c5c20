import { requireRole } from '$lib/app/guard';
import { SYNC_ROLES } from '$lib/app/roles';

export const load = async () => ({ user: await requireRole(SYNC_ROLES) });
