import { createRoute, z } from '@hono/zod-openapi';
import { calendarDateSchema, safeText } from '../../src/lib/shared/schemas';
import { requireAuth, requireStaff } from '../auth/middleware';
import { dayInZone } from '../../src/lib/domain/day';
import { dayPeriod, roundPeriod } from '../rollup/metrics';
import {
	metricsSchema as sharedMetricsSchema,
	questionFiguresSchema as sharedQuestionFiguresSchema
} from '../../src/lib/shared/metrics';
import { readFigures, readTrend, roundQuestions } from '../rollup/read';
import {
	changeCommunitySettings,
	communitySettingsInputSchema,
	communitySettingsSchema,
	readCommunitySettings
} from '../supervision/settings';
import { communityGridTable } from '../supervision/grid-table';
import { notFound } from '../api-error';
import { router } from './router';
import { NODE_LEVELS } from '../../src/lib/shared/enums';
import { AUTH_ERRORS, errorResponse } from './errors';
import { childrenOf, lookupNode } from '../auth/nodes';

const LEVELS = NODE_LEVELS;
// Shared schemas are named with zod's own `.meta`: `.openapi` exists only on schemas built after
// @hono/zod-openapi has loaded, and the app's schemas may be built before.
const metricsSchema = sharedMetricsSchema.meta({ id: 'RollupMetrics' });
const questionsSchema = sharedQuestionFiguresSchema
	.meta({
		id: 'RollupQuestions',
		description:
			"A round with a template only: per question of its pinned version with an abnormal rule, in the version's order, distinct residents (or households, for a household question) asked it and those whose answer was abnormal"
	})
	.optional();
const codeParam = z.object({
	code: safeText().min(2).max(64).openapi({
		description: 'Division code (2, 4, 6, 9 or 12 digits) or a grid id',
		example: '45'
	})
});

const rollupRoute = createRoute({
	method: 'get',
	path: '/rollup/{code}',
	tags: ['rollup'],
	summary: 'Counts of a node and its children for a day (default today) or a round; counts only',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: codeParam,
		query: z.object({ date: calendarDateSchema.optional(), round: safeText().max(64).optional() })
	},
	responses: {
		200: {
			description: 'The node and its children',
			content: {
				'application/json': {
					schema: z
						.object({
							code: z.string(),
							name: z.string(),
							level: z.enum(LEVELS),
							asOf: z.string(),
							period: z.string().openapi({ description: '"day:YYYY-MM-DD" or "round:<id>"' }),
							metrics: metricsSchema,
							questions: questionsSchema,
							children: z.array(
								z.object({
									code: z.string(),
									name: z.string(),
									level: z.enum(LEVELS),
									metrics: metricsSchema,
									questions: questionsSchema
								})
							)
						})
						.openapi('RollupNode')
				}
			}
		},
		400: errorResponse('Bad date or round'),
		...AUTH_ERRORS,
		404: errorResponse('No such division, grid or round')
	}
});

const trendRoute = createRoute({
	method: 'get',
	path: '/rollup/{code}/trend',
	tags: ['rollup'],
	summary: 'Daily counts of a node for the last N days, oldest first',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: codeParam,
		query: z.object({ days: z.coerce.number().int().min(1).max(366).default(14) })
	},
	responses: {
		200: {
			description: 'One entry per day',
			content: {
				'application/json': {
					schema: z
						.object({
							code: z.string(),
							days: z.array(z.object({ date: z.string(), metrics: metricsSchema }))
						})
						.openapi('RollupTrend')
				}
			}
		},
		400: errorResponse('Bad days'),
		...AUTH_ERRORS,
		404: errorResponse('No such division or grid')
	}
});

const communityParam = z.object({
	code: z
		.string()
		.regex(/^\d{12}$/, 'expected a 12-digit community code')
		.openapi({ example: '450102001003' })
});

const roundSchema = z
	.object({ id: z.string(), name: z.string(), dueDate: z.string() })
	.openapi('RoundRef');

const gridsRoute = createRoute({
	method: 'get',
	path: '/communities/{code}/grids',
	tags: ['supervision'],
	summary: "A community's grids with today's and the current round's counts and their workers",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: communityParam },
	responses: {
		200: {
			description:
				"One row per grid with its counts today (metrics) and in the current round; `metrics` at the top is the community's own today. Among the counts, visitsDue: households whose next visit is due today or earlier, visitsOverdue: due before today (docs/care-tiers.md)",
			content: {
				'application/json': {
					schema: z
						.object({
							code: z.string(),
							name: z.string(),
							date: z.string(),
							round: roundSchema.nullable(),
							metrics: metricsSchema,
							grids: z.array(
								z.object({
									id: z.string(),
									name: z.string(),
									metrics: metricsSchema,
									roundMetrics: metricsSchema.nullable(),
									workers: z.array(
										z.object({
											id: z.string(),
											username: z.string(),
											displayName: z.string().nullable(),
											lastSyncAt: z.string().nullable()
										})
									)
								})
							)
						})
						.openapi('CommunityGrids')
				}
			}
		},
		400: errorResponse('Bad community code'),
		...AUTH_ERRORS,
		404: errorResponse('No such community')
	}
});

