// Check templates (分级分类排查, docs/check-templates.md): what a check round asks, one definition
// for the template editor, the worker's visit form, the push path and the roll-up. A question's
// abnormal rule is decided here only (answerAbnormal), so the tablet's preview and the server's
// figures never disagree.
import { z } from 'zod';
import { ANSWER_TEXT_MAX, divisionCodeSchema, shortText, uuidSchema, type Answer } from './schemas';

export const QUESTION_KINDS = ['yes_no', 'choice', 'choices', 'number', 'text'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export const QUESTION_KEY_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;
/** Most questions in one template. */
export const QUESTIONS_MAX = 40;

export const abnormalRuleSchema = z.union([
	z.object({ atLeast: z.number().finite() }).strict(),
	z.object({ atMost: z.number().finite() }).strict(),
	z.object({ oneOf: z.array(shortText(40)).min(1).max(20) }).strict(),
	z.object({ equals: z.boolean() }).strict()
]);
export type AbnormalRule = z.infer<typeof abnormalRuleSchema>;

const questionShape = z
	.object({
		key: z
			.string()
			.regex(
				QUESTION_KEY_PATTERN,
				'must be 1 to 32 lowercase letters, digits or _, starting with a letter'
			),
		label: shortText(80),
		labelEn: shortText(120).optional(),
		kind: z.enum(QUESTION_KINDS),
		perResident: z.boolean(),
		options: z.array(shortText(40)).min(2).max(20).optional(),
		/** English labels of the options, in the same order (the stored value is the option). */
		optionsEn: z.array(shortText(60)).max(20).optional(),
		unit: shortText(16).optional(),
		min: z.number().finite().optional(),
		max: z.number().finite().optional(),
		abnormal: abnormalRuleSchema.optional()
	})
	.strict();

/** Each field of a question fits its kind: options for choices, unit and range for numbers … */
function questionProblems(q: z.infer<typeof questionShape>, ctx: z.RefinementCtx) {
	const issue = (path: string, message: string) =>
		ctx.addIssue({ code: 'custom', path: [path], message });
	const choosing = q.kind === 'choice' || q.kind === 'choices';
	if (choosing && !q.options) issue('options', `required for kind "${q.kind}"`);
	if (!choosing && q.options) issue('options', `only for kinds "choice" and "choices"`);
	if (q.optionsEn && q.optionsEn.length !== (q.options?.length ?? 0))
		issue('optionsEn', 'must have one label per option');
	if (q.options && new Set(q.options).size !== q.options.length)
		issue('options', 'must not repeat an option');
	if (q.kind !== 'number')
		for (const field of ['unit', 'min', 'max'] as const)
			if (q[field] !== undefined) issue(field, 'only for kind "number"');
	if (q.min !== undefined && q.max !== undefined && q.min > q.max)
		issue('max', 'must not be below min');
	const rule = q.abnormal;
	if (!rule) return;
	if (('atLeast' in rule || 'atMost' in rule) && q.kind !== 'number')
		issue('abnormal', 'atLeast and atMost are rules of a number question');
	if ('equals' in rule && q.kind !== 'yes_no')
		issue('abnormal', 'equals is the rule of a yes_no question');
	if ('oneOf' in rule) {
		if (!choosing) issue('abnormal', 'oneOf is the rule of a choice or choices question');
		else
			for (const option of rule.oneOf)
				if (!q.options?.includes(option))
					issue('abnormal', `oneOf: "${option}" is not one of the options`);
	}
	if (q.kind === 'text') issue('abnormal', 'a text question has no abnormal rule');
}

export const questionSchema = questionShape.superRefine(questionProblems);
export type Question = z.infer<typeof questionSchema>;

export const templateQuestionsSchema = z
	.array(questionSchema)
	.min(1, 'must hold at least one question')
	.max(QUESTIONS_MAX)
	.superRefine((questions, ctx) => {
		const seen = new Set<string>();
		questions.forEach((q, i) => {
			if (seen.has(q.key))
				ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `"${q.key}" is used twice` });
			seen.add(q.key);
		});
	});

/** `POST /check-templates`. */
export const templateInputSchema = z
	.object({
		name: shortText(60),
		nameEn: shortText(100).optional(),
		divisionCode: divisionCodeSchema,
		questions: templateQuestionsSchema
	})
	.strict();
export type TemplateInput = z.infer<typeof templateInputSchema>;

/** `PUT /check-templates/:id`: a change of the questions makes the next version. */
export const templateUpdateSchema = templateInputSchema
	.omit({ divisionCode: true })
	.partial()
	.strict();
export type TemplateUpdate = z.infer<typeof templateUpdateSchema>;

