// The roster import and export (docs/imports.md): a file uploaded answers a preview kept in the
// database, its commit writes it through the one write path; the blank template, the rejected
// rows and a community's residents as workbooks. For who runs the community: its head, an
// administrator whose scope covers it, a street officer of its street.
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { requireAuth, requireStaff } from '../auth/middleware';
import { lookupCommunity } from '../auth/nodes';
import { canSeeDivision } from '../auth/scope';
import { forbidden, invalidInput, refusalError } from '../api-error';
import type { AppEnv } from '../context';
import { ROSTER_COLUMNS, type ColumnKey } from '../imports/columns';
import { commitImport, makePreview, ownImport, previewJson, rejectedOf } from '../imports/previews';
import { RosterFileError } from '../imports/types';
import {
	rejectedWorkbook,
	residentsWorkbook,
	templateWorkbook,
	XLSX_TYPE
} from '../imports/workbooks';
import { audit, headsCommunity } from '../privacy/access';
import type { Store, UserRow } from '../store/types';
import { WriteRefusal } from '../write/index';
import { importPreviewSchema, importSummarySchema } from '../../src/lib/shared/imports';
import { router } from './router';
import { AUTH_ERRORS, errorResponse } from './errors';

/** Largest file an import takes (docs/imports.md). */
export const IMPORT_MAX_BYTES = 32 * 1024 * 1024;
/** The upload route, as the app's body limit recognises it (server/app.ts). */
export const IMPORT_UPLOAD_PATH = '/imports/households';

const FILE_NAME_MAX = 200;

/** Roles that bring rosters in, each for the communities its scope covers. */
const IMPORT_ROLES: ReadonlySet<string> = new Set(['community_head', 'admin', 'street_officer']);

/** Whether the user may import into (and export) a community. */
export function runsImports(user: UserRow, communityCode: string): boolean {
	return IMPORT_ROLES.has(user.role) && canSeeDivision(user, communityCode);
}

/** The community, if it exists (404) and the user may import into it (403). */
async function importCommunity(store: Store, user: UserRow, code: string, field: string) {
	const community = await lookupCommunity(store, user, code);
	if (!runsImports(user, code))
		throw forbidden(
			field,
			"imports are for the community's head, an administrator or its street's officer"
		);
	return community;
}

const communityCode = z.string().regex(/^\d{12}$/, 'expected a 12-digit community code');
const idParam = z.object({ id: z.string().uuid() });
const binary = { schema: z.string().openapi({ format: 'binary' }) };

const columnKeys = ROSTER_COLUMNS.map((c) => c.key) as [ColumnKey, ...ColumnKey[]];
/** Some fields, each a 0-based column index (Excel's last column is 16,383) or null. */
const mappingSchema = z.partialRecord(
	z.enum(columnKeys),
	z.number().int().min(0).max(16_383).nullable()
);

const uploadLimit = bodyLimit({
	maxSize: IMPORT_MAX_BYTES,
	onError: (c) =>
		c.json(
			{
				error: 'payload_too_large',
				field: 'file',
				message: `file: larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MiB`
			},
			413
		)
});

const previewRoute = createRoute({
	method: 'post',
	path: IMPORT_UPLOAD_PATH,
	tags: ['imports'],
	summary:
		'Read a household roster (.xlsx or .csv) and answer a preview: what would be created, updated and rejected',
	description:
		'The file as multipart/form-data (field `file`) or as the raw body with its content type; up to 32 MiB. Nothing is written until the preview is committed.',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff, uploadLimit] as const,
	request: {
		query: z.object({
			community: communityCode,
			sheet: z.string().max(100).optional(),
			mapping: z.string().max(2000).optional().openapi({
				description: '{"<field>": <0-based column index or null>}',
				example: '{"name":2,"idNumber":4}'
			}),
			createGrids: z.enum(['true', 'false']).optional(),
			name: z.string().max(FILE_NAME_MAX).optional().openapi({
				description: "The file's name, when the body is the raw file"
			})
		}),
		body: {
			content: {
				'multipart/form-data': {
					schema: {
						type: 'object',
						properties: { file: { type: 'string', format: 'binary' } },
						required: ['file']
					}
				},
				[XLSX_TYPE]: binary,
				'text/csv': binary,
				'application/octet-stream': binary
			}
		}
	},
	responses: {
		200: {
			description: 'The preview, kept for a day',
			content: { 'application/json': { schema: importPreviewSchema } }
		},
		400: errorResponse('The file cannot be read (field "file"), or a bad query parameter'),
		...AUTH_ERRORS,
		404: errorResponse('No such community'),
		413: errorResponse('The file is larger than 32 MiB')
	}
});

