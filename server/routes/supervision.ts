// The supervisors' API besides the roll-up itself: check rounds, the incident queue and its
// closed loop, alerts, and the daily summary exports of a community, a street and a county.
import { createRoute, z } from '@hono/zod-openapi';
import { calendarDateSchema, safeText, shortText, uuidSchema } from '../../src/lib/shared/schemas';
import { requireAuth, requireStaff } from '../auth/middleware';
import { lookupNode } from '../auth/nodes';
import { dayInZone } from '../../src/lib/domain/day';
import { INCIDENT_STATUSES, NODE_LEVELS, ROLES } from '../../src/lib/shared/enums';
import { INCIDENT_NOTE_MAX } from '../../src/lib/domain/incident';
import { invalidInput, notFound } from '../api-error';
import {
	communitySummaryWorkbook,
	divisionSummaryWorkbook,
	reportRound,
	SUMMARY_LEVELS
} from '../rollup/summary';
import type { AlertRow } from '../store/supervision';
import type { Store } from '../store/types';
import { acknowledgeAlert, ALERT_KINDS, alertsOfNode } from '../supervision/alerts';
import { transitionIncident } from '../supervision/incidents';
import { incidentDetail, incidentQueue } from '../supervision/queue';
import { roundsOfNode, startRound, withTemplateNames } from '../supervision/rounds';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const roundSchema = z
	.object({
		id: z.string(),
		divisionCode: z.string(),
		name: z.string(),
		startDate: z.string(),
		dueDate: z.string(),
		createdBy: z.string(),
		createdAt: z.string(),
		/** The check template the round asks and the version it pins (docs/check-templates.md). */
		templateId: z.string().nullable(),
		templateVersion: z.number().int().nullable(),
		templateName: z.string().nullable()
	})
	.openapi('Round');

const createRoundRoute = createRoute({
	method: 'post',
	path: '/rounds',
	tags: ['supervision'],
	summary:
		'Start a check round for a division (community head: their community; officers: their subtree)',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		body: {
			content: {
				'application/json': {
					schema: z
						.object({
							divisionCode: z
								.string()
								.regex(/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/, 'expected a division code'),
							name: shortText(100),
							startDate: calendarDateSchema,
							dueDate: calendarDateSchema,
							templateId: uuidSchema.optional().openapi({
								description:
									'A check template usable at the division; the round pins its current version'
							})
						})
						.strict()
				}
			},
			required: true
		}
	},
	responses: {
		201: { description: 'The round', content: { 'application/json': { schema: roundSchema } } },
		400: errorResponse(
			'Invalid round, or a template not usable at the division; the field is named'
		),
		...AUTH_ERRORS,
		404: errorResponse('No such division (field `divisionCode`) or template (`templateId`)')
	}
});

const listRoundsRoute = createRoute({
	method: 'get',
	path: '/rounds',
	tags: ['supervision'],
	summary: "Rounds covering a node: its own and its ancestors'",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { query: z.object({ code: safeText().min(2).max(64) }) },
	responses: {
		200: {
			description: 'Newest first',
			content: { 'application/json': { schema: z.object({ rounds: z.array(roundSchema) }) } }
		},
		...AUTH_ERRORS,
		404: errorResponse('No such division or grid')
	}
});

const incidentSchema = z
	.object({
		id: z.string(),
		category: z.string(),
		severity: z.string(),
		status: z.string(),
		dueAt: z.string(),
		escalatedTo: z.string().nullable(),
		escalatedToName: z.string().nullable(),
		communityCode: z.string(),
		communityName: z.string(),
		gridId: z.string(),
		gridName: z.string(),
		createdAt: z.string(),
		// Community level only: personal data never leaves the community.
		description: z.string().optional(),
		householdId: z.string().nullable().optional(),
		address: z.string().nullable().optional(),
		assigneeId: z.string().nullable().optional(),
		assignee: z.string().nullable().optional(),
		reporter: z.string().nullable().optional(),
		version: z.number().int().optional()
	})
	.openapi('QueueIncident');

