// A node of the division tree (or a grid) as the caller may see it: lookup with scope, its
// children, and who runs a community.
import type { UserRow } from '../store/types';
import type { Store } from '../store/types';
import { canSeeDivision, canSeeGrid } from './scope';
import { NATION_CODE, type NodeLevel } from '../../src/lib/shared/enums';
import { forbidden, notFound } from '../api-error';

export interface ResolvedNode {
	code: string;
	name: string;
	level: NodeLevel;
	/** The community of a grid, the code itself for a division. */
	communityCode: string | null;
	/** The division above (a grid's: its community); null at the top. */
	parentCode: string | null;
	/** A grid's GeoJSON outline, when it has one. */
	boundary?: unknown;
}

/** A grid id or a division code, if it exists (404) and the user may see it (403). */
export async function lookupNode(
	store: Store,
	user: UserRow,
	code: string,
	field = 'code'
): Promise<ResolvedNode> {
	const missing = () => notFound(field, `no division or grid "${code}"`);
	const outside = () => forbidden(field, `"${code}" is outside your scope`);
	if (code === NATION_CODE) {
		// The nation, above the provinces: for whoever may see every division.
		if (!user.scope.includes('*')) throw outside();
		return { code, name: '全国', level: 'nation', communityCode: null, parentCode: null };
	}
	if (/^\d+$/.test(code)) {
		const division = await store.getDivision(code);
		if (!division) throw missing();
		if (!canSeeDivision(user, code)) throw outside();
		return {
			code,
			name: division.name,
			level: division.level,
			communityCode: division.level === 'community' ? code : null,
			parentCode: division.parentCode
		};
	}
	const grid = await store.getGrid(code);
	if (!grid) throw missing();
	if (!canSeeGrid(user, grid)) throw outside();
	return {
		code: grid.id,
		name: grid.name,
		level: 'grid',
		communityCode: grid.communityCode,
		parentCode: grid.communityCode,
		...(grid.boundary ? { boundary: grid.boundary } : {})
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

/** A community the user may see (404 when the code is a division of another level). */
export async function lookupCommunity(
	store: Store,
	user: UserRow,
	code: string
): Promise<ResolvedNode> {
	const node = await lookupNode(store, user, code);
	if (node.level !== 'community') throw notFound('code', `"${code}" is not a community`);
	return node;
}
