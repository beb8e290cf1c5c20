import { session } from '$lib/client/session.svelte';

export const load = async () => {
	await session.load();
	return {};
};
