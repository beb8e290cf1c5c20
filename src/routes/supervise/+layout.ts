import { requireRole } from '$lib/app/guard';
import { session } from '$lib/app/session.svelte';
import { supervisorRoles } from '$lib/app/roles';

export const load = async () => {
	// Who may open these screens depends on the server the session is on (roles.ts).
	await session.load();
	return { user: await requireRole(supervisorRoles(session.rollupOnly)) };
};
