import { requireRole } from '$lib/app/guard';
import { WORKER_ROLES } from '$lib/app/roles';
import { mapSettings } from '$lib/map/map-settings.svelte';

export const load = async ({ url }) => {
	const [user] = await Promise.all([requireRole(WORKER_ROLES), mapSettings.load()]);
	return { user, gridId: url.searchParams.get('grid') };
};
