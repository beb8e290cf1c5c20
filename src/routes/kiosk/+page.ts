import { requireRole } from '$lib/client/guard';
import { KIOSK_ROLES } from '$lib/client/roles';

export const load = async () => ({ user: await requireRole(KIOSK_ROLES) });
