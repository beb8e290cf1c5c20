import { requireRole } from '$lib/app/guard';

export const load = async ({ params }) => ({
	user: await requireRole(['community_head']),
	id: params.id
});
