// Creating and changing people (docs/administration.md, "People"): the checks and writes the
// API (server/routes/users.ts) and the command line (`gridcare user add`) share.
import { randomInt } from 'node:crypto';
import { ApiError, invalidInput } from '../api-error';
import { CODE_LENGTH, ROLE_LEVEL, type DivisionLevel, type Role } from '../../src/lib/shared/enums';
import { divisionCodeSchema, shortText } from '../../src/lib/shared/schemas';
import { normalizeMobile } from '../../src/lib/shared/phone';
import { hashPassword } from '../auth/password';
import { passwordWeakness } from '../auth/password-strength';
import type { NewAuditEntry, Store, UserRow } from '../store/types';

/** Who makes a change, as the audit trail records them. */
export type Actor = Pick<NewAuditEntry, 'userId' | 'role' | 'deviceId'>;

export interface NewPerson {
	username: string;
	displayName?: string | null;
	phone?: string | null;
	role: Role;
	scope: string[];
}

/** The level a role's one division code must have; grid workers hold grids, admins any level. */
export function scopeLevel(role: Role): DivisionLevel | null {
	if (role === 'kiosk' || role === 'volunteer') return 'community';
	return ROLE_LEVEL[role] ?? null;
}

/** A one-line text, trimmed; 400 naming `field` otherwise. */
export function checkedText(field: string, value: string, max: number): string {
	const parsed = shortText(max).safeParse(value);
	if (!parsed.success) throw invalidInput(field, parsed.error.issues[0].message);
	return parsed.data;
}

/** A mobile number as its 11 digits, null for none; 400 naming `phone` otherwise. */
export function checkedPhone(value: string | null | undefined): string | null {
	if (value === null || value === undefined || value.trim() === '') return null;
	const mobile = normalizeMobile(value);
	if (!mobile) throw invalidInput('phone', 'not an 11-digit mobile number');
	return mobile;
}

/**
 * Check that `scope` exists and fits `role`: a grid worker's is one or more live grids of one
 * community; a head's, kiosk's or volunteer's one community code; an officer's one code of their
 * level; an administrator's one division code. Answers the division codes the scope lies in
 * (a worker's: the community of their grids). 400 naming `scope` otherwise.
 */
export async function checkScope(store: Store, role: Role, scope: string[]): Promise<string[]> {
	const codes = [...new Set(scope.map((s) => s.trim()).filter(Boolean))];
	if (codes.length === 0) throw invalidInput('scope', 'must not be empty');
	if (role === 'grid_worker') {
		const communities = new Set<string>();
		for (const id of codes) {
			const grid = await store.getGrid(id);
			if (!grid) throw invalidInput('scope', `no grid with id ${id}`);
			if (grid.retiredAt) throw invalidInput('scope', `grid "${grid.name}" is retired`);
			communities.add(grid.communityCode);
		}
		if (communities.size > 1) throw invalidInput('scope', 'the grids must be of one community');
		return [...communities];
	}
	if (codes.length !== 1) throw invalidInput('scope', 'give one division code');
	const [code] = codes;
	// Everything, the nation included (docs/scaling.md): an administrator's only, and
	// administrators are made on the command line (`gridcare user add`), never through the API.
	if (code === '*') {
		if (role !== 'admin') throw invalidInput('scope', "only an administrator's scope may be *");
		return [code];
	}
	const parsed = divisionCodeSchema.safeParse(code);
	if (!parsed.success) throw invalidInput('scope', parsed.error.issues[0].message);
	const division = await store.getDivision(code);
	if (!division) throw invalidInput('scope', `no division with code ${code}`);
	const level = scopeLevel(role);
	if (level && code.length !== CODE_LENGTH[level])
		throw invalidInput('scope', `a ${role} holds one ${level}, not a ${division.level}`);
	return [code];
}

/** The one community a scope lies in, if any (the community head's audit view shows its entries). */
export function communityOf(places: string[]): string | null {
	return places.length === 1 && places[0].length === 12 ? places[0] : null;
}

/**
 * The checks of a new person before their password is asked: username and display name as
 * one-line texts, the username free (409 naming `username`), the phone, the scope fitting the
 * role. Answers the person as stored and where their scope lies.
 */
export async function checkNewPerson(
	store: Store,
	input: NewPerson
): Promise<{ person: NewPerson & { scope: string[] }; places: string[] }> {
	const username = checkedText('username', input.username, 64);
	const displayName =
		input.displayName == null || input.displayName.trim() === ''
			? null
			: checkedText('displayName', input.displayName, 64);
	const phone = checkedPhone(input.phone);
	if (await store.findUserByUsername(username))
		throw new ApiError(409, 'conflict', `username: "${username}" is taken`, 'username');
	const scope = [...new Set(input.scope.map((s) => s.trim()).filter(Boolean))];
	const places = await checkScope(store, input.role, scope);
	return { person: { username, displayName, phone, role: input.role, scope }, places };
}

/** 400 naming `password` unless it is strong enough (server/auth/password-strength.ts). */
export function checkPassword(
	password: string,
	person: Pick<NewPerson, 'username' | 'displayName'>
) {
	const weakness = passwordWeakness(password, [person.username, person.displayName]);
	if (weakness) throw new ApiError(400, 'invalid_input', weakness, 'password');
}

/** Create a checked person (checkNewPerson) with this password, and audit it as `user_created`. */
export async function createPerson(
	store: Store,
	checked: { person: NewPerson & { scope: string[] }; places: string[] },
	password: string,
	actor: Actor
): Promise<UserRow> {
	const { person, places } = checked;
	checkPassword(password, person);
	const created = await store.createUser({
		username: person.username,
		role: person.role,
		scope: person.scope,
		displayName: person.displayName ?? null,
		phone: person.phone ?? null,
		passwordHash: await hashPassword(password)
	});
	await store.appendAudit({
		...actor,
		action: 'user_created',
		subjectType: 'user',
		subjectId: created.id,
		communityCode: communityOf(places),
		reason: null,
		details: { username: created.username, role: created.role, scope: created.scope }
	});
	return created;
}

// Letters and digits nobody misreads when copying from a screen (no 0/o, 1/l/i).
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A generated password: four groups of four, about 79 bits, strong by the one rule. */
export function generatePassword(): string {
	for (;;) {
		const groups = Array.from({ length: 4 }, () =>
			Array.from({ length: 4 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('')
		);
		const password = groups.join('-');
		if (!passwordWeakness(password)) return password;
	}
}

/** Where a person's scope lies: a worker's grids' communities, anyone else's scope codes. */
export async function placesOf(store: Store, user: Pick<UserRow, 'role' | 'scope'>) {
	if (user.role !== 'grid_worker') return user.scope;
	const out = new Set<string>();
	for (const id of user.scope) {
		const grid = await store.getGrid(id);
		if (grid) out.add(grid.communityCode);
	}
	return [...out];
}
