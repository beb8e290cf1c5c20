import { describe, expect, it } from 'vitest';
import { ROLES, SYNC_TABLES, type Role, type SyncTable } from '../../src/lib/shared/enums';
import type { UserRow } from '../store/rows';
import { WriteRefusal, type RefusalKind } from './refusal';
import {
	checkinAssistant,
	requireDeletable,
	requireMovable,
	SYSTEM,
	writeDenial,
	type Actor
} from './rules';

const COMMUNITY_A = '450102001003';
const COMMUNITY_B = '450102001004';
const A1 = { id: 'grid-a1', communityCode: COMMUNITY_A };
const A2 = { id: 'grid-a2', communityCode: COMMUNITY_A };
const B1 = { id: 'grid-b1', communityCode: COMMUNITY_B };

function user(role: Role, scope: string[], more: Partial<UserRow> = {}): UserRow {
	return {
		id: `${role}-${scope.join('+')}`,
		username: role,
		displayName: null,
		phone: null,
		role,
		scope,
		scopeVersion: 0,
		passwordHash: 'unused',
		disabled: false,
		createdAt: new Date('2026-01-01T00:00:00Z'),
		...more
	};
}

/** One user of each role, their scope holding grid a1 or its community (a street, …, the province). */
const IN_A: Record<Role, UserRow> = {
	grid_worker: user('grid_worker', [A1.id]),
	community_head: user('community_head', [COMMUNITY_A]),
	street_officer: user('street_officer', ['450102001']),
	county_officer: user('county_officer', ['450102']),
	city_officer: user('city_officer', ['4501']),
	province_officer: user('province_officer', ['45']),
	kiosk: user('kiosk', [COMMUNITY_A]),
	volunteer: user('volunteer', [COMMUNITY_A]),
	admin: user('admin', ['45'])
};

const OUTSIDE = 'gridId: grid is outside your scope';
const countsOnly = (role: Role) => `role: ${role} sees counts only and cannot change grid data`;
const checkinsOnly = (role: Role) =>
	`table: a ${role} may only record check-ins and the help requests they raise`;

const importOnly = 'table: a street_officer may only import households and residents';

/** What writeDenial answers in grid a1 for each role and table (an incident: a new help request). */
const IN_SCOPE: Record<Role, Record<SyncTable, string | null>> = {
	grid_worker: { households: null, residents: null, visits: null, checkins: null, incidents: null },
	community_head: {
		households: null,
		residents: null,
		visits: null,
		checkins: null,
		incidents: null
	},
	admin: { households: null, residents: null, visits: null, checkins: null, incidents: null },
	kiosk: {
		households: checkinsOnly('kiosk'),
		residents: checkinsOnly('kiosk'),
		visits: checkinsOnly('kiosk'),
		checkins: null,
		incidents: null
	},
	volunteer: {
		households: checkinsOnly('volunteer'),
		residents: checkinsOnly('volunteer'),
		visits: checkinsOnly('volunteer'),
		checkins: null,
		incidents: null
	},
	// The roster import: households and residents of the street's communities, nothing else.
	street_officer: {
		households: null,
		residents: null,
		visits: importOnly,
		checkins: importOnly,
		incidents: importOnly
	},
	county_officer: Object.fromEntries(
		SYNC_TABLES.map((t) => [t, countsOnly('county_officer')])
	) as Record<SyncTable, string>,
	city_officer: Object.fromEntries(
		SYNC_TABLES.map((t) => [t, countsOnly('city_officer')])
	) as Record<SyncTable, string>,
	province_officer: Object.fromEntries(
		SYNC_TABLES.map((t) => [t, countsOnly('province_officer')])
	) as Record<SyncTable, string>
};

/** The refusal `fn` throws: its message and kind. */
function refusalOf(fn: () => unknown): { message: string; kind: RefusalKind } | null {
	try {
		fn();
		return null;
	} catch (error) {
		if (!(error instanceof WriteRefusal)) throw error;
		return { message: error.message, kind: error.kind };
	}
}