const getRoute = createRoute({
	method: 'get',
	path: '/imports/{id}',
	tags: ['imports'],
	summary: 'A preview again, with its status and progress while committing',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: idParam },
	responses: {
		200: {
			description: 'The preview',
			content: { 'application/json': { schema: importPreviewSchema } }
		},
		...AUTH_ERRORS,
		404: errorResponse('Unknown, expired, or made by someone else')
	}
});

const commitRoute = createRoute({
	method: 'post',
	path: '/imports/{id}/commit',
	tags: ['imports'],
	summary: 'Plan a preview again against the database as it is now, and write it (audited)',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: idParam },
	responses: {
		200: {
			description: 'What was written',
			content: { 'application/json': { schema: importSummarySchema } }
		},
		...AUTH_ERRORS,
		404: errorResponse('Unknown, expired, or made by someone else'),
		409: errorResponse('Already committed or committing')
	}
});

const rejectedRoute = createRoute({
	method: 'get',
	path: '/imports/{id}/rejected.xlsx',
	tags: ['imports'],
	summary: 'The rows not imported, their cells as read plus a 问题 column',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: idParam },
	responses: {
		200: { description: 'The workbook', content: { [XLSX_TYPE]: binary } },
		...AUTH_ERRORS,
		404: errorResponse('Unknown, expired, or made by someone else')
	}
});

const templateRoute = createRoute({
	method: 'get',
	path: '/imports/households/template.xlsx',
	tags: ['imports'],
	summary: 'A blank household roster with the recognised headers and a 说明 sheet',
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	responses: {
		200: { description: 'The workbook', content: { [XLSX_TYPE]: binary } },
		...AUTH_ERRORS
	}
});

const residentsRoute = createRoute({
	method: 'get',
	path: '/communities/{code}/residents.xlsx',
	tags: ['imports'],
	summary: "A community's residents in the template's layout with GridCare's ids, masked (audited)",
	security: [{ bearer: [] }],
	middleware: [requireAuth, requireStaff] as const,
	request: { params: z.object({ code: communityCode }) },
	responses: {
		200: { description: 'The workbook', content: { [XLSX_TYPE]: binary } },
		400: errorResponse('Bad code'),
		...AUTH_ERRORS,
		404: errorResponse('No such community')
	}
});

