// An answer of the API that is not a success: thrown by route handlers, middleware and the
// services they call, rendered once by the app's onError (server/app.ts) into the error body
// `{ error, message, field? }` (server/routes/errors.ts). The message starts with the field it
// is about ("id: no such incident"); `field` is set whenever the input is at fault.
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { RefusalKind, WriteRefusal } from './write/refusal';

export interface ErrorBody {
	error: string;
	field?: string;
	message: string;
}

export class ApiError extends Error {
	constructor(
		readonly status: ContentfulStatusCode,
		/** The body's `error`: invalid_input, forbidden, not_found, conflict, revoked, … */
		readonly code: string,
		message: string,
		readonly field?: string,
		/** Headers the answer carries besides its body (Retry-After). */
		readonly headers: Record<string, string> = {}
	) {
		super(message);
		this.name = 'ApiError';
	}

	body(): ErrorBody {
		return this.field === undefined
			? { error: this.code, message: this.message }
			: { error: this.code, field: this.field, message: this.message };
	}
}

/** 400: the input is wrong; `field` names it. */
export const invalidInput = (field: string, why: string) =>
	new ApiError(400, 'invalid_input', `${field}: ${why}`, field);

/** 403: not the caller's to see or do; `subject` is what the message is about. */
export const forbidden = (subject: string, why: string) =>
	new ApiError(403, 'forbidden', `${subject}: ${why}`);

/** 404: no such thing (or route). */
export const notFound = (subject: string, why: string) =>
	new ApiError(404, 'not_found', `${subject}: ${why}`);

/** 409: not from the present state. */
export const conflict = (subject: string, why: string) =>
	new ApiError(409, 'conflict', `${subject}: ${why}`);

const REFUSAL: Record<RefusalKind, [ContentfulStatusCode, string]> = {
	invalid: [400, 'invalid_input'],
	forbidden: [403, 'forbidden'],
	missing: [404, 'not_found'],
	illegal: [409, 'conflict']
};

/**
 * The answer to a write the write path refused (server/write/refusal.ts), the field named as the
 * route names it: `rename` maps the field the write path names (`fields.status`, `id`) to the
 * route's.
 */
export function refusalError(
	refusal: WriteRefusal,
	rename: (field: string) => string = (field) => field
): ApiError {
	const [path, ...rest] = refusal.message.split(': ');
	const field = rename(path);
	const [status, code] = REFUSAL[refusal.kind];
	return new ApiError(status, code, `${field}: ${rest.join(': ')}`, field);
}