describe('writeDenial: role × table × grid', () => {
	for (const role of ROLES)
		for (const table of SYNC_TABLES)
			it(`${role} writing ${table} in a grid of their scope: ${IN_SCOPE[role][table] ?? 'allowed'}`, () => {
				const category = table === 'incidents' ? 'help_request' : undefined;
				expect(writeDenial(IN_A[role], A1, table, category)).toBe(IN_SCOPE[role][table]);
			});

	it('keeps every role that may write out of another community’s grid', () => {
		for (const role of ['community_head', 'kiosk', 'volunteer'] as const)
			for (const table of ['checkins', 'incidents'] as const)
				expect(writeDenial(IN_A[role], B1, table, 'health'), `${role} ${table}`).toBe(OUTSIDE);
		expect(writeDenial(IN_A.grid_worker, B1, 'visits')).toBe(OUTSIDE);
		expect(writeDenial(user('admin', ['11']), A1, 'households')).toBe(OUTSIDE);
		expect(writeDenial(user('admin', ['*']), B1, 'households')).toBeNull();
	});

	it('lets a street officer import households and residents in their street only', () => {
		const street = IN_A.street_officer;
		for (const table of ['households', 'residents'] as const) {
			expect(writeDenial(street, A2, table)).toBeNull();
			// 450102001004 is another community of the same street.
			expect(writeDenial(street, B1, table)).toBeNull();
			expect(writeDenial(street, { id: 'grid-c1', communityCode: '450102002001' }, table)).toBe(
				OUTSIDE
			);
			expect(writeDenial(user('street_officer', ['450102002']), A1, table)).toBe(OUTSIDE);
		}
		expect(writeDenial(street, A1, 'incidents')).toBe(importOnly);
	});

	it('holds a grid worker to their own grids, even in their community', () => {
		expect(writeDenial(IN_A.grid_worker, A2, 'households')).toBe(OUTSIDE);
		expect(writeDenial(user('grid_worker', [A1.id, A2.id]), A2, 'households')).toBeNull();
		// A head's scope covers every grid of the community.
		expect(writeDenial(IN_A.community_head, A2, 'households')).toBeNull();
	});

	it('lets a kiosk or volunteer raise only help requests and health alerts, never update incidents', () => {
		for (const role of ['kiosk', 'volunteer'] as const) {
			expect(writeDenial(IN_A[role], A1, 'incidents', 'help_request')).toBeNull();
			expect(writeDenial(IN_A[role], A1, 'incidents', 'health')).toBeNull();
			for (const category of ['safety', 'environment', 'dispute', 'other'] as const)
				expect(writeDenial(IN_A[role], A1, 'incidents', category)).toBe(checkinsOnly(role));
			// An update of an incident names no category.
			expect(writeDenial(IN_A[role], A1, 'incidents')).toBe(checkinsOnly(role));
		}
	});

	it('lets no one write in a retired grid, and keeps the role refusal first', () => {
		const retired = { ...A1, retired: true };
		for (const role of ROLES)
			for (const table of SYNC_TABLES) {
				const expected = IN_SCOPE[role][table] ?? 'gridId: the grid has been retired';
				expect(writeDenial(IN_A[role], retired, table, 'health'), `${role} ${table}`).toBe(
					expected
				);
			}
		expect(writeDenial(IN_A.community_head, { ...A1, retired: false }, 'households')).toBeNull();
	});
});

describe('requireDeletable', () => {
	const actors: Actor[] = [...ROLES.map((role) => IN_A[role]), SYSTEM];
	for (const actor of actors)
		for (const table of SYNC_TABLES) {
			const expected =
				table === 'incidents'
					? {
							message: 'op: incidents are closed through their status, not deleted',
							kind: 'invalid'
						}
					: actor.role === 'community_head' || actor.role === 'system'
						? null
						: { message: `op: only the community head deletes ${table}`, kind: 'forbidden' };
			it(`${actor.role} deleting ${table}: ${expected ? expected.kind : 'allowed'}`, () => {
				expect(refusalOf(() => requireDeletable(actor, table))).toEqual(expected);
			});
		}
});

