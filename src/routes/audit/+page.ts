import { requireRole } from '$lib/app/guard';

export const load = async () => ({ user: await requireRole(['community_head', 'admin']) });
