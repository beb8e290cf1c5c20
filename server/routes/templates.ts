// Check templates (docs/check-templates.md): the templates usable at a division, one at its
// current or an earlier version, creating and changing one (a change of the questions makes the
// next version), the list of versions. Shipped templates are read-only.
import { createRoute, z } from '@hono/zod-openapi';
import { safeText } from '../../src/lib/shared/schemas';
import {
	templateInputSchema,
	templateUpdateSchema,
	type TemplateVersion
} from '../../src/lib/shared/templates';
import { ApiError, forbidden, notFound } from '../api-error';
import { requireAuth, requireStaff } from '../auth/middleware';
import { canSeeDivision } from '../auth/scope';
import { audit } from '../privacy/access';
import type { StoredTemplate } from '../store/templates';
import type { Store, UserRow } from '../store/types';
import { mayEditTemplate, mayReadTemplate, supervises } from '../supervision/access';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

const questionJson = z
	.record(z.string(), z.unknown())
	.openapi({ description: 'A question (docs/check-templates.md, questionSchema)' });

const templateSchema = z
	.object({
		id: z.string(),
		version: z.number().int(),
		name: z.string(),
		nameEn: z.string().optional(),
		divisionCode: z.string().nullable().openapi({ description: 'null: shipped, read-only' }),
		questions: z.array(questionJson),
		shipped: z.boolean(),
		editable: z.boolean().openapi({ description: 'Whether the caller may change it' }),
		createdAt: z.string().optional(),
		updatedAt: z.string().optional()
	})
	.openapi('CheckTemplate');

const divisionCode = z
	.string()
	.regex(/^(\d{2}|\d{4}|\d{6}|\d{9}|\d{12})$/, 'expected a division code');
const idParam = z.object({ id: safeText().min(1).max(64) });

const listRoute = createRoute({
	method: 'get',
	path: '/check-templates',
	tags: ['templates'],
	summary: 'Check templates usable at a division: shipped ones first, then by name',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { query: z.object({ code: divisionCode }) },
	responses: {
		200: {
			description: 'Each at its current version',
			content: {
				'application/json': { schema: z.object({ templates: z.array(templateSchema) }) }
			}
		},
		400: errorResponse('Bad code'),
		...AUTH_ERRORS,
		404: errorResponse('No such division')
	}
});

const createTemplateRoute = createRoute({
	method: 'post',
	path: '/check-templates',
	tags: ['templates'],
	summary: 'Make a check template of a division (whoever may start rounds there)',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		body: { content: { 'application/json': { schema: templateInputSchema } }, required: true }
	},
	responses: {
		201: {
			description: 'The template at version 1',
			content: { 'application/json': { schema: templateSchema } }
		},
		400: errorResponse('Invalid template; the field is named (questions.2.abnormal)'),
		...AUTH_ERRORS,
		404: errorResponse('No such division')
	}
});

const getTemplateRoute = createRoute({
	method: 'get',
	path: '/check-templates/{id}',
	tags: ['templates'],
	summary: 'A check template at its current version, or at `version`',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: idParam,
		query: z.object({ version: z.coerce.number().int().min(1).optional() })
	},
	responses: {
		200: {
			description: 'The template',
			content: { 'application/json': { schema: templateSchema } }
		},
		400: errorResponse('Bad id or version'),
		...AUTH_ERRORS,
		404: errorResponse('No such template or version')
	}
});

const updateTemplateRoute = createRoute({
	method: 'put',
	path: '/check-templates/{id}',
	tags: ['templates'],
	summary:
		'Change a check template: new questions make the next version; a new name alone keeps the version',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: {
		params: idParam,
		body: { content: { 'application/json': { schema: templateUpdateSchema } }, required: true }
	},
	responses: {
		200: {
			description: 'The template now',
			content: { 'application/json': { schema: templateSchema } }
		},
		400: errorResponse('Invalid change; the field is named'),
		...AUTH_ERRORS,
		404: errorResponse('No such template'),
		409: errorResponse(
			'A shipped template is read-only (error `read_only`, field `id`), or it changed meanwhile'
		)
	}
});

const versionsRoute = createRoute({
	method: 'get',
	path: '/check-templates/{id}/versions',
	tags: ['templates'],
	summary: 'Every version of a check template, newest first',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: idParam },
	responses: {
		200: {
			description: 'Newest first; `createdAt` and `createdBy` are null for a shipped template',
			content: {
				'application/json': {
					schema: z.object({
						versions: z.array(
							z.object({
								version: z.number().int(),
								name: z.string(),
								createdAt: z.string().nullable(),
								createdBy: z.string().nullable(),
								/** Who made it, in words (display name or username). */
								createdByName: z.string().nullable()
							})
						)
					})
				}
			}
		},
		400: errorResponse('Bad id'),
		...AUTH_ERRORS,
		404: errorResponse('No such template')
	}
});