describe('checkinAssistant: a check-in’s channel and helper', () => {
	const worker = IN_A.grid_worker;
	const head = IN_A.community_head;
	const kiosk = IN_A.kiosk;
	const volunteer = IN_A.volunteer;
	const invalid = (message: string) => ({ message, kind: 'invalid' });

	it('records a kiosk check-in from a kiosk only, with no helper', () => {
		expect(checkinAssistant(kiosk, { channel: 'kiosk' }, A1, null)).toBeNull();
		for (const actor of [worker, head, volunteer])
			expect(refusalOf(() => checkinAssistant(actor, { channel: 'kiosk' }, A1, null))).toEqual(
				invalid('fields.channel: only a kiosk records a "kiosk" check-in')
			);
		expect(
			refusalOf(() =>
				checkinAssistant(kiosk, { channel: 'kiosk', assistedBy: worker.id }, A1, worker)
			)
		).toEqual(invalid('fields.assistedBy: only an "assisted" check-in names a helper'));
	});

	it('records a worker check-in from the staff’s own devices, never from a kiosk', () => {
		expect(checkinAssistant(worker, { channel: 'worker' }, A1, null)).toBeNull();
		expect(checkinAssistant(head, { channel: 'worker' }, A1, null)).toBeNull();
		expect(refusalOf(() => checkinAssistant(kiosk, { channel: 'worker' }, A1, null))).toEqual(
			invalid('fields.channel: a kiosk records "kiosk" check-ins')
		);
		expect(refusalOf(() => checkinAssistant(volunteer, { channel: 'worker' }, A1, null))).toEqual(
			invalid('fields.channel: a volunteer records "assisted" check-ins')
		);
	});

	it('names the recorder as the helper of an assisted check-in made on their own device', () => {
		expect(checkinAssistant(volunteer, { channel: 'assisted' }, A1, null)).toBe(volunteer.id);
		expect(
			checkinAssistant(worker, { channel: 'assisted', assistedBy: worker.id }, A1, worker)
		).toBe(worker.id);
		expect(
			refusalOf(() =>
				checkinAssistant(worker, { channel: 'assisted', assistedBy: head.id }, A1, head)
			)
		).toEqual(
			invalid('fields.assistedBy: only a kiosk records a check-in assisted by someone else')
		);
	});

	it('on a kiosk, accepts as helper only someone who may record check-ins in the grid', () => {
		const assisted =
			(helper: UserRow | null, assistedBy = helper?.id) =>
			() =>
				checkinAssistant(kiosk, { channel: 'assisted', assistedBy }, A1, helper);
		expect(assisted(volunteer)()).toBe(volunteer.id);
		expect(assisted(worker)()).toBe(worker.id);
		expect(assisted(head)()).toBe(head.id);
		expect(refusalOf(assisted(null, undefined))).toEqual(
			invalid('fields.assistedBy: required for an assisted check-in')
		);
		const refused = invalid(
			"fields.assistedBy: not a volunteer of this resident's community or a worker of the resident's grid"
		);
		// Unknown, disabled, not an assisting role, or outside the resident's grid or community.
		expect(refusalOf(assisted(null, 'nobody'))).toEqual(refused);
		expect(refusalOf(assisted(user('volunteer', [COMMUNITY_A], { disabled: true })))).toEqual(
			refused
		);
		expect(refusalOf(assisted(IN_A.admin))).toEqual(refused);
		expect(refusalOf(assisted(IN_A.street_officer))).toEqual(refused);
		expect(refusalOf(assisted(user('grid_worker', [A2.id])))).toEqual(refused);
		expect(refusalOf(assisted(user('volunteer', [COMMUNITY_B])))).toEqual(refused);
		expect(refusalOf(assisted(user('community_head', [COMMUNITY_B])))).toEqual(refused);
	});
});

describe('moving a household between grids', () => {
	const forbidden = (message: string) => ({ message, kind: 'forbidden' });
	const move = (actor: Actor, from: typeof A1, to: typeof A1) => () =>
		requireMovable(actor, from, to);

	it('needs the right to write households in both grids', () => {
		const worker = user('grid_worker', [A1.id, A2.id]);
		expect(refusalOf(move(worker, A1, A2))).toBeNull();
		expect(refusalOf(move(IN_A.grid_worker, A1, A2))).toEqual(
			forbidden('toGridId: grid is outside your scope')
		);
		expect(refusalOf(move(IN_A.grid_worker, A2, A1))).toEqual(
			forbidden("householdIds: the household's grid is outside your scope")
		);
		// A community head within the community; across communities only a scope covering both.
		expect(refusalOf(move(IN_A.community_head, A1, A2))).toBeNull();
		expect(refusalOf(move(IN_A.community_head, A1, B1))).toEqual(
			forbidden('toGridId: grid is outside your scope')
		);
		expect(refusalOf(move(IN_A.street_officer, A1, B1))).toBeNull();
		expect(refusalOf(move(IN_A.admin, A1, B1))).toBeNull();
		expect(refusalOf(move(SYSTEM, A1, B1))).toBeNull();
		for (const role of ['kiosk', 'volunteer', 'county_officer'] as const)
			expect(refusalOf(move(IN_A[role], A1, A2))?.kind).toBe('forbidden');
	});
});
