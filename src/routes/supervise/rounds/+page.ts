import { requireRole } from '$lib/client/guard';

export const load = async () => ({ user: await requireRole(['community_head']) });