/** One version of a template, as a round pins it and a device receives it. */
export const templateVersionSchema = z.object({
	id: uuidSchema,
	version: z.number().int().min(1),
	name: z.string(),
	nameEn: z.string().optional(),
	/** null: shipped with GridCare, read-only. */
	divisionCode: z.string().nullable(),
	questions: z.array(questionShape)
});
export type TemplateVersion = z.infer<typeof templateVersionSchema>;

/**
 * An answer as stored: the value, and `abnormal` when its question has an abnormal rule
 * (decided by the server from the rule). Retention keeps only `{ residentId?, key, abnormal }`.
 */
export interface StoredAnswer {
	residentId?: string;
	key: string;
	value?: Answer['value'];
	abnormal?: boolean;
}

/** Whether a value is abnormal by its question's rule; undefined when the question has none. */
export function answerAbnormal(question: Question, value: Answer['value']): boolean | undefined {
	const rule = question.abnormal;
	if (!rule) return undefined;
	if ('atLeast' in rule) return typeof value === 'number' && value >= rule.atLeast;
	if ('atMost' in rule) return typeof value === 'number' && value <= rule.atMost;
	if ('equals' in rule) return value === rule.equals;
	if (Array.isArray(value)) return value.some((v) => rule.oneOf.includes(v));
	return typeof value === 'string' && rule.oneOf.includes(value);
}

/** A stored answer is abnormal: its flag (which a purged answer keeps alone). */
export const isAbnormalAnswer = (answer: StoredAnswer) => answer.abnormal === true;

/**
 * The answer "all normal" gives a question, when there is an obvious one: the other side of a
 * yes/no rule, the first option no rule marks, no choice of several. Numbers and text have none
 * (a temperature is measured, not assumed).
 */
export function normalAnswer(question: Question): Answer['value'] | undefined {
	const rule = question.abnormal;
	if (!rule) return undefined;
	if ('equals' in rule) return !rule.equals;
	if ('oneOf' in rule) {
		if (question.kind === 'choices') return [];
		return question.options?.find((o) => !rule.oneOf.includes(o));
	}
	return undefined;
}

export interface AnswerIssue {
	/** "answers.3.value" */
	path: string;
	message: string;
}

/** Why a value does not fit its question, or null. */
function valueProblem(q: Question, value: Answer['value']): string | null {
	switch (q.kind) {
		case 'yes_no':
			return typeof value === 'boolean' ? null : 'must be true or false';
		case 'number':
			if (typeof value !== 'number') return 'must be a number';
			if (q.min !== undefined && value < q.min) return `must be at least ${q.min}`;
			if (q.max !== undefined && value > q.max) return `must be at most ${q.max}`;
			return null;
		case 'text':
			return typeof value === 'string' && value.length <= ANSWER_TEXT_MAX ? null : 'must be text';
		case 'choice':
			return typeof value === 'string' && q.options?.includes(value)
				? null
				: 'must be one of the options';
		case 'choices':
			if (!Array.isArray(value)) return 'must be a list of options';
			if (new Set(value).size !== value.length) return 'must not repeat an option';
			return value.every((v) => q.options?.includes(v)) ? null : 'must be among the options';
	}
}

/**
 * Every problem of a visit's answers against the template version it names: a key the version
 * does not ask, a resident on a household question or none on a resident question, a resident
 * not in `residentIds` (the household's members, when given), the same question answered twice,
 * a value that does not fit. Paths start at "answers".
 */
export function validateAnswers(
	questions: readonly Question[],
	answers: readonly Answer[],
	residentIds?: ReadonlySet<string>
): AnswerIssue[] {
	const issues: AnswerIssue[] = [];
	const byKey = new Map(questions.map((q) => [q.key, q]));
	const seen = new Set<string>();
	answers.forEach((answer, i) => {
		const at = (field: string, message: string) =>
			issues.push({ path: `answers.${i}.${field}`, message: `answers.${i}.${field}: ${message}` });
		const q = byKey.get(answer.key);
		if (!q) return at('key', `no question "${answer.key}" in this template version`);
		if (q.perResident && !answer.residentId)
			return at('residentId', `required: "${q.key}" is asked per resident`);
		if (!q.perResident && answer.residentId)
			return at('residentId', `not allowed: "${q.key}" is asked of the household`);
		if (answer.residentId && residentIds && !residentIds.has(answer.residentId))
			return at('residentId', 'not a member of this household');
		const once = `${answer.residentId ?? ''}|${answer.key}`;
		if (seen.has(once)) return at('key', `"${q.key}" is answered twice`);
		seen.add(once);
		const problem = valueProblem(q, answer.value);
		if (problem) at('value', problem);
	});
	return issues;
}

