// The elderly residents' kiosk at a community service centre: enrolment (server/kiosk/enrol.ts)
// and the directory of residents who check in daily (server/kiosk/directory.ts).
import { createRoute, z } from '@hono/zod-openapi';
import { HANDLED_STATUSES } from '../../src/lib/domain/incident';
import { shortText } from '../../src/lib/shared/schemas';
import { requireAuth } from '../auth/middleware';
import { kioskDirectory } from '../kiosk/directory';
import { enrolKiosk } from '../kiosk/enrol';
import { publicUserSchema } from './auth';
import { AUTH_ERRORS, errorResponse } from './errors';
import { router } from './router';

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
		idTail: z.string().nullable().openapi({ description: 'Last 4 characters of the ID number' }),
		birthYear: z.number().int().nullable().openapi({ example: 1950 }),
		addressHint: z
			.string()
			.nullable()
			.openapi({
				example: '3栋2单元',
				description:
					'Building and unit of the household’s address, never the room number; null when the ' +
					'address is not in the building/unit/room form (e.g. a village’s free text)'
			}),
		lastHelp: z
			.object({
				status: z.enum(HANDLED_STATUSES),
				at: z.string().openapi({ description: 'When it reached that status (ISO 8601)' })
			})
			.nullable()
			.openapi({
				description:
					'The resident’s latest help request or health alert raised with a check-in, once ' +
					'handled (办结); null while it is open or when there is none'
			})
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
		return c.json(await enrolKiosk(store, c.var.principal, c.req.valid('json'), now()), 201);
	})
	.openapi(directoryRoute, async (c) => {
		const { store } = c.var.services;
		return c.json(await kioskDirectory(store, c.var.principal.user), 200);
	});