/** A template as the API answers it. */
export function templateJson(t: StoredTemplate | TemplateVersion, user: UserRow) {
	const stored = t as StoredTemplate;
	const shipped = t.divisionCode === null;
	return {
		id: t.id,
		version: t.version,
		name: t.name,
		...(t.nameEn ? { nameEn: t.nameEn } : {}),
		divisionCode: t.divisionCode,
		questions: t.questions as Record<string, unknown>[],
		shipped,
		editable: !shipped && mayEditTemplate(user, t.divisionCode!),
		...(stored.createdAt ? { createdAt: stored.createdAt.toISOString() } : {}),
		...(stored.updatedAt ? { updatedAt: stored.updatedAt.toISOString() } : {})
	};
}

/** A template the user may read (404 when there is none such, 403 when it is not theirs). */
async function readable(store: Store, user: UserRow, id: string, version?: number) {
	const template = await store.templates().get(id, version);
	if (!template)
		throw version !== undefined && (await store.templates().get(id))
			? notFound('version', `template ${id} has no version ${version}`)
			: notFound('id', `no check template ${id}`);
	if (!mayReadTemplate(user, template.divisionCode))
		throw forbidden('id', 'the template belongs to a division outside your scope');
	return template;
}

/** The division, if it exists (404) and the user may make templates there (403). */
async function editableDivision(store: Store, user: UserRow, code: string) {
	if (!(await store.getDivision(code))) throw notFound('divisionCode', `no division "${code}"`);
	if (!mayEditTemplate(user, code))
		throw forbidden('divisionCode', 'outside the divisions you may make templates for');
}

const readOnly = () =>
	new ApiError(
		409,
		'read_only',
		'id: a shipped template cannot be changed; copy it (POST /check-templates) and change the copy',
		'id'
	);

export const templateRoutes = router()
	.openapi(listRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { code } = c.req.valid('query');
		if (!(await store.getDivision(code))) throw notFound('code', `no division "${code}"`);
		if (!supervises(user) || !canSeeDivision(user, code))
			throw forbidden('code', `"${code}" is outside your scope`);
		const templates = await store.templates().usableAt(code);
		return c.json({ templates: templates.map((t) => templateJson(t, user)) }, 200);
	})
	.openapi(createTemplateRoute, async (c) => {
		const { store, now } = c.var.services;
		const { user } = c.var.principal;
		const input = c.req.valid('json');
		await editableDivision(store, user, input.divisionCode);
		const template = await store.templates().create({ ...input, by: user.id, at: now() });
		await audit(c, {
			action: 'template_create',
			subjectType: 'check_template',
			subjectId: template.id,
			communityCode: input.divisionCode.length === 12 ? input.divisionCode : null,
			details: {
				name: template.name,
				divisionCode: input.divisionCode,
				questions: template.questions.length
			}
		});
		return c.json(templateJson(template, user), 201);
	})
	.openapi(getTemplateRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const template = await readable(store, user, id, c.req.valid('query').version);
		return c.json(templateJson(template, user), 200);
	})
	.openapi(updateTemplateRoute, async (c) => {
		const { store, now } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const change = c.req.valid('json');
		const current = await readable(store, user, id);
		if (current.shipped || current.divisionCode === null) throw readOnly();
		if (!mayEditTemplate(user, current.divisionCode))
			throw forbidden('id', 'the template is not yours to change');
		const updated = await store.templates().update(id, change, user.id, now());
		if (!updated)
			throw new ApiError(
				409,
				'conflict',
				'id: the template changed meanwhile; read it again',
				'id'
			);
		const { template, versioned } = updated;
		if (versioned || template.name !== current.name || template.nameEn !== current.nameEn)
			await audit(c, {
				action: 'template_update',
				subjectType: 'check_template',
				subjectId: id,
				communityCode: template.divisionCode!.length === 12 ? template.divisionCode : null,
				details: {
					version: template.version,
					questionsChanged: versioned,
					...(template.name !== current.name
						? { name: { from: current.name, to: template.name } }
						: {})
				}
			});
		return c.json(templateJson(template, user), 200);
	})
	.openapi(versionsRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		await readable(store, user, id);
		const versions = await store.templates().versions(id);
		const people = await store
			.supervision()
			.peopleOf(versions.flatMap((v) => (v.createdBy ? [v.createdBy] : [])));
		return c.json(
			{
				versions: versions.map((v) => {
					const who = v.createdBy ? people.get(v.createdBy) : undefined;
					return {
						version: v.version,
						name: v.name,
						createdAt: v.createdAt?.toISOString() ?? null,
						createdBy: v.createdBy,
						createdByName: who ? who.displayName || who.username : null
					};
				})
			},
			200
		);
	});
