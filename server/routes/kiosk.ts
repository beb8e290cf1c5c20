// The elderly residents' kiosk at a community service centre.
//
// Enrolment: an administrator or the community head, signed in on the kiosk, enrols it to a
// community. The server creates a `kiosk` user scoped to that community (its password is random
// and never shown: the kiosk never signs in by name) and a long-lived session for this device;
// the kiosk then runs with no person signed in, offline most of the time.
//
// Directory: what the kiosk needs to find a resident without typing a name, and nothing more:
// masked names and the last 4 characters of the ID number of the residents who check in daily.
// No full ID numbers, phones or health history; the kiosk role receives no change log either
// (server/sync/scope.ts).
import { randomBytes } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import { shortText } from '../../src/lib/shared/schemas';
import { maskName } from '../../src/lib/shared/mask';
import { requireAuth } from '../auth/middleware';
import { hashPassword } from '../auth/password';
import { canSeeDivision } from '../auth/scope';
import { newToken, tokenHash } from '../auth/tokens';
import { publicUserSchema } from './auth';
import { AUTH_ERRORS, errorResponse } from './errors';
import { router } from './router';
import { newDeviceKey } from './auth';

/** A kiosk stays enrolled for a year; an administrator revokes it by disabling its user. */
export const KIOSK_SESSION_DAYS = 365;

const enrolBody = z
	.object({
		communityCode: z
			.string()
			.regex(/^\d{12}$/, 'a 12-digit community code')
			.openapi({ example: '450102001003' }),
		deviceId: shortText(64),
		name: shortText(64).optional().openapi({ description: 'Where the kiosk stands' })
	})
	.strict();

const enrolRoute = createRoute({
	method: 'post',
	path: '/kiosks',
	tags: ['kiosk'],
	summary: 'Enrol this device as the check-in kiosk of a community',
	description:
		'Administrator or community head only. Answers a long-lived session of a new `kiosk` user ' +
		'scoped to the community; the device stores it in place of the enroller’s session.',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { body: { content: { 'application/json': { schema: enrolBody } }, required: true } },
	responses: {
		201: {
			description: 'Enrolled',
			content: {
				'application/json': {
					schema: z.object({
						token: z.string(),
						expiresAt: z.string(),
						deviceKey: z.string(),
						user: publicUserSchema
					})
				}
			}
		},
		400: errorResponse('Invalid body, or a deviceId other than the session’s device'),
		...AUTH_ERRORS,
		403: errorResponse('Not an enroller of this community, or the device has been revoked')
	}
});

const directoryEntry = z
	.object({
		residentId: z.string(),
		householdId: z.string(),
		gridId: z.string(),
		maskedName: z.string().openapi({ example: '张*明' }),
		idTail: z.string().nullable().openapi({ description: 'Last 4 characters of the ID number' })
	})
	.openapi('KioskDirectoryEntry');

const directoryRoute = createRoute({
	method: 'get',
	path: '/kiosk/directory',
	tags: ['kiosk'],
	summary: 'Residents of the kiosk’s community who check in daily: masked names and ID tails',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	responses: {
		200: {
			description: 'The directory of the caller’s community',
			content: {
				'application/json': {
					schema: z.object({
						communityCode: z.string(),
						residents: z.array(directoryEntry)
					})
				}
			}
		},
		...AUTH_ERRORS
	}
});

export const kioskRoutes = router()
	.openapi(enrolRoute, async (c) => {
		const { store, now } = c.var.services;
		const { user } = c.var.principal;
		const { communityCode, deviceId, name } = c.req.valid('json');
		if (user.role !== 'admin' && user.role !== 'community_head')
			return c.json(
				{
					error: 'forbidden',
					message: 'role: only an administrator or community head enrols a kiosk'
				},
				403
			);
		if (!canSeeDivision(user, communityCode))
			return c.json(
				{ error: 'forbidden', message: 'communityCode: community is outside your scope' },
				403
			);
		const community = await store.getDivision(communityCode);
		if (!community || community.level !== 'community')
			return c.json(
				{
					error: 'invalid_input',
					field: 'communityCode',
					message: 'communityCode: no such community'
				},
				400
			);
		// The kiosk's session belongs to the device the enroller signed in on, and only while that
		// device may sign in at all.
		if (deviceId !== c.var.principal.deviceId)
			return c.json(
				{
					error: 'invalid_input',
					field: 'deviceId',
					message: 'deviceId: not the device this session was opened on'
				},
				400
			);
		if (await store.deviceRevoked(deviceId))
			return c.json(
				{ error: 'revoked', message: 'deviceId: this device has been revoked by an administrator' },
				403
			);
		const kiosk = await store.createUser({
			username: `kiosk-${communityCode}-${randomBytes(4).toString('hex')}`,
			displayName: name ?? community.name,
			role: 'kiosk',
			scope: [communityCode],
			// Nobody signs in as a kiosk: the password is random and thrown away.
			passwordHash: await hashPassword(randomBytes(24).toString('base64url'))
		});
		const token = newToken();
		const created = now();
		const expiresAt = new Date(created.getTime() + KIOSK_SESSION_DAYS * 86_400_000);
		await store.createSession({
			id: crypto.randomUUID(),
			tokenHash: tokenHash(token),
			userId: kiosk.id,
			deviceId,
			createdAt: created,
			expiresAt
		});
		// The same answer as a sign-in, so the device treats the kiosk's session like any other.
		const deviceKey = await store.deviceKey(kiosk.id, deviceId, newDeviceKey(), created);
		await store.appendAudit({
			userId: user.id,
			role: user.role,
			action: 'kiosk.enrol',
			subjectType: 'user',
			subjectId: kiosk.id,
			communityCode,
			reason: null,
			deviceId,
			details: { name: kiosk.displayName }
		});
		return c.json(
			{
				token,
				expiresAt: expiresAt.toISOString(),
				deviceKey,
				user: {
					id: kiosk.id,
					username: kiosk.username,
					displayName: kiosk.displayName,
					role: kiosk.role,
					scope: kiosk.scope
				}
			},
			201
		);
	})
	.openapi(directoryRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const communityCode = user.scope.find((code) => /^\d{12}$/.test(code));
		if ((user.role !== 'kiosk' && user.role !== 'volunteer') || !communityCode)
			return c.json(
				{ error: 'forbidden', message: 'role: the directory is for a community’s kiosk' },
				403
			);
		const rows = await store.checkinResidents(communityCode);
		// ID numbers may be stored encrypted (GRIDCARE_ID_KEY): open them for their last 4 only.
		const ids = await store.idProtection();
		return c.json(
			{
				communityCode,
				residents: rows.map((r) => ({
					residentId: r.id,
					householdId: r.householdId,
					gridId: r.gridId,
					maskedName: maskName(r.name),
					idTail: r.idNumber ? ids.open(r.idNumber).slice(-4).toUpperCase() : null
				}))
			},
			200
		);
	});
