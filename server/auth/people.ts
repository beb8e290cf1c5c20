// How people are named to others (docs/security.md, "Names"): inside the community its own
// people (grid workers, the head, kiosks, volunteers) by their display name; officers and
// administrators, and anyone at all when seen from above the community, by role and level only.

/** Roles whose people work inside one community. */
export const COMMUNITY_ROLES: ReadonlySet<string> = new Set([
	'grid_worker',
	'community_head',
	'kiosk',
	'volunteer'
]);

export interface Person {
	username: string;
	displayName: string | null;
	role: string;
}

/**
 * The name a viewer may see for a person: their display name (their login when they have none)
 * if the viewer works inside the person's community and the person is one of its own people;
 * otherwise null, and the screen shows the role and level.
 */
export function shownName(person: Person | null | undefined, viewerInside: boolean): string | null {
	if (!person || !viewerInside || !COMMUNITY_ROLES.has(person.role)) return null;
	return person.displayName || person.username;
}
