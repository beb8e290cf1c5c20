import { redirect } from '@sveltejs/kit';
import { signedInHome } from '$lib/app/guard';

export const load = async ({ url }) => {
	const home = await signedInHome();
	if (home) redirect(307, home);
	return { expired: url.searchParams.has('expired') };
};
