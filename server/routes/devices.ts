// Revoking a lost or stolen device: its sessions end, and its next request is told to wipe itself.
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { requireAuth } from '../auth/middleware';
import { audit, communitiesOfUser, communityOfHead, scopeWithin } from '../privacy/access';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const revokeRoute = createRoute({
	method: 'post',
	path: '/devices/{deviceId}/revoke',
	tags: ['privacy'],
	summary: "Revoke every session of a device (admin; a community head for their community's users)",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { params: z.object({ deviceId: safeText().min(1).max(64) }) },
	responses: {
		200: {
			description: 'Revoked',
			content: { 'application/json': { schema: z.object({ revokedSessions: z.number().int() }) } }
		},
		...AUTH_ERRORS,
		404: errorResponse('No session was ever opened from this device')
	}
});

export const deviceRoutes = router().openapi(revokeRoute, async (c) => {
	const { store, now } = c.var.services;
	const { user } = c.var.principal;
	const { deviceId } = c.req.valid('param');
	if (user.role !== 'admin' && user.role !== 'community_head')
		return c.json(
			{ error: 'forbidden', message: 'role: only an administrator or community head' },
			403
		);
	const sessions = await store.sessionsOfDevice(deviceId);
	if (sessions.length === 0)
		return c.json({ error: 'not_found', message: 'deviceId: no such device' }, 404);
	const communities = new Set<string>();
	const own = communityOfHead(user);
	for (const userId of new Set(sessions.map((s) => s.userId))) {
		const owner = await store.getUser(userId);
		if (!owner) continue;
		for (const code of await communitiesOfUser(store, owner)) communities.add(code);
		// A head revokes the devices of their community's own people only: never an administrator's
		// or an officer's whose scope reaches beyond it.
		if (user.role === 'community_head' && !(own && (await scopeWithin(store, owner, own))))
			return c.json({ error: 'forbidden', message: 'deviceId: used outside your community' }, 403);
	}
	const revokedSessions = await store.revokeDeviceSessions(deviceId, now());
	// The keys that wrap the device's local data are no longer handed out to anyone.
	await store.forgetDeviceKeys(deviceId);
	await store.markDeviceRevoked(deviceId, now());
	await audit(c, {
		action: 'device_revoked',
		subjectType: 'device',
		subjectId: deviceId,
		communityCode: own ?? (communities.size === 1 ? [...communities][0] : null),
		details: { revokedSessions, users: [...new Set(sessions.map((s) => s.userId))] }
	});
	return c.json({ revokedSessions }, 200);
});
