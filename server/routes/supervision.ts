// The supervisors' API besides the roll-up itself: check rounds, the incident queue and its
// closed loop, alerts, and the community's daily summary export.
import { createRoute, z } from '@hono/zod-openapi';
import { calendarDateSchema, safeText, shortText } from '../../src/lib/shared/schemas';
import ExcelJS from 'exceljs';
import { requireAuth, requireStaff } from '../auth/middleware';
import { canSeeDivision } from '../auth/scope';
import { dayInZone } from '../../src/lib/domain/day';
import { INCIDENT_STATUSES, ROLE_LEVEL } from '../../src/lib/shared/enums';
import type { UserRow } from '../store/types';
import { ALERT_KINDS } from '../supervision/alerts';
import { transitionIncident } from '../supervision/incidents';
import { writeDenial } from '../write';
import { INCIDENT_NOTE_MAX } from '../../src/lib/domain/incident';
import { dayPeriod } from '../rollup/metrics';
import { divisionAndAncestors } from '../rollup/nodes';
import { readMetrics } from '../rollup/read';
import { createRound } from '../supervision/rounds';
import type { IncidentRow } from '../store/supervision';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';
import { lookupNode, runsCommunity } from '../auth/nodes';

const roundSchema = z
	.object({
		id: z.string(),
		divisionCode: z.string(),
		name: z.string(),
		startDate: z.string(),
		dueDate: z.string(),
		createdBy: z.string(),
		createdAt: z.string()
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
							dueDate: calendarDateSchema
						})
						.strict()
				}
			},
			required: true
		}
	},
	responses: {
		201: { description: 'The round', content: { 'application/json': { schema: roundSchema } } },
		400: errorResponse('Invalid round; the field is named'),
		...AUTH_ERRORS,
		404: errorResponse('No such division')
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
		reporter: z.string().optional(),
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
		who: z.string(),
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

const summaryRoute = createRoute({
	method: 'get',
	path: '/communities/{code}/summary.xlsx',
	tags: ['supervision'],
	summary: "A community's daily grid summary as a spreadsheet (counts only)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: z.object({ code: z.string().regex(/^\d{12}$/, 'expected a 12-digit community code') }),
		query: z.object({ date: calendarDateSchema.optional() })
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
		400: errorResponse('Bad code or date'),
		...AUTH_ERRORS,
		404: errorResponse('No such community')
	}
});

const OFFICER_ROLES = new Set([
	'street_officer',
	'county_officer',
	'city_officer',
	'province_officer'
]);

/** Who may start a round for a division: its community head, an officer of its subtree, an admin. */
function mayStartRound(user: UserRow, code: string): boolean {
	if (!canSeeDivision(user, code)) return false;
	if (user.role === 'admin') return true;
	if (user.role === 'community_head') return code.length === 12;
	return OFFICER_ROLES.has(user.role);
}

/** Rows of a queue: full for the community's own people, counts-safe above it. */
async function queueRows(
	store: import('../store/types').Store,
	rows: IncidentRow[],
	full: boolean
): Promise<z.infer<typeof incidentSchema>[]> {
	const sup = store.supervision();
	const grids = await sup.namesOf(
		'grids',
		rows.map((r) => r.gridId)
	);
	const communities = await sup.namesOf(
		'divisions',
		rows.map((r) => r.communityCode)
	);
	const addresses = full
		? await sup.addressesOf(rows.flatMap((r) => (r.householdId ? [r.householdId] : [])))
		: new Map<string, string>();
	const users = full
		? await sup.usernamesOf(
				rows.flatMap((r) => [r.reportedBy, ...(r.assigneeId ? [r.assigneeId] : [])])
			)
		: new Map<string, string>();
	return rows.map((r) => ({
		id: r.id,
		category: r.category,
		severity: r.severity,
		status: r.status,
		dueAt: r.dueAt.toISOString(),
		escalatedTo: r.escalatedTo,
		communityCode: r.communityCode,
		communityName: communities.get(r.communityCode) ?? '',
		gridId: r.gridId,
		gridName: grids.get(r.gridId) ?? '',
		createdAt: r.createdAt.toISOString(),
		...(full
			? {
					description: r.description,
					householdId: r.householdId,
					address: r.householdId ? (addresses.get(r.householdId) ?? null) : null,
					assigneeId: r.assigneeId,
					assignee: r.assigneeId ? (users.get(r.assigneeId) ?? null) : null,
					reporter: users.get(r.reportedBy) ?? r.reportedBy,
					version: r.version
				}
			: {})
	}));
}

