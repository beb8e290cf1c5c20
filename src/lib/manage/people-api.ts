// The people screens' calls (server/routes/users.ts; docs/administration.md, "People").
import { z } from 'zod';
import { apiRequest } from '$lib/app/api';
import { roleSchema } from '$lib/shared/schemas';
import type { Role } from '$lib/shared/enums';

export const personSchema = z.object({
	id: z.string(),
	username: z.string(),
	displayName: z.string().nullable(),
	phone: z.string().nullable(),
	role: roleSchema,
	scope: z.array(z.object({ code: z.string(), name: z.string() })),
	disabled: z.boolean(),
	lastSyncAt: z.string().nullable()
});
export type Person = z.infer<typeof personSchema>;

const divisionSchema = z.object({ code: z.string(), name: z.string(), level: z.string() });

export const peopleListSchema = z.object({
	division: divisionSchema.extend({ parentCode: z.string().nullable() }),
	children: z.array(divisionSchema),
	grids: z.array(z.object({ id: z.string(), name: z.string() })),
	roles: z.array(roleSchema),
	people: z.array(personSchema)
});
export type PeopleList = z.infer<typeof peopleListSchema>;

export interface NewPersonInput {
	username: string;
	displayName: string | null;
	phone: string | null;
	role: Role;
	scope: string[];
	password: string;
}

export interface PersonChange {
	displayName?: string | null;
	phone?: string | null;
	disabled?: boolean;
	scope?: string[];
}

const enc = encodeURIComponent;

export const peopleApi = {
	list: (code: string | null, token: string) =>
		apiRequest(code ? `/users?code=${enc(code)}` : '/users', peopleListSchema, { token }),
	create: (input: NewPersonInput, token: string) =>
		apiRequest('/users', personSchema, { method: 'POST', body: input, token }),
	change: (id: string, change: PersonChange, token: string) =>
		apiRequest(`/users/${enc(id)}`, personSchema, { method: 'PATCH', body: change, token }),
	resetPassword: (id: string, token: string) =>
		apiRequest(`/users/${enc(id)}/password`, z.object({ password: z.string() }), {
			method: 'POST',
			body: {},
			token
		})
};

/** The level of the one division a role holds; grid workers hold grids. */
export const ROLE_SCOPE_LEVEL: Partial<Record<Role, string>> = {
	community_head: 'community',
	kiosk: 'community',
	volunteer: 'community',
	street_officer: 'street',
	county_officer: 'county',
	city_officer: 'city',
	province_officer: 'province'
};

/** The field an answer of the server names: its `field`, or the word before the message's colon. */
export function errorField(error: unknown): string | null {
	if (!(error instanceof Error)) return null;
	const named = (error as { field?: string }).field;
	return named ?? /^(\w+):/.exec(error.message)?.[1] ?? null;
}
