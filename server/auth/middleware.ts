import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../context';
import { COMMUNITY_DEVICE_ROLES } from './scope';
import { tokenHash } from './tokens';

/** 401 unless the request carries a live bearer token; sets `principal` for the route. */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
	const header = c.req.header('authorization') ?? '';
	const match = /^Bearer ([A-Za-z0-9_-]{20,})$/.exec(header);
	if (!match)
		return c.json({ error: 'unauthorized', message: 'Authorization: bearer token required' }, 401);
	const { store, now } = c.var.services;
	const session = await store.findSessionByTokenHash(tokenHash(match[1]));
	if (!session)
		return c.json({ error: 'unauthorized', message: 'Authorization: session is not valid' }, 401);
	// A revoked device is told so: it wipes its local data on this answer.
	if (session.revokedAt)
		return c.json({ error: 'revoked', message: 'Authorization: this session was revoked' }, 401);
	// Expired, or ended by a sign-out (POST /auth/logout): sign in again, nothing is wiped.
	if (session.expiresAt.getTime() <= now().getTime())
		return c.json(
			{ error: 'unauthorized', message: 'Authorization: session has ended or expired' },
			401
		);
	const user = await store.getUser(session.userId);
	if (!user || user.disabled)
		return c.json({ error: 'unauthorized', message: 'Authorization: user is disabled' }, 401);
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
		return c.json(
			{ error: 'forbidden', message: `role: a ${role} session records check-ins only` },
			403
		);
	await next();
});
