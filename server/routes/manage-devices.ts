// People's devices and the community's kiosks for their managers (docs/administration.md,
// "Devices, kiosks and divisions"). Revoking one device is `POST /devices/:deviceId/revoke`
// (routes/devices.ts); the rule of who reaches whom is server/privacy/devices.ts.
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import { deviceListSchema, retiredKioskSchema } from '../../src/lib/shared/devices';
import { requireAuth } from '../auth/middleware';
import { audit } from '../privacy/access';
import { devicesInDivision, retireKiosk, type ListedDevice } from '../privacy/devices';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const deviceList = deviceListSchema.meta({ id: 'DeviceList' });

const listRoute = createRoute({
	method: 'get',
	path: '/devices',
	tags: ['devices'],
	summary: "The devices of a division's people, by person, and its kiosks with their last check-in",
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: {
		query: z.object({
			code: z
				.string()
				.regex(/^(\*|\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/, 'expected a division code')
				.optional()
				.openapi({ description: "A division code; the caller's own scope when left out" })
		})
	},
	responses: {
		200: { description: 'Devices', content: { 'application/json': { schema: deviceList } } },
		400: errorResponse('Bad code, or a scope of several divisions and no code'),
		...AUTH_ERRORS,
		404: errorResponse('No such division')
	}
});

const retireRoute = createRoute({
	method: 'post',
	path: '/kiosks/{deviceId}/retire',
	tags: ['devices'],
	summary: 'Retire a kiosk: its device is revoked (it wipes itself) and its kiosk user disabled',
	security: [{ bearer: [] }],
	middleware: [requireAuth] as const,
	request: { params: z.object({ deviceId: safeText().min(1).max(64) }) },
	responses: {
		200: {
			description: 'Retired',
			content: { 'application/json': { schema: retiredKioskSchema } }
		},
		...AUTH_ERRORS,
		404: errorResponse('No kiosk was enrolled on this device')
	}
});

const wire = (d: ListedDevice) => ({
	deviceId: d.deviceId,
	kind: d.kind,
	enrolledAt: d.enrolledAt.toISOString(),
	lastSyncAt: d.lastSyncAt?.toISOString() ?? null,
	lastSeenAt: d.lastSeenAt.toISOString(),
	revokedAt: d.revokedAt?.toISOString() ?? null
});

export const manageDeviceRoutes = router()
	.openapi(listRoute, async (c) => {
		const { store } = c.var.services;
		const list = await devicesInDivision(store, c.var.principal.user, c.req.valid('query').code);
		return c.json(
			{
				code: list.code,
				people: list.people.map((p) => ({ ...p, devices: p.devices.map(wire) })),
				kiosks: list.kiosks.map((k) => ({
					...wire(k),
					kioskUserId: k.kioskUserId,
					name: k.name,
					communityCode: k.communityCode,
					lastCheckinAt: k.lastCheckinAt?.toISOString() ?? null,
					retired: k.retired
				}))
			},
			200
		);
	})
	.openapi(retireRoute, async (c) => {
		const { store, now } = c.var.services;
		const { deviceId } = c.req.valid('param');
		const retired = await retireKiosk(store, c.var.principal.user, deviceId, now());
		await audit(c, {
			action: 'kiosk_retired',
			subjectType: 'device',
			subjectId: deviceId,
			communityCode: retired.communityCode,
			reason: null,
			details: { revokedSessions: retired.revokedSessions, kioskUserId: retired.kioskUserId }
		});
		return c.json({ revokedSessions: retired.revokedSessions }, 200);
	});
