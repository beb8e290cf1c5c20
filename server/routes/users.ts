// People's administration in the app (docs/administration.md, "People"): list, create, change,
// disable and enable, reset a password. Who may manage whom: server/people/rules.ts.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { ROLES } from '../../src/lib/shared/enums';
import { divisionCodeSchema, safeText } from '../../src/lib/shared/schemas';
import { forbidden, invalidInput, notFound } from '../api-error';
import { requireAuth } from '../auth/middleware';
import type { AppEnv } from '../context';
import { audit } from '../privacy/access';
import {
	checkedPhone,
	checkedText,
	checkNewPerson,
	checkScope,
	communityOf,
	createPerson,
	generatePassword,
	placesOf
} from '../people/people';
import { managedRoles, mayManage, type Manager } from '../people/rules';
import { hashPassword } from '../auth/password';
import type { GridRow, Store, UserRow } from '../store/types';
import type { PersonRow } from '../store/people';
import { AUTH_ERRORS, errorResponse } from './errors';
import { router } from './router';

const scopeNodeSchema = z.object({ code: z.string(), name: z.string() });

const personSchema = z
	.object({
		id: z.string(),
		username: z.string(),
		displayName: z.string().nullable(),
		phone: z.string().nullable(),
		role: z.enum(ROLES),
		scope: z.array(scopeNodeSchema).openapi({ description: 'Grids, or one division, by name' }),
		disabled: z.boolean(),
		lastSyncAt: z
			.string()
			.nullable()
			.openapi({ description: 'Latest sync of any of their devices' })
	})
	.openapi('Person');

const divisionSchema = z.object({ code: z.string(), name: z.string(), level: z.string() });

const listRoute = createRoute({
	method: 'get',
	path: '/users',
	tags: ['users'],
	summary: 'The people of a division the caller manages, and what the caller may create there',
	description:
		'Administrators, county and street officers and community heads. `code` defaults to a ' +
		"head's community and to the first division of anyone else's scope.",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { query: z.object({ code: divisionCodeSchema.optional() }) },
	responses: {
		200: {
			description: 'The division, its children, its live grids and its people',
			content: {
				'application/json': {
					schema: z.object({
						division: divisionSchema.extend({ parentCode: z.string().nullable() }),
						children: z.array(divisionSchema),
						grids: z.array(z.object({ id: z.string(), name: z.string() })),
						roles: z.array(z.enum(ROLES)).openapi({ description: 'Roles the caller may create' }),
						people: z.array(personSchema)
					})
				}
			}
		},
		...AUTH_ERRORS,
		404: errorResponse('No such division')
	}
});

const createBody = z
	.object({
		username: z.string(),
		displayName: z.string().nullable().optional(),
		phone: z.string().nullable().optional(),
		role: z.enum(ROLES),
		scope: z
			.array(safeText().max(64))
			.max(200)
			.openapi({ description: "A grid worker's grid ids, or one division code" }),
		password: z.string().max(1024)
	})
	.strict();

const createRoute_ = createRoute({
	method: 'post',
	path: '/users',
	tags: ['users'],
	summary: 'Create a person (the password must be strong: server/auth/password-strength.ts)',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { body: { content: { 'application/json': { schema: createBody } }, required: true } },
	responses: {
		201: { description: 'Created', content: { 'application/json': { schema: personSchema } } },
		400: errorResponse('Invalid field, named'),
		...AUTH_ERRORS,
		409: errorResponse('username: taken')
	}
});

const idParams = z.object({ id: safeText().min(1).max(64) });

const patchBody = z
	.object({
		displayName: z.string().nullable().optional(),
		phone: z.string().nullable().optional(),
		disabled: z.boolean().optional(),
		scope: z.array(safeText().max(64)).max(200).optional()
	})
	.strict();

