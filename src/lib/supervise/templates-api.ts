// Calls of the check template API (docs/check-templates.md) and a round's question figures, on
// the shared fetch wrapper.
import { z } from 'zod';
import { apiRequest } from '$lib/app/api';
import {
	templateVersionSchema,
	type TemplateInput,
	type TemplateUpdate
} from '$lib/shared/templates';
import { rollupChildSchema, rollupSchema } from './supervise-types';

const enc = encodeURIComponent;
const optionalText = z
	.string()
	.nullish()
	.transform((v) => v ?? undefined);

/** A template as the API answers it: its current (or asked) version and what the user may do. */
export const templateSchema = templateVersionSchema.extend({
	nameEn: optionalText,
	shipped: z.boolean(),
	editable: z.boolean(),
	createdAt: optionalText,
	updatedAt: optionalText
});
export type Template = z.infer<typeof templateSchema>;

export const templateListSchema = z.object({ templates: z.array(templateSchema) });

/** Per question key: how many were asked, how many answered abnormally (docs/check-templates.md). */
export const questionFiguresSchema = z.record(
	z.string(),
	z.object({ asked: z.number(), abnormal: z.number() })
);
export type QuestionFigures = z.infer<typeof questionFiguresSchema>;

/** The roll-up of a round with a template: the question figures beside the metrics. */
export const roundRollupSchema = rollupSchema.extend({
	questions: questionFiguresSchema.optional(),
	children: z.array(rollupChildSchema.extend({ questions: questionFiguresSchema.optional() }))
});
export type RoundRollup = z.infer<typeof roundRollupSchema>;

export const templatePaths = {
	list: (code: string) => `/check-templates?code=${enc(code)}`,
	one: (id: string, version?: number) =>
		`/check-templates/${enc(id)}${version === undefined ? '' : `?version=${version}`}`
};

export const templatesApi = {
	list: (path: string, token: string) =>
		apiRequest(path, templateListSchema, { token }).then((body) => body.templates),
	get: (path: string, token: string) => apiRequest(path, templateSchema, { token }),
	create: (input: TemplateInput, token: string) =>
		apiRequest('/check-templates', templateSchema, { method: 'POST', body: input, token }),
	update: (id: string, input: TemplateUpdate, token: string) =>
		apiRequest(templatePaths.one(id), templateSchema, { method: 'PUT', body: input, token }),
	roundRollup: (path: string, token: string) => apiRequest(path, roundRollupSchema, { token })
};