const listIncidentsRoute = createRoute({
	method: 'get',
	path: '/incidents',
	tags: ['supervision'],
	summary:
		"A community's incident queue (full rows) or, above the community, incidents escalated into the caller's subtree (no personal data)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		query: z.object({
			code: z.string().regex(/^\d{2,12}$/, 'expected a division code'),
			status: z.enum(['open', 'all']).default('open')
		})
	},
	responses: {
		200: {
			description: 'Newest first',
			content: {
				'application/json': { schema: z.object({ incidents: z.array(incidentSchema) }) }
			}
		},
		400: errorResponse('Bad code or status'),
		...AUTH_ERRORS,
		404: errorResponse('No such division')
	}
});

const transitionSchema = z
	.object({
		from: z.string().nullable(),
		to: z.string(),
		// A name only inside the community, for its own people; above it, the role and level only.
		who: z.string().nullable(),
		role: z.enum([...ROLES, 'system']),
		level: z.enum(NODE_LEVELS).nullable(),
		note: z.string().nullable(),
		at: z.string()
	})
	.openapi('IncidentTransition');

const getIncidentRoute = createRoute({
	method: 'get',
	path: '/incidents/{id}',
	tags: ['supervision'],
	summary: 'An incident with its history of transitions',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: z.object({ id: z.string().uuid() }) },
	responses: {
		200: {
			description: 'The incident',
			content: {
				'application/json': {
					schema: incidentSchema.extend({ transitions: z.array(transitionSchema) })
				}
			}
		},
		400: errorResponse('Bad id'),
		...AUTH_ERRORS,
		404: errorResponse('No such incident')
	}
});

const transitionRoute = createRoute({
	method: 'post',
	path: '/incidents/{id}/transition',
	tags: ['supervision'],
	summary:
		'Move an incident along the closed loop: the community head, or the assigned person for their moves',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: z.object({ id: z.string().uuid() }),
		body: {
			content: {
				'application/json': {
					schema: z
						.object({
							to: z.enum(INCIDENT_STATUSES),
							assigneeId: safeText().max(64).optional(),
							note: safeText({ multiline: true }).max(INCIDENT_NOTE_MAX).optional()
						})
						.strict()
				}
			},
			required: true
		}
	},
	responses: {
		200: {
			description: 'Applied',
			content: {
				'application/json': {
					schema: z.object({ id: z.string(), status: z.string(), version: z.number().int() })
				}
			}
		},
		400: errorResponse('Bad input; the field is named'),
		...AUTH_ERRORS,
		404: errorResponse('No such incident'),
		409: errorResponse('Not a legal transition from the current status')
	}
});

const alertSchema = z
	.object({
		id: z.string(),
		communityCode: z.string(),
		/** The community's name, so that every level shows names, not codes. */
		communityName: z.string(),
		kind: z.enum(ALERT_KINDS),
		value: z.number().int(),
		threshold: z.number().int(),
		raisedAt: z.string(),
		acknowledgedBy: z.string().nullable(),
		acknowledgedAt: z.string().nullable()
	})
	.openapi('Alert');

const listAlertsRoute = createRoute({
	method: 'get',
	path: '/alerts',
	tags: ['supervision'],
	summary: "Alerts of the communities in a node's subtree, newest first",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		query: z.object({
			code: z.string().regex(/^\d{2,12}$/, 'expected a division code'),
			status: z.enum(['open', 'all']).default('all')
		})
	},
	responses: {
		200: {
			description: 'Alerts',
			content: { 'application/json': { schema: z.object({ alerts: z.array(alertSchema) }) } }
		},
		400: errorResponse('Bad code'),
		...AUTH_ERRORS,
		404: errorResponse('No such division')
	}
});

