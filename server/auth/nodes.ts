// A node of the division tree (or a grid) as the caller may see it: lookup with scope, its
// children, and who runs a community.
import type { UserRow } from '../store/types';
import type { Store } from '../store/types';
import { canSeeDivision, canSeeGrid } from './scope';
import type { NodeLevel } from '../../src/lib/shared/enums';

export interface ResolvedNode {
	code: string;
	name: string;
	level: NodeLevel;
	/** The community of a grid, the code itself for a division. */
	communityCode: string | null;
}

export type NodeLookup =
	| { ok: true; node: ResolvedNode }
	| { ok: false; status: 403 | 404; body: { error: string; message: string } };

/** A grid id or a division code, if it exists and the user may see it. */
export async function lookupNode(
	store: Store,
	user: UserRow,
	code: string,
	field = 'code'
): Promise<NodeLookup> {
	const notFound = {
		ok: false as const,
		status: 404 as const,
		body: { error: 'not_found', message: `${field}: no division or grid "${code}"` }
	};
	const forbidden = {
		ok: false as const,
		status: 403 as const,
		body: { error: 'forbidden', message: `${field}: "${code}" is outside your scope` }
	};
	if (/^\d+$/.test(code)) {
		const division = await store.getDivision(code);
		if (!division) return notFound;
		if (!canSeeDivision(user, code)) return forbidden;
		return {
			ok: true,
			node: {
				code,
				name: division.name,
				level: division.level,
				communityCode: division.level === 'community' ? code : null
			}
		};
	}
	const grid = await store.getGrid(code);
	if (!grid) return notFound;
	if (!canSeeGrid(user, grid)) return forbidden;
	return {
		ok: true,
		node: { code: grid.id, name: grid.name, level: 'grid', communityCode: grid.communityCode }
	};
}

/** Children of a node for the roll-up: a community's children are its grids. */
export async function childrenOf(store: Store, node: ResolvedNode) {
	if (node.level === 'grid') return [];
	if (node.level === 'community')
		return (await store.gridsOfCommunity(node.code)).map((g) => ({
			code: g.id,
			name: g.name,
			level: 'grid' as NodeLevel
		}));
	return (await store.childDivisions(node.code)).map((d) => ({
		code: d.code,
		name: d.name,
		level: d.level as NodeLevel
	}));
}

/** Who runs a community: its head, or an administrator whose scope covers it. */
export function runsCommunity(user: UserRow, communityCode: string): boolean {
	return (
		(user.role === 'community_head' || user.role === 'admin') && canSeeDivision(user, communityCode)
	);
}
