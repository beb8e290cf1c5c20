// Division and grid nodes: from the server when it answers, otherwise the copy saved on
// this device the last time it did.
import { ApiError, api } from './api';
import { network } from './network.svelte';
import { session } from './session.svelte';
import { NATION_CODE } from '$lib/shared/enums';
import type { DivisionNode } from './types';

export interface NodeResult {
	node: DivisionNode;
	/** Set when the node comes from the device because the server could not be reached. */
	savedAt: string | null;
}

export async function loadNode(code: string): Promise<NodeResult> {
	const token = session.token;
	if (!token) throw new ApiError('unauthorized', null, 'not signed in');

	if (network.online) {
		try {
			const node = await api.division(code, token);
			await session.rememberNode(node);
			return { node, savedAt: null };
		} catch (error) {
			if (!(error instanceof ApiError) || error.kind !== 'offline') throw error;
		}
	}
	const cached = session.cachedNode(code);
	if (cached) return { node: cached.node, savedAt: cached.savedAt };
	throw new ApiError('offline', null, `no saved copy of ${code}`);
}

/**
 * The chain of nodes from `stopAt` (or the top of the tree) down to `node`, for breadcrumbs.
 * Ancestors come from the device when saved there, so drilling back up costs no request.
 */
export async function loadAncestors(
	node: DivisionNode,
	stopAt: string | null
): Promise<DivisionNode[]> {
	const chain: DivisionNode[] = [node];
	let current = node;
	while (current.code !== stopAt) {
		// Provinces have no parent in the tree; the nation (00) stands above them for whoever
		// starts there (scope '*').
		const parentCode =
			current.parentCode ??
			(stopAt === NATION_CODE && current.level === 'province' ? NATION_CODE : null);
		if (!parentCode) break;
		const parent = session.cachedNode(parentCode)?.node ?? (await loadNode(parentCode)).node;
		chain.unshift(parent);
		current = parent;
	}
	return chain;
}
