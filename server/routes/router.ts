import { OpenAPIHono } from '@hono/zod-openapi';
import { describeIssue } from '../../src/lib/shared/schemas';
import type { AppEnv } from '../context';

/** A resource sub-app whose invalid requests answer 400 naming the field; nothing of them is applied. */
export function router() {
	return new OpenAPIHono<AppEnv>({
		defaultHook: (result, c) => {
			if (!result.success) {
				const { field, message } = describeIssue(result.error);
				return c.json({ error: 'invalid_input', field, message }, 400);
			}
		}
	});
}
