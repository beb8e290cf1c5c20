import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { homePath, KIOSK_ROLES } from '$lib/app/roles';
import { session } from '$lib/app/session.svelte';

/** An enrolled kiosk (or a volunteer) opens the check-in; whoever else is sent to enrolment or home. */
export const load = async () => {
	await session.load();
	const user = session.user;
	if (!user || user.role === 'admin' || user.role === 'community_head')
		redirect(307, resolve('/kiosk/enrol'));
	if (!KIOSK_ROLES.includes(user.role)) redirect(307, resolve(homePath(user.role)));
	return { user };
};
