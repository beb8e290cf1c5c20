// The roll-up tree: a grid sits under its community; a division code's ancestors are its
// 2, 4, 6 and 9-digit prefixes (national statistical division codes).
import { NATION_CODE, type NodeLevel } from '../../src/lib/shared/enums';

const PREFIX_LENGTHS = [2, 4, 6, 9] as const;

/** Every node a grid's figures count towards: the grid, its community and the community's ancestors. */
export function nodesOfGrid(gridId: string, communityCode: string): string[] {
	return [gridId, ...divisionAndAncestors(communityCode)];
}

/** A division code and its ancestors, nearest first. */
export function divisionAndAncestors(code: string): string[] {
	const out = [code];
	for (const n of [...PREFIX_LENGTHS].reverse()) if (n < code.length) out.push(code.slice(0, n));
	return out;
}

/**
 * Level of a node from its code: "00" is the nation, division codes have 2, 4, 6, 9 or 12 digits;
 * anything else is a grid id.
 */
export function levelOf(code: string): NodeLevel {
	if (!/^\d+$/.test(code)) return 'grid';
	if (code === NATION_CODE) return 'nation';
	switch (code.length) {
		case 2:
			return 'province';
		case 4:
			return 'city';
		case 6:
			return 'county';
		case 9:
			return 'street';
		default:
			return 'community';
	}
}

/** The level above a division level, for escalation; null at the province. */
export function parentCode(code: string): string | null {
	const ancestors = divisionAndAncestors(code);
	return ancestors[1] ?? null;
}

/** Upper bound of the code range of a subtree: codes are digits and ':' sorts right after '9'. */
export function subtreeEnd(prefix: string): string {
	return `${prefix}:`;
}
