import { redirect } from '@sveltejs/kit';
import { signedInHome } from '$lib/client/guard';

export const load = async ({ url }) => {
	const home = await signedInHome();
	if (home) redirect(307, home);
	return { expired: url.searchParams.has('expired') };
};