const ackAlertRoute = createRoute({
	method: 'post',
	path: '/alerts/{id}/ack',
	tags: ['supervision'],
	summary: 'Acknowledge an alert (community head or an officer above it)',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: z.object({ id: z.string().uuid() }) },
	responses: {
		200: { description: 'Acknowledged', content: { 'application/json': { schema: alertSchema } } },
		400: errorResponse('Bad id'),
		...AUTH_ERRORS,
		404: errorResponse('No such alert')
	}
});

/** A day's report (default today), or a round's: its days, and per counted question two columns. */
const summaryQuery = z.object({
	date: calendarDateSchema.optional(),
	round: safeText().max(64).optional().openapi({
		description:
			"A check round's report instead of a day's: figures over its days and, for a round with a template, asked and abnormal per question with an abnormal rule"
	})
});

/** The round a report is asked for, if any. */
async function roundOfReport(store: Store, id: string | undefined) {
	if (id === undefined) return undefined;
	const round = await reportRound(store, id);
	if (!round) throw notFound('round', `no round "${id}"`);
	return round;
}

/** The workbook's file name: the unit and the day, or the round. */
const reportFile = (code: string, date: string, round: { id: string } | undefined) =>
	`attachment; filename="summary-${code}-${round ? `round-${round.id}` : date}.xlsx"`;

const summaryRoute = createRoute({
	method: 'get',
	path: '/communities/{code}/summary.xlsx',
	tags: ['supervision'],
	summary: "A community's daily grid summary as a spreadsheet (counts only)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: z.object({ code: z.string().regex(/^\d{12}$/, 'expected a 12-digit community code') }),
		query: summaryQuery
	},
	responses: {
		200: {
			description: 'The workbook',
			content: {
				'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
					schema: z.string().openapi({ format: 'binary' })
				}
			}
		},
		400: errorResponse('Bad code, date or round'),
		...AUTH_ERRORS,
		404: errorResponse('No such community or round')
	}
});

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const divisionSummaryRoute = createRoute({
	method: 'get',
	path: '/divisions/{code}/summary.xlsx',
	tags: ['supervision'],
	summary:
		"A street's (a row per community) or a county's (a row per street) daily summary as a spreadsheet; counts only",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: z.object({
			code: z
				.string()
				.regex(/^\d{2,12}$/, 'expected a division code')
				.openapi({ example: '450102001' })
		}),
		query: summaryQuery
	},
	responses: {
		200: {
			description: 'The workbook',
			content: { [XLSX]: { schema: z.string().openapi({ format: 'binary' }) } }
		},
		400: errorResponse(
			'Bad code, date or round, or a division that is neither a street nor a county'
		),
		...AUTH_ERRORS,
		404: errorResponse('No such division or round')
	}
});

/** Alerts as the API answers them, each with its community's name. */
async function alertsJson(store: Store, rows: AlertRow[]) {
	const names = await store.supervision().namesOf(
		'divisions',
		rows.map((a) => a.communityCode)
	);
	return rows.map((a) => alertJson(a, names.get(a.communityCode) ?? ''));
}

const alertJson = (a: AlertRow, communityName: string) => ({
	id: a.id,
	communityCode: a.communityCode,
	communityName,
	kind: a.kind as (typeof ALERT_KINDS)[number],
	value: a.value,
	threshold: a.threshold,
	raisedAt: a.raisedAt.toISOString(),
	acknowledgedBy: a.acknowledgedBy,
	acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null
});