/** An officer sees an incident once it has escalated into their subtree (their level or below). */
function escalatedToOfficer(user: UserRow, row: IncidentRow): boolean {
	if (row.escalatedTo === null) return false;
	return user.scope.some((root) => root === '*' || row.escalatedTo!.startsWith(root));
}

const alertJson = (a: import('../store/supervision').AlertRow) => ({
	id: a.id,
	communityCode: a.communityCode,
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
		const { user } = c.var.principal;
		const body = c.req.valid('json');
		if (body.dueDate < body.startDate)
			return c.json(
				{ error: 'invalid_input', field: 'dueDate', message: 'dueDate: before startDate' },
				400
			);
		const division = await store.getDivision(body.divisionCode);
		if (!division)
			return c.json(
				{ error: 'not_found', message: `divisionCode: no division "${body.divisionCode}"` },
				404
			);
		if (!mayStartRound(user, body.divisionCode))
			return c.json(
				{
					error: 'forbidden',
					message: 'divisionCode: outside the divisions you may start rounds for'
				},
				403
			);
		const round = {
			id: crypto.randomUUID(),
			...body,
			createdBy: user.id,
			createdAt: now()
		};
		const communities = await createRound(store, user, round, {
			now: round.createdAt,
			timeZone: config.timeZone
		});
		// The round's coverage counts from now on: its communities' alerts are evaluated.
		alerts?.notify(communities);
		return c.json({ ...round, createdAt: round.createdAt.toISOString() }, 201);
	})
	.openapi(listRoundsRoute, async (c) => {
		const { store } = c.var.services;
		const { code } = c.req.valid('query');
		const found = await lookupNode(store, c.var.principal.user, code);
		if (!found.ok) return c.json(found.body, found.status);
		const community = found.node.communityCode;
		const codes = divisionAndAncestors(found.node.level === 'grid' ? community! : code);
		const rounds = await store.supervision().roundsOf(codes);
		return c.json(
			{ rounds: rounds.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })) },
			200
		);
	})
	.openapi(listIncidentsRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { code, status } = c.req.valid('query');
		const found = await lookupNode(store, user, code);
		if (!found.ok) return c.json(found.body, found.status);
		const sup = store.supervision();
		if (code.length === 12 && runsCommunity(user, code)) {
			const rows = await sup.incidentsOf(code, status === 'all');
			return c.json({ incidents: await queueRows(store, rows, true) }, 200);
		}
		const level = ROLE_LEVEL[user.role];
		if (!level || level === 'community' || !OFFICER_ROLES.has(user.role))
			return c.json(
				{
					error: 'forbidden',
					message: 'code: incident queues are for community heads and officers'
				},
				403
			);
		const rows = (await sup.incidentsOf(code, status === 'all')).filter((r) =>
			escalatedToOfficer(user, r)
		);
		return c.json({ incidents: await queueRows(store, rows, false) }, 200);
	})
	.openapi(getIncidentRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const sup = store.supervision();
		const row = await sup.getIncident(id);
		if (!row) return c.json({ error: 'not_found', message: 'id: no such incident' }, 404);
		const full = runsCommunity(user, row.communityCode);
		if (!full && !(OFFICER_ROLES.has(user.role) && escalatedToOfficer(user, row)))
			return c.json({ error: 'forbidden', message: 'id: outside your scope' }, 403);
		const [json] = await queueRows(store, [row], full);
		const transitions = await sup.transitionsOf(id);
		const names = full
			? await sup.usernamesOf(transitions.map((t) => t.actorId))
			: new Map<string, string>();
		return c.json(
			{
				...json,
				transitions: transitions.map((t) => ({
					from: t.fromStatus,
					to: t.toStatus,
					// Above the community: the role of the step, not who (names are personal data).
					who: full
						? (names.get(t.actorId) ?? t.actorId)
						: t.actorId === 'system'
							? 'system'
							: 'community',
					note: full || t.actorId === 'system' ? t.note : null,
					at: t.at.toISOString()
				}))
			},
			200
		);
	})
	.openapi(transitionRoute, async (c) => {
		const { store, config, now, alerts } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const body = c.req.valid('json');
		const row = await store.supervision().getIncident(id);
		if (!row) return c.json({ error: 'not_found', message: 'id: no such incident' }, 404);
		// Who may make which move is decided inside, by the rules a pushed move meets too.
		const denial = writeDenial(
			user,
			{ id: row.gridId, communityCode: row.communityCode },
			'incidents'
		);
		if (denial) return c.json({ error: 'forbidden', message: `id: ${denial}` }, 403);
		const outcome = await transitionIncident(store, user, id, body, {
			now: now(),
			timeZone: config.timeZone,
			rollup: config.rollup
		});
		if (!outcome.ok)
			return c.json(
				{
					error:
						outcome.status === 403
							? 'forbidden'
							: outcome.status === 409
								? 'conflict'
								: 'invalid_input',
					field: outcome.field,
					message: outcome.message
				},
				outcome.status as 400
			);
		if (outcome.figuresChanged) alerts?.notify([outcome.communityCode]);
		return c.json({ id, status: body.to, version: outcome.version }, 200);
	})
	.openapi(listAlertsRoute, async (c) => {
		const { store } = c.var.services;
		const { code, status } = c.req.valid('query');
		const found = await lookupNode(store, c.var.principal.user, code);
		if (!found.ok) return c.json(found.body, found.status);
		const rows = (await store.supervision().alertsInSubtree(code)).filter(
			(a) => status === 'all' || a.acknowledgedAt === null
		);
		return c.json({ alerts: rows.map(alertJson) }, 200);
	})
	.openapi(ackAlertRoute, async (c) => {
		const { store, now } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const sup = store.supervision();
		const alert = await sup.getAlert(id);
		if (!alert) return c.json({ error: 'not_found', message: 'id: no such alert' }, 404);
		const allowed =
			(OFFICER_ROLES.has(user.role) || runsCommunity(user, alert.communityCode)) &&
			canSeeDivision(user, alert.communityCode);
		if (!allowed) return c.json({ error: 'forbidden', message: 'id: outside your scope' }, 403);
		if (alert.acknowledgedAt === null) {
			const at = now();
			await sup.updateAlert(id, { acknowledgedBy: user.id, acknowledgedAt: at });
			alert.acknowledgedBy = user.id;
			alert.acknowledgedAt = at;
		}
		return c.json(alertJson(alert), 200);
	})
	.openapi(summaryRoute, async (c) => {
		const { store, config, now } = c.var.services;
		const { user } = c.var.principal;
		const { code } = c.req.valid('param');
		const found = await lookupNode(store, user, code);
		if (!found.ok) return c.json(found.body, found.status);
		const at = now();
		const date = c.req.valid('query').date ?? dayInZone(at, config.timeZone);
		const grids = await store.gridsOfCommunity(code);
		const metrics = await readMetrics(
			store,
			{ code, level: 'community' },
			grids.map((g) => g.id),
			dayPeriod(date),
			at,
			config.timeZone
		);
		const book = new ExcelJS.Workbook();
		const sheet = book.addWorksheet('网格工作日报');
		sheet.addRow([`${found.node.name} 网格工作日报`]);
		sheet.addRow(['日期', date]);
		const columns = [
			['户数', 'households'],
			['今日走访户数', 'visitedHouseholds'],
			['走访次数', 'visits'],
			['异常人数', 'abnormalResidents'],
			['未结事件', 'openIncidents'],
			['超期事件', 'overdueIncidents'],
			['已签到', 'checkinsDone'],
			['应签到', 'checkinsExpected'],
			['未签到', 'missedCheckins']
		] as const;
		sheet.addRow(['网格', ...columns.map(([label]) => label)]);
		for (const g of grids) {
			const m = metrics.get(g.id)!;
			sheet.addRow([g.name, ...columns.map(([, key]) => m[key])]);
		}
		const total = metrics.get(code)!;
		sheet.addRow(['合计', ...columns.map(([, key]) => total[key])]);
		sheet.addRow([]);
		sheet.addRow(['生成人', user.displayName ?? user.username, '生成时间', at.toISOString()]);
		sheet.getRow(1).font = { bold: true, size: 14 };
		sheet.getRow(3).font = { bold: true };
		const buffer = await book.xlsx.writeBuffer();
		await store.appendAudit({
			userId: user.id,
			role: user.role,
			action: 'export',
			subjectType: 'community_summary',
			subjectId: code,
			communityCode: code,
			details: { date, grids: grids.length }
		});
		return c.body(new Uint8Array(buffer as ArrayBuffer), 200, {
			'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'content-disposition': `attachment; filename="summary-${code}-${date}.xlsx"`
		});
	});
