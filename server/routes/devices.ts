// Revoking a lost or stolen device: its sessions end, and its next request is told to wipe itself.
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { requireAuth } from '../auth/middleware';
import { audit } from '../privacy/access';
import { revokeDevice } from '../privacy/devices';
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
	const { deviceId } = c.req.valid('param');
	const revoked = await revokeDevice(store, c.var.principal.user, deviceId, now());
	await audit(c, {
		action: 'device_revoked',
		subjectType: 'device',
		subjectId: deviceId,
		communityCode: revoked.communityCode,
		details: { revokedSessions: revoked.revokedSessions, users: revoked.users }
	});
	return c.json({ revokedSessions: revoked.revokedSessions }, 200);
});
