// Route guards for load functions. They decide what to show; the server decides what is allowed.
import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import type { Role } from '$lib/shared/enums';
import { lock } from '$lib/privacy/lock.svelte';
import { homePath } from './roles';
import { session } from './session.svelte';
import type { SessionUser } from './types';

/** The signed-in user when their role may open this screen; otherwise a redirect. */
export async function requireRole(roles: Role[]): Promise<SessionUser> {
	// The lock may end a saved session that has no PIN yet (its data key cannot be opened).
	await lock.load();
	const user = session.user;
	if (!user) redirect(307, resolve('/login'));
	if (!roles.includes(user.role)) redirect(307, resolve(homePath(user.role, session.rollupOnly)));
	return user;
}

/** Where `/` and `/login` send someone who is already signed in, or null. */
export async function signedInHome(): Promise<string | null> {
	await lock.load();
	return session.user ? resolve(homePath(session.user.role, session.rollupOnly)) : null;
}
