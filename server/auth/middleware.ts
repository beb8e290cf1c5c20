import { createMiddleware } from 'hono/factory';
import { ApiError, forbidden } from '../api-error';
import type { AppEnv } from '../context';
import { COMMUNITY_DEVICE_ROLES } from './scope';
import { tokenHash } from './tokens';

const unauthorized = (why: string) => new ApiError(401, 'unauthorized', `Authorization: ${why}`);

/** 401 unless the request carries a live bearer token; sets `principal` for the route. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
	const header = c.req.header('authorization') ?? '';
	const match = /^Bearer ([A-Za-z0-9_-]{20,})$/.exec(header);
	if (!match) throw unauthorized('bearer token required');
	const { store, now } = c.var.services;
	const session = await store.findSessionByTokenHash(tokenHash(match[1]));
	if (!session) throw unauthorized('session is not valid');
	// A revoked device is told so: it wipes its local data on this answer.
	if (session.revokedAt)
		throw new ApiError(401, 'revoked', 'Authorization: this session was revoked');
	// Expired, or ended by a sign-out (POST /auth/logout): sign in again, nothing is wiped.
	if (session.expiresAt.getTime() <= now().getTime())
		throw unauthorized('session has ended or expired');
	const user = await store.getUser(session.userId);
	if (!user || user.disabled) throw unauthorized('user is disabled');
	c.set('principal', { user, sessionId: session.id, deviceId: session.deviceId });
	await next();
});

/**
 * 403 for the community's check-in devices (kiosk, volunteer): they record check-ins and read
 * their directory, never the supervisors' and administrators' views. Runs after requireAuth.
 */
export const requireStaff = createMiddleware<AppEnv>(async (c, next) => {
	const { role } = c.var.principal.user;
	if (COMMUNITY_DEVICE_ROLES.has(role))
		throw forbidden('role', `a ${role} session records check-ins only`);
	await next();
});