const settingsGetRoute = createRoute({
	method: 'get',
	path: '/communities/{code}/settings',
	tags: ['supervision'],
	summary: "A community's check-in cut-off and alert thresholds",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: communityParam },
	responses: {
		200: {
			description: 'The settings (defaults until changed)',
			content: { 'application/json': { schema: communitySettingsSchema } }
		},
		400: errorResponse('Bad community code'),
		...AUTH_ERRORS,
		404: errorResponse('No such community')
	}
});

const settingsPutRoute = createRoute({
	method: 'put',
	path: '/communities/{code}/settings',
	tags: ['supervision'],
	summary: "Change a community's check-in cut-off and alert thresholds (community head, admin)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: communityParam,
		body: {
			content: { 'application/json': { schema: communitySettingsInputSchema } },
			required: true
		}
	},
	responses: {
		200: {
			description: 'The stored settings',
			content: { 'application/json': { schema: communitySettingsSchema } }
		},
		400: errorResponse('Invalid settings; the field is named'),
		...AUTH_ERRORS,
		404: errorResponse('No such community')
	}
});

export const rollupRoutes = router()
	.openapi(rollupRoute, async (c) => {
		const { store, readStore = store, config, now } = c.var.services;
		const { code } = c.req.valid('param');
		const { date, round } = c.req.valid('query');
		const node = await lookupNode(store, c.var.principal.user, code);
		const at = now();
		let period = dayPeriod(date ?? dayInZone(at, config.timeZone));
		// A round with a template also answers its question figures (docs/check-templates.md).
		let keys: string[] | null = null;
		if (round !== undefined) {
			const r = await store.supervision().getRound(round);
			if (!r) throw notFound('round', `no round "${round}"`);
			period = roundPeriod(r.id);
			if (r.templateId) keys = (await roundQuestions(store, r)).map((q) => q.key);
		}
		const children = await childrenOf(store, node);
		const figures = await readFigures(
			readStore,
			node,
			children.map((ch) => ch.code),
			period,
			at,
			config.timeZone,
			keys ?? []
		);
		const of = (code: string) => {
			const f = figures.get(code)!;
			return { metrics: f.metrics, ...(keys ? { questions: f.questions } : {}) };
		};
		return c.json(
			{
				code: node.code,
				name: node.name,
				level: node.level,
				asOf: at.toISOString(),
				period,
				...of(node.code),
				children: children.map((ch) => ({ ...ch, ...of(ch.code) }))
			},
			200
		);
	})
	.openapi(trendRoute, async (c) => {
		const { store, readStore = store, config, now } = c.var.services;
		const { code } = c.req.valid('param');
		const { days } = c.req.valid('query');
		const node = await lookupNode(store, c.var.principal.user, code);
		// The nation's trend is its provinces' added up.
		const provinces =
			node.level === 'nation' ? (await childrenOf(store, node)).map((p) => p.code) : [];
		const trend = await readTrend(readStore, node.code, days, now(), config.timeZone, provinces);
		return c.json({ code: node.code, days: trend }, 200);
	})
	.openapi(gridsRoute, async (c) => {
		const { store, config, now } = c.var.services;
		const { code } = c.req.valid('param');
		const table = await communityGridTable(
			store,
			c.var.principal.user,
			code,
			now(),
			config.timeZone
		);
		return c.json(table, 200);
	})
	.openapi(settingsGetRoute, async (c) => {
		const { store } = c.var.services;
		const { code } = c.req.valid('param');
		return c.json(await readCommunitySettings(store, c.var.principal.user, code), 200);
	})
	.openapi(settingsPutRoute, async (c) => {
		const { store, alerts, config, now } = c.var.services;
		const { code } = c.req.valid('param');
		const body = c.req.valid('json');
		const saved = await changeCommunitySettings(store, c.var.principal.user, code, body, {
			now: now(),
			timeZone: config.timeZone
		});
		// New thresholds, cut-off or frequencies: the community's alerts are evaluated against them.
		alerts?.notify([code]);
		return c.json(saved, 200);
	});
