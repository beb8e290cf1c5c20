// Error bodies of the API: `{ error, message, field? }`, the field named whenever input is at fault.
import { z } from '@hono/zod-openapi';

export const errorSchema = z
	.object({
		error: z.string().openapi({ example: 'invalid_input' }),
		message: z.string(),
		field: z.string().optional()
	})
	.openapi('Error');

export const errorResponse = (description: string) => ({
	content: { 'application/json': { schema: errorSchema } },
	description
});

export const AUTH_ERRORS = {
	401: errorResponse('Missing, expired or revoked bearer token'),
	403: errorResponse("Outside the caller's scope")
};
