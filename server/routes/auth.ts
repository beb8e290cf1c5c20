import { createRoute, z } from '@hono/zod-openapi';
import { MODES } from '../config';
import { router } from './router';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv } from '../context';
import { clientAddress } from '../auth/client-address';
import { loginSchema } from '../../src/lib/shared/schemas';
import { ROLES } from '../../src/lib/shared/enums';
import { requireAuth } from '../auth/middleware';
import { verifyPassword } from '../auth/password';
import { openSession, refuseRevokedDevice } from '../auth/sessions';
import { ApiError } from '../api-error';
import { errorResponse } from './errors';

export const publicUserSchema = z
	.object({
		id: z.string(),
		username: z.string(),
		displayName: z.string().nullable(),
		role: z.enum(ROLES),
		scope: z.array(z.string()).openapi({ description: 'Grid ids, or one division code' })
	})
	.openapi('User');

const loginRoute = createRoute({
	method: 'post',
	path: '/auth/login',
	tags: ['auth'],
	summary: 'Log in and receive a bearer token backed by a server-side session',
	request: { body: { content: { 'application/json': { schema: loginSchema } }, required: true } },
	responses: {
		200: {
			description: 'Logged in',
			content: {
				'application/json': {
					schema: z.object({
						token: z.string(),
						expiresAt: z.string(),
						user: publicUserSchema,
						deviceKey: z.string().openapi({
							description:
								'Base64 key (256 bits) this device wraps its local data key under; the same for every sign-in of this user on this device'
						}),
						timeZone: z.string().openapi({
							description:
								"The deployment's IANA time zone (GRIDCARE_TZ): the app shows every date and time in it",
							example: 'Asia/Shanghai'
						}),
						mode: z.enum(MODES).openapi({
							description:
								'GRIDCARE_MODE: `rollup-only` on a national server, which answers figures only (docs/scaling.md)'
						})
					})
				}
			}
		},
		400: errorResponse('Invalid body; the field is named'),
		401: errorResponse('Wrong username or password'),
		403: errorResponse('The device has been revoked by an administrator'),
		429: errorResponse('Too many failed attempts; see Retry-After')
	}
});

/** Address of the caller, for throttling: X-Forwarded-For only from a trusted proxy. */
function clientIp(c: Context<AppEnv>): string {
	let peer = 'unknown';
	try {
		peer = getConnInfo(c).remote.address ?? 'unknown';
	} catch {
		// Not served by node (app.request in tests): no peer address.
	}
	return clientAddress(peer, c.req.header('x-forwarded-for'), c.var.services.config.trustedProxies);
}

export const authRoutes = router().openapi(loginRoute, async (c) => {
	const { store, throttle, config, now, metrics } = c.var.services;
	const { username, password, deviceId } = c.req.valid('json');
	const ip = clientIp(c);
	const gate = await throttle.attempt(store, username, ip, now());
	if (!gate.allowed) {
		metrics?.login('blocked');
		const wait = gate.retryAfter;
		throw new ApiError(
			429,
			'too_many_attempts',
			`Too many failed attempts; try again in ${wait} s`,
			undefined,
			{ 'Retry-After': String(wait) }
		);
	}
	const user = await store.findUserByUsername(username);
	// Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
	const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
	if (!user || !ok || user.disabled) {
		metrics?.login('failed', gate.delayMs);
		await throttle.failed(store, ip, now());
		throw new ApiError(401, 'bad_credentials', 'username or password is wrong');
	}
	await throttle.succeeded(store, username);
	metrics?.login('succeeded', gate.delayMs);
	// A lost or stolen tablet that an administrator revoked cannot sign in again.
	await refuseRevokedDevice(store, deviceId);
	const created = now();
	const expiresAt = new Date(created.getTime() + config.sessionTtlMs);
	const opened = await openSession(store, user, deviceId, created, expiresAt);
	return c.json({ ...opened, timeZone: config.timeZone, mode: config.mode }, 200);
});

// scrypt hash of a random password, never matched.
const DUMMY_HASH =
	'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

const logoutRoute = createRoute({
	method: 'post',
	path: '/auth/logout',
	tags: ['auth'],
	summary: 'Sign out: end the caller’s session on the server',
	description:
		'The bearer token answers 401 `unauthorized` from then on (not `revoked`: the device keeps ' +
		'its data). The app calls it when a user signs out, once the outbox is delivered.',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	responses: {
		204: { description: 'Signed out' },
		401: errorResponse('Missing, expired, ended or revoked bearer token')
	}
});

export const logoutRoutes = router().openapi(logoutRoute, async (c) => {
	const { store, now } = c.var.services;
	await store.endSession(c.var.principal.sessionId, now());
	return c.body(null, 204);
});
