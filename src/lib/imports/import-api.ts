// Calls of the roster import API (docs/imports.md): the file goes up with an XMLHttpRequest so
// the screen can show the upload's progress; the preview and the commit's summary are checked at
// the boundary like every other answer (src/lib/app/types.ts).
import { z } from 'zod';
import { API_BASE } from '$lib/app/api';
import type { ColumnKey } from '../../../server/imports/columns';
import {
	importPreviewSchema,
	importSummarySchema,
	rosterColumnSchema,
	rowProblemSchema,
	type ImportPreview,
	type ImportSummary
} from '$lib/shared/imports';

const enc = encodeURIComponent;

export { importPreviewSchema, importSummarySchema };
export type { ImportPreview, ImportSummary };
export type RowProblem = z.infer<typeof rowProblemSchema>;
export type RosterColumn = z.infer<typeof rosterColumnSchema>;

/** What the server read of a file before it stopped for want of a 姓名 column. */
const readContextSchema = z.object({
	sheets: z.array(z.string()),
	sheet: z.string(),
	headerRow: z.number(),
	columns: z.array(rosterColumnSchema)
});
export type ReadContext = z.infer<typeof readContextSchema>;

/** Column choices: field → 0-based column index, or null for "not in the file". */
export type ColumnMapping = Partial<Record<ColumnKey, number | null>>;

export interface UploadChoices {
	community: string;
	sheet?: string;
	mapping?: ColumnMapping;
	createGrids?: boolean;
}

/** Request paths (relative to /api/v1). */
export const importPaths = {
	upload: ({ community, sheet, mapping, createGrids }: UploadChoices) => {
		const query = new URLSearchParams({ community });
		if (sheet) query.set('sheet', sheet);
		if (mapping && Object.keys(mapping).length) query.set('mapping', JSON.stringify(mapping));
		if (createGrids) query.set('createGrids', 'true');
		return `/imports/households?${query}`;
	},
	preview: (id: string) => `/imports/${enc(id)}`,
	commit: (id: string) => `/imports/${enc(id)}/commit`,
	rejected: (id: string) => `/imports/${enc(id)}/rejected.xlsx`,
	template: () => '/imports/households/template.xlsx',
	residents: (community: string) => `/communities/${enc(community)}/residents.xlsx`
};

/** Why a call failed, in the terms the import screens put into words. */
export type ImportFailure =
	'file' | 'too_large' | 'already' | 'expired' | 'forbidden' | 'offline' | 'session' | 'server';

export class ImportError extends Error {
	constructor(
		readonly failure: ImportFailure,
		/** The server's reason when it gave one (a file that cannot be read says why). */
		readonly reason: string = '',
		/** Why a file cannot be read: `format`, `empty`, `no_header`, `no_sheet`, `no_name_column`. */
		readonly code: string = '',
		/** The sheet and columns read before stopping (`no_name_column`): to choose the names from. */
		readonly context: ReadContext | null = null
	) {
		super(reason || failure);
		this.name = 'ImportError';
	}
}

function failureOf(status: number): ImportFailure {
	switch (status) {
		case 400:
			return 'file';
		case 401:
			return 'session';
		case 403:
			return 'forbidden';
		case 404:
			return 'expired';
		case 409:
			return 'already';
		case 413:
			return 'too_large';
		case 502:
		case 504:
			return 'offline';
		default:
			return 'server';
	}
}

/** The error an answer's body describes: `{ error, field, code?, message }`. */
function errorOf(status: number, text: string): ImportError {
	let body: {
		message?: unknown;
		error?: unknown;
		code?: unknown;
		field?: unknown;
		context?: unknown;
	} = {};
	try {
		body = JSON.parse(text) as typeof body;
	} catch {
		// A proxy's page, not the API's JSON: the status alone says what happened.
	}
	const reason = body.message ?? body.error;
	// A 400 about anything but the file (a query parameter) is this app's mistake, not the file's.
	const failure =
		status === 400 && body.field && body.field !== 'file' ? 'server' : failureOf(status);
	return new ImportError(
		failure,
		typeof reason === 'string' ? reason.replace(/^file:\s*/u, '') : '',
		typeof body.code === 'string' ? body.code : '',
		readContextSchema.safeParse(body.context).data ?? null
	);
}

function parsed<T>(schema: z.ZodType<T>, text: string): T {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new ImportError('server');
	}
	const result = schema.safeParse(json);
	if (!result.success) throw new ImportError('server');
	return result.data;
}

