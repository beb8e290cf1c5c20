import { redirect } from '@sveltejs/kit';
import { resolve } from '$app/paths';
import { signedInHome } from '$lib/app/guard';

export const load = async () => {
	redirect(307, (await signedInHome()) ?? resolve('/login'));
};