/** The answers as stored: each with its abnormal flag when its question has a rule. */
export function storedAnswers(
	questions: readonly Question[],
	answers: readonly Answer[]
): StoredAnswer[] {
	const byKey = new Map(questions.map((q) => [q.key, q]));
	return answers.map((a) => {
		const abnormal = answerAbnormal(byKey.get(a.key)!, a.value);
		return { ...a, ...(abnormal === undefined ? {} : { abnormal }) };
	});
}

/** Question keys that are counted in a round's roll-up: those with an abnormal rule. */
export const countedKeys = (questions: readonly Question[]) =>
	questions.filter((q) => q.abnormal).map((q) => q.key);

// Templates shipped with GridCare: read-only (divisionCode null), copied to be changed.
const SHIPPED_ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const yes = (
	key: string,
	label: string,
	labelEn: string,
	perResident: boolean,
	abnormalWhen?: boolean
): Question => ({
	key,
	label,
	labelEn,
	kind: 'yes_no',
	perResident,
	...(abnormalWhen === undefined ? {} : { abnormal: { equals: abnormalWhen } })
});

const HEALTH: Question = {
	key: 'health',
	label: '身体状况',
	labelEn: 'How they are',
	kind: 'choice',
	perResident: true,
	options: ['良好', '一般', '较差'],
	optionsEn: ['Good', 'Fair', 'Poor'],
	abnormal: { oneOf: ['较差'] }
};

export const ROUTINE_TEMPLATE_ID = SHIPPED_ID(1);

export const SHIPPED_TEMPLATES: readonly TemplateVersion[] = [
	{
		id: ROUTINE_TEMPLATE_ID,
		version: 1,
		name: '日常走访',
		nameEn: 'Routine visit',
		divisionCode: null,
		questions: [
			HEALTH,
			yes('needs_help', '生活上需要帮助', 'Needs help with daily life', false, true),
			yes('hazard', '家中有安全隐患（用电、燃气、消防）', 'Safety hazard at home', false, true)
		]
	},
	{
		id: SHIPPED_ID(2),
		version: 1,
		name: '发热与传染病排查',
		nameEn: 'Fever and infectious disease check',
		divisionCode: null,
		questions: [
			{
				key: 'temperature',
				label: '体温',
				labelEn: 'Temperature',
				kind: 'number',
				perResident: true,
				unit: '°C',
				min: 34,
				max: 43,
				abnormal: { atLeast: 37.3 }
			},
			yes('fever', '近几天发热', 'Fever in the last days', true, true),
			yes('cough', '咳嗽', 'Cough', true, true),
			yes('rash', '皮疹', 'Rash', true, true),
			{
				key: 'travel',
				label: '近期去过的疫情地区',
				labelEn: 'Recent travel to an outbreak area',
				kind: 'text',
				perResident: true
			}
		]
	},
	{
		id: SHIPPED_ID(3),
		version: 1,
		name: '防汛防台/极端天气',
		nameEn: 'Flood, typhoon and extreme weather',
		divisionCode: null,
		questions: [
			yes('relocate', '需要转移', 'Needs to be moved to safety', false, true),
			yes('house_safe', '房屋安全', 'House is safe', false, false),
			yes('elder_help', '有独居老人需要帮助', 'An elder living alone needs help', false, true)
		]
	},
	{
		id: SHIPPED_ID(4),
		version: 1,
		name: '燃气安全排查',
		nameEn: 'Gas safety check',
		divisionCode: null,
		questions: [
			{
				key: 'gas_type',
				label: '用气类型',
				labelEn: 'Gas used',
				kind: 'choice',
				perResident: false,
				options: ['管道天然气', '瓶装液化气', '不用燃气'],
				optionsEn: ['Piped natural gas', 'Bottled LPG', 'No gas']
			},
			yes('gas_smell', '有燃气异味', 'Smell of gas', false, true),
			yes('old_hose', '软管老化或超期', 'Hose worn or past its date', false, true),
			yes('alarm', '装有燃气报警器', 'Gas alarm installed', false, false)
		]
	},
	{
		id: SHIPPED_ID(5),
		version: 1,
		name: '独居老人冬季关爱',
		nameEn: 'Winter care for elders living alone',
		divisionCode: null,
		questions: [
			HEALTH,
			yes('heating', '取暖正常', 'Heating works', false, false),
			yes('warm_enough', '衣被够用', 'Enough warm clothes and bedding', false, false),
			yes(
				'co_risk',
				'有煤炉等一氧化碳隐患',
				'Coal stove or other carbon monoxide risk',
				false,
				true
			),
			yes('family_contact', '能联系上子女或亲属', 'Family can be reached', false, false)
		]
	}
];

/** A shipped template's version, or undefined. */
export function shippedTemplate(id: string, version?: number): TemplateVersion | undefined {
	const t = SHIPPED_TEMPLATES.find((x) => x.id === id);
	return t && (version === undefined || version === t.version) ? t : undefined;
}
