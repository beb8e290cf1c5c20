import { requireRole } from '$lib/client/guard';

export const load = async ({ params }) => ({
	user: await requireRole(['community_head']),
	id: params.id
});
