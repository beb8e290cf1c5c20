import { requireRole } from '$lib/client/guard';
import { SYNC_ROLES } from '$lib/client/roles';

export const load = async () => ({ user: await requireRole(SYNC_ROLES) });