const patchRoute = createRoute({
	method: 'patch',
	path: '/users/{id}',
	tags: ['users'],
	summary: 'Change a person’s name, phone or scope, or disable or enable them',
	description:
		'Disabling ends their sessions at once. A changed scope raises their scope version: their ' +
		'devices download their scope again.',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		params: idParams,
		body: { content: { 'application/json': { schema: patchBody } }, required: true }
	},
	responses: {
		200: { description: 'Changed', content: { 'application/json': { schema: personSchema } } },
		400: errorResponse('Invalid field, named'),
		...AUTH_ERRORS,
		404: errorResponse('No such person')
	}
});

const passwordRoute = createRoute({
	method: 'post',
	path: '/users/{id}/password',
	tags: ['users'],
	summary: 'Reset a person’s password: a generated one, answered once; their sessions end',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { params: idParams },
	responses: {
		200: {
			description: 'The new password, shown once',
			content: { 'application/json': { schema: z.object({ password: z.string() }) } }
		},
		...AUTH_ERRORS,
		404: errorResponse('No such person')
	}
});

const manager = (user: UserRow): Manager => ({ role: user.role, scope: user.scope });

/** 403 unless the caller manages anyone at all. */
function requireManager(user: UserRow): void {
	if (managedRoles(manager(user)).length === 0)
		throw forbidden('role', `a ${user.role} does not manage people`);
}

/** The person `id` when the caller may manage them (404, 403 otherwise), and where they are. */
async function managedPerson(store: Store, caller: UserRow, id: string) {
	const person = await store.getUser(id);
	if (!person) throw notFound('id', 'no such person');
	const places = await placesOf(store, person);
	if (!mayManage(manager(caller), { role: person.role, places }))
		throw forbidden('id', 'this person is not yours to manage');
	return { person, places };
}

/** Names of scope codes and grids, for the screens. */
async function scopeNames(store: Store, person: Pick<UserRow, 'role' | 'scope'>) {
	const out: { code: string; name: string }[] = [];
	for (const code of person.scope) {
		if (person.role === 'grid_worker') {
			const grid = await store.getGrid(code);
			out.push({ code, name: grid?.name ?? code });
		} else {
			const division = code === '*' ? null : await store.getDivision(code);
			out.push({ code, name: division?.name ?? code });
		}
	}
	return out;
}

async function shown(store: Store, person: UserRow, lastSyncAt: Date | null = null) {
	return {
		id: person.id,
		username: person.username,
		displayName: person.displayName,
		phone: person.phone,
		role: person.role,
		scope: await scopeNames(store, person),
		disabled: person.disabled,
		lastSyncAt: lastSyncAt?.toISOString() ?? null
	};
}

function defaultCode(user: UserRow): string | undefined {
	return user.scope.find((code) => code !== '*' && /^\d+$/.test(code));
}

/** Where a person's scope lies, with the grids already read. */
function placesIn(person: PersonRow, grids: Map<string, GridRow>): string[] {
	if (person.role !== 'grid_worker') return person.scope;
	return [...new Set(person.scope.map((id) => grids.get(id)?.communityCode ?? ''))].filter(Boolean);
}

function auditChange(
	c: Context<AppEnv>,
	action: 'user_updated' | 'user_disabled' | 'user_enabled' | 'password_reset',
	person: UserRow,
	places: string[],
	details: Record<string, unknown>
) {
	return audit(c, {
		action,
		subjectType: 'user',
		subjectId: person.id,
		communityCode: communityOf(places),
		reason: null,
		details: { username: person.username, ...details }
	});
}