/** `attachment` with an ASCII name and, for browsers that read it, the Chinese one. */
function attachment(ascii: string, chinese: string): string {
	return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(chinese)}`;
}

/** The uploaded file: a multipart part `file`, or the raw body with its content type. */
async function uploadedFile(
	c: Context<AppEnv>,
	queryName: string | undefined
): Promise<{ bytes: Uint8Array; fileName: string; contentType?: string }> {
	const type = c.req.header('content-type') ?? '';
	if (/^multipart\/form-data/i.test(type)) {
		const form = await c.req.parseBody();
		const file = form.file;
		if (!(file instanceof File)) throw invalidInput('file', 'expected a file in the part "file"');
		return {
			bytes: new Uint8Array(await file.arrayBuffer()),
			fileName: fileNameOf(file.name || queryName),
			...(file.type ? { contentType: file.type } : {})
		};
	}
	const bytes = new Uint8Array(await c.req.arrayBuffer());
	if (bytes.length === 0) throw invalidInput('file', 'the body is empty: send the file');
	return {
		bytes,
		fileName: fileNameOf(queryName, type),
		...(type ? { contentType: type } : {})
	};
}

/** A file name to show and record: its last path segment, control characters removed. */
function fileNameOf(name: string | undefined, contentType = ''): string {
	const base = (name ?? '')
		.split(/[\\/]/u)
		.pop()!
		.replace(/\p{Cc}/gu, '')
		.trim()
		.slice(0, FILE_NAME_MAX);
	if (base) return base;
	return /csv/i.test(contentType) ? 'roster.csv' : 'roster.xlsx';
}

function parseMapping(
	text: string | undefined
): Partial<Record<ColumnKey, number | null>> | undefined {
	if (text === undefined || text === '') return undefined;
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw invalidInput('mapping', 'expected JSON: {"<field>": <0-based column index or null>}');
	}
	const result = mappingSchema.safeParse(value);
	if (!result.success)
		throw invalidInput(
			'mapping',
			`expected {"<field>": <0-based column index or null>} with fields among ${columnKeys.join(', ')}`
		);
	return result.data;
}

export const importRoutes = router()
	.openapi(templateRoute, async (c) => {
		return c.body(await templateWorkbook(), 200, {
			'content-type': XLSX_TYPE,
			'content-disposition': attachment('roster-template.xlsx', '户籍台账模板.xlsx')
		});
	})
	.openapi(previewRoute, async (c) => {
		const { store, config, now } = c.var.services;
		const { user } = c.var.principal;
		const query = c.req.valid('query');
		await importCommunity(store, user, query.community, 'community');
		const mapping = parseMapping(query.mapping);
		const file = await uploadedFile(c, query.name);
		try {
			const preview = await makePreview(
				store,
				user,
				{
					communityCode: query.community,
					fileName: file.fileName,
					bytes: file.bytes,
					...(file.contentType ? { contentType: file.contentType } : {}),
					...(query.sheet ? { sheet: query.sheet } : {}),
					...(mapping ? { mapping } : {}),
					createGrids: query.createGrids === 'true'
				},
				{ now: now(), timeZone: config.timeZone, rollup: config.rollup }
			);
			return c.json(preview, 200);
		} catch (error) {
			if (error instanceof WriteRefusal) throw refusalError(error);
			if (!(error instanceof RosterFileError)) throw error;
			return c.json(
				{
					error: 'invalid_input',
					field: 'file',
					code: error.code,
					message: `file: ${error.message}`,
					// no_name_column: the sheets and columns read, to choose the names' column from.
					...(error.context ? { context: error.context } : {})
				},
				400
			);
		}
	})
	.openapi(getRoute, async (c) => {
		const { store, now } = c.var.services;
		const row = await ownImport(store, c.var.principal.user, c.req.valid('param').id, now());
		return c.json(previewJson(row), 200);
	})
	.openapi(commitRoute, async (c) => {
		const { store, config, now, alerts } = c.var.services;
		const { user } = c.var.principal;
		const { id } = c.req.valid('param');
		const { row, summary } = await commitImport(store, user, id, {
			now: now(),
			timeZone: config.timeZone,
			rollup: config.rollup
		}).catch((error: unknown) => {
			// The write path refused (the caller may no longer write a grid of the file): said so.
			throw error instanceof WriteRefusal ? refusalError(error) : error;
		});
		alerts?.notify([row.communityCode]);
		await audit(c, {
			action: 'import',
			subjectType: 'community',
			subjectId: row.communityCode,
			communityCode: row.communityCode,
			details: { importId: id, fileName: row.fileName, ...summary }
		});
		return c.json(summary, 200);
	})
	.openapi(rejectedRoute, async (c) => {
		const { store, now } = c.var.services;
		const { id } = c.req.valid('param');
		const row = await ownImport(store, c.var.principal.user, id, now());
		const { header, rows } = await rejectedOf(store, row);
		return c.body(await rejectedWorkbook(header, rows), 200, {
			'content-type': XLSX_TYPE,
			'content-disposition': attachment(
				`rejected-${id}.xlsx`,
				`未导入的行-${row.fileName.replace(/\.[^.]*$/u, '')}.xlsx`
			)
		});
	})
	.openapi(residentsRoute, async (c) => {
		const { store } = c.var.services;
		const { user } = c.var.principal;
		const { code } = c.req.valid('param');
		const community = await importCommunity(store, user, code, 'code');
		const { bytes, rows } = await residentsWorkbook(store, code, headsCommunity(user, code));
		await audit(c, {
			action: 'export',
			subjectType: 'community',
			subjectId: code,
			communityCode: code,
			details: { rows, format: 'xlsx' }
		});
		return c.body(bytes, 200, {
			'content-type': XLSX_TYPE,
			'content-disposition': attachment(`residents-${code}.xlsx`, `${community.name}居民台账.xlsx`)
		});
	});