export interface UploadCallbacks {
	/** Bytes sent so far and the file's size. */
	onProgress?: (sent: number, total: number) => void;
	/** The file is on the server; it is being read and checked. */
	onUploaded?: () => void;
}

/**
 * Send a roster file (multipart, field `file`) and resolve with the server's preview. Nothing is
 * written: the preview is kept on the server for a day, until committed.
 */
export function uploadRoster(
	file: File,
	choices: UploadChoices,
	token: string,
	{ onProgress, onUploaded }: UploadCallbacks = {}
): Promise<ImportPreview> {
	return new Promise((resolve, reject) => {
		const xhr = new XMLHttpRequest();
		xhr.open('POST', API_BASE + importPaths.upload(choices));
		xhr.setRequestHeader('Authorization', `Bearer ${token}`);
		xhr.setRequestHeader('Accept', 'application/json');
		xhr.upload.onprogress = (event) => {
			if (event.lengthComputable) onProgress?.(event.loaded, event.total);
		};
		xhr.upload.onload = () => onUploaded?.();
		xhr.onerror = () => reject(new ImportError('offline'));
		xhr.onload = () => {
			if (xhr.status === 200) {
				try {
					resolve(parsed(importPreviewSchema, xhr.responseText));
				} catch (error) {
					reject(error instanceof Error ? error : new ImportError('server'));
				}
			} else reject(errorOf(xhr.status, xhr.responseText));
		};
		const form = new FormData();
		form.append('file', file, file.name);
		xhr.send(form);
	});
}

async function request(path: string, token: string, method: 'GET' | 'POST'): Promise<Response> {
	let response: Response;
	try {
		response = await fetch(API_BASE + path, {
			method,
			headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
			cache: 'no-store'
		});
	} catch {
		throw new ImportError('offline');
	}
	if (!response.ok) throw errorOf(response.status, await response.text());
	return response;
}

/** The preview again, with `status` and `progress` while it is being committed. */
export async function readImport(id: string, token: string): Promise<ImportPreview> {
	const response = await request(importPaths.preview(id), token, 'GET');
	return parsed(importPreviewSchema, await response.text());
}

/**
 * Write the preview's rows (the server plans them again against the database as it is now).
 * Resolves once everything is written, which for a street's roster takes a while: no timeout.
 */
export async function commitImport(id: string, token: string): Promise<ImportSummary> {
	const response = await request(importPaths.commit(id), token, 'POST');
	return parsed(importSummarySchema, await response.text());
}

/** Download a workbook of the API and hand it to the browser as a file of this name. */
export async function downloadWorkbook(path: string, fileName: string, token: string) {
	let response: Response;
	try {
		response = await fetch(API_BASE + path, {
			headers: { Authorization: `Bearer ${token}` },
			cache: 'no-store'
		});
	} catch {
		throw new ImportError('offline');
	}
	if (!response.ok) throw errorOf(response.status, await response.text());
	const url = URL.createObjectURL(await response.blob());
	const link = document.createElement('a');
	link.href = url;
	link.download = fileName;
	document.body.append(link);
	link.click();
	link.remove();
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * The column choices made on screen as the API's mapping, or {} when they are the server's own
 * reading. `choices` holds a field per column of `columns` ('' for "not imported"). Once anything
 * changed, every field is sent (its column, or null): the server then reads the columns exactly
 * as the screen shows them, and a field taken from one column is not guessed again for another.
 */
export function mappingFrom(
	columns: RosterColumn[],
	choices: string[],
	fields: readonly ColumnKey[]
): ColumnMapping {
	if (columns.every((column, i) => (column.field ?? '') === choices[i])) return {};
	const mapping: ColumnMapping = Object.fromEntries(fields.map((field) => [field, null]));
	columns.forEach((column, i) => {
		if (choices[i]) mapping[choices[i] as ColumnKey] = column.index;
	});
	return mapping;
}

/** The files the import reads, by name or by type (browsers give .csv several types). */
export function isRosterFile(file: Pick<File, 'name'>): boolean {
	return /\.(xlsx|csv)$/iu.test(file.name.trim());
}

/** "A", "B" … "Z", "AA": the column letters Excel shows, from a 0-based index. */
export function columnLetter(index: number): string {
	let letters = '';
	for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
		letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
	return letters;
}