export const supervisionRoutes = router()
	.openapi(createRoundRoute, async (c) => {
		const { store, now, alerts, config } = c.var.services;
		const { round, templateName, communities } = await startRound(
			store,
			c.var.principal.user,
			c.req.valid('json'),
			{ now: now(), timeZone: config.timeZone }
		);
		// The round's coverage counts from now on: its communities' alerts are evaluated.
		alerts?.notify(communities);
		return c.json({ ...round, templateName, createdAt: round.createdAt.toISOString() }, 201);
	})
	.openapi(listRoundsRoute, async (c) => {
		const { store } = c.var.services;
		const rounds = await withTemplateNames(
			store,
			await roundsOfNode(store, c.var.principal.user, c.req.valid('query').code)
		);
		return c.json(
			{ rounds: rounds.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) },
			200
		);
	})
	.openapi(listIncidentsRoute, async (c) => {
		const { store } = c.var.services;
		const { code, status } = c.req.valid('query');
		const incidents = await incidentQueue(store, c.var.principal.user, code, status === 'all');
		return c.json({ incidents }, 200);
	})
	.openapi(getIncidentRoute, async (c) => {
		const { store } = c.var.services;
		const { id } = c.req.valid('param');
		return c.json(await incidentDetail(store, c.var.principal.user, id), 200);
	})
	.openapi(transitionRoute, async (c) => {
		const { store, config, now, alerts } = c.var.services;
		const { id } = c.req.valid('param');
		const body = c.req.valid('json');
		const moved = await transitionIncident(store, c.var.principal.user, id, body, {
			now: now(),
			timeZone: config.timeZone,
			rollup: config.rollup
		});
		if (moved.figuresChanged) alerts?.notify([moved.communityCode]);
		return c.json({ id, status: body.to, version: moved.version }, 200);
	})
	.openapi(listAlertsRoute, async (c) => {
		const { store } = c.var.services;
		const { code, status } = c.req.valid('query');
		const rows = await alertsOfNode(store, c.var.principal.user, code, status === 'open');
		return c.json({ alerts: await alertsJson(store, rows) }, 200);
	})
	.openapi(ackAlertRoute, async (c) => {
		const { store, now } = c.var.services;
		const { id } = c.req.valid('param');
		const [alert] = await alertsJson(store, [
			await acknowledgeAlert(store, c.var.principal.user, id, now())
		]);
		return c.json(alert, 200);
	})
	.openapi(summaryRoute, async (c) => {
		const { store, readStore = store, config, now } = c.var.services;
		const { user } = c.var.principal;
		const { code } = c.req.valid('param');
		const community = await lookupNode(store, user, code);
		const at = now();
		const query = c.req.valid('query');
		const date = query.date ?? dayInZone(at, config.timeZone);
		const round = await roundOfReport(store, query.round);
		const { bytes, grids } = await communitySummaryWorkbook(
			readStore,
			community,
			date,
			at,
			config.timeZone,
			user.displayName || user.username,
			round
		);
		await store.appendAudit({
			userId: user.id,
			role: user.role,
			action: 'export',
			subjectType: 'community_summary',
			subjectId: code,
			communityCode: code,
			details: round ? { round: round.id, grids } : { date, grids }
		});
		return c.body(bytes, 200, {
			'content-type': XLSX,
			'content-disposition': reportFile(code, date, round)
		});
	})
	.openapi(divisionSummaryRoute, async (c) => {
		const { store, readStore = store, config, now } = c.var.services;
		const { user } = c.var.principal;
		const { code } = c.req.valid('param');
		const node = await lookupNode(store, user, code);
		if (node.level !== 'street' && node.level !== 'county')
			throw invalidInput(
				'code',
				`"${code}" is a ${node.level}; a division summary is made for a ${Object.keys(SUMMARY_LEVELS).join(' or ')}`
			);
		const at = now();
		const query = c.req.valid('query');
		const date = query.date ?? dayInZone(at, config.timeZone);
		const round = await roundOfReport(store, query.round);
		const { bytes, children } = await divisionSummaryWorkbook(
			readStore,
			{ code, name: node.name, level: node.level },
			date,
			at,
			config.timeZone,
			user.displayName || user.username,
			round
		);
		await store.appendAudit({
			userId: user.id,
			role: user.role,
			action: 'export',
			subjectType: 'division_summary',
			subjectId: code,
			communityCode: null,
			details: round
				? { round: round.id, level: node.level, children }
				: { date, level: node.level, children }
		});
		return c.body(bytes, 200, {
			'content-type': XLSX,
			'content-disposition': reportFile(code, date, round)
		});
	});
