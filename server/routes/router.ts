import { OpenAPIHono } from '@hono/zod-openapi';
import { describeIssue } from '../../src/lib/shared/schemas';
import { ApiError } from '../api-error';
import type { AppEnv } from '../context';

/** A resource sub-app whose invalid requests answer 400 naming the field; nothing of them is applied. */
export function router() {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result) => {
			if (!result.success) {
				const { field, message } = describeIssue(result.error);
				throw new ApiError(400, 'invalid_input', message, field);
			}
		}
	});
}
