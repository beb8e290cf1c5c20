import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { signedInHome } from '$lib/client/guard';

export const load = async () => {
	redirect(307, (await signedInHome()) ?? resolve('/login'));
};