export const userRoutes = router()
	.openapi(listRoute, async (c) => {
		const { store } = c.var.services;
		const caller = c.var.principal.user;
		requireManager(caller);
		const code = c.req.valid('query').code ?? defaultCode(caller);
		if (!code) throw invalidInput('code', 'give a division code');
		if (!caller.scope.some((root) => root === '*' || code.startsWith(root)))
			throw forbidden('code', `"${code}" is outside your scope`);
		const division = await store.getDivision(code);
		if (!division) throw notFound('code', `no division "${code}"`);
		const grids = await store.people().gridsUnder(code);
		const byId = new Map(grids.map((g) => [g.id, g]));
		const people = [];
		for (const person of await store.people().all()) {
			const places = placesIn(person, byId);
			if (places.length === 0 || !places.every((p) => p.startsWith(code))) continue;
			if (!mayManage(manager(caller), { role: person.role, places })) continue;
			people.push(await shown(store, person, person.lastSyncAt));
		}
		const children = await store.childDivisions(code);
		return c.json(
			{
				division: {
					code: division.code,
					name: division.name,
					level: division.level,
					parentCode: division.parentCode
				},
				children: children.map((d) => ({ code: d.code, name: d.name, level: d.level })),
				grids:
					division.level === 'community'
						? grids.filter((g) => !g.retiredAt).map((g) => ({ id: g.id, name: g.name }))
						: [],
				roles: [...managedRoles(manager(caller))],
				people
			},
			200
		);
	})
	.openapi(createRoute_, async (c) => {
		const { store } = c.var.services;
		const caller = c.var.principal.user;
		requireManager(caller);
		const body = c.req.valid('json');
		if (!managedRoles(manager(caller)).includes(body.role))
			throw invalidInput('role', `a ${caller.role} does not create a ${body.role}`);
		const checked = await checkNewPerson(store, body);
		if (!mayManage(manager(caller), { role: body.role, places: checked.places }))
			throw forbidden('scope', 'outside your scope');
		const created = await createPerson(store, checked, body.password, {
			userId: caller.id,
			role: caller.role,
			deviceId: c.var.principal.deviceId
		});
		return c.json(await shown(store, created), 201);
	})
	.openapi(patchRoute, async (c) => {
		const { store, now } = c.var.services;
		const caller = c.var.principal.user;
		requireManager(caller);
		const { id } = c.req.valid('param');
		const body = c.req.valid('json');
		const { person, places } = await managedPerson(store, caller, id);
		const change: {
			displayName?: string | null;
			phone?: string | null;
			disabled?: boolean;
			scope?: string[];
		} = {};
		if (body.displayName !== undefined)
			change.displayName =
				body.displayName === null || body.displayName.trim() === ''
					? null
					: checkedText('displayName', body.displayName, 64);
		if (body.phone !== undefined) change.phone = checkedPhone(body.phone);
		let newPlaces = places;
		if (body.scope !== undefined) {
			const scope = [...new Set(body.scope.map((s) => s.trim()).filter(Boolean))];
			newPlaces = await checkScope(store, person.role, scope);
			if (!mayManage(manager(caller), { role: person.role, places: newPlaces }))
				throw forbidden('scope', 'outside your scope');
			change.scope = scope;
		}
		if (body.disabled !== undefined) change.disabled = body.disabled;
		const updated = await store.people().updateUser(person.id, change);
		if (!updated) throw notFound('id', 'no such person');
		const changed = (['displayName', 'phone', 'scope'] as const).filter(
			(f) => change[f] !== undefined && JSON.stringify(change[f]) !== JSON.stringify(person[f])
		);
		if (changed.length > 0)
			await auditChange(c, 'user_updated', updated, newPlaces, {
				fields: changed,
				...(changed.includes('scope') ? { scope: updated.scope, before: person.scope } : {})
			});
		if (body.disabled !== undefined && body.disabled !== person.disabled) {
			const endedSessions = body.disabled ? await store.people().endSessions(person.id, now()) : 0;
			await auditChange(c, body.disabled ? 'user_disabled' : 'user_enabled', updated, newPlaces, {
				...(body.disabled ? { endedSessions } : {})
			});
		}
		return c.json(await shown(store, updated), 200);
	})
	.openapi(passwordRoute, async (c) => {
		const { store, now } = c.var.services;
		const caller = c.var.principal.user;
		requireManager(caller);
		const { id } = c.req.valid('param');
		const { person, places } = await managedPerson(store, caller, id);
		const password = generatePassword();
		await store.people().updateUser(person.id, { passwordHash: await hashPassword(password) });
		const endedSessions = await store.people().endSessions(person.id, now());
		// A forgotten password often comes after failed tries: the new one works at once.
		await store.clearLoginFailures(person.username);
		await auditChange(c, 'password_reset', person, places, { endedSessions });
		return c.json({ password }, 200);
	});
