import { session } from '$lib/app/session.svelte';

export const load = async () => {
	await session.load();
	return {};
};
